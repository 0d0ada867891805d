"""The real pycrunch and email verification: a user made with a password
connects, finds their own entity and the reason everything else is closed
(a ``ClientError`` whose message says to verify), then works once the
mailed link is used."""

import pycrunch
import pytest

OWNER = "vera@acme.test"
PASSWORD = "blue garden gate 7"

pytestmark = pytest.mark.filterwarnings(
    "ignore:Connecting to Crunch API services with a username:DeprecationWarning"
)


def test_an_unverified_user_is_told_why_and_works_once_verified(connect, verify):
    root = connect()
    root.accounts.create(
        {"body": {"name": "Acme", "owner": {"email": OWNER, "password": PASSWORD}}}
    )

    site = connect(OWNER, PASSWORD)  # the root answers: it links the user and logout
    me = site.user_url
    assert me.body.email_verified is False
    assert me.fragments.verify_email == me.self + "verify_email/"
    with pytest.raises(pycrunch.ClientError) as info:
        site.datasets  # noqa: B018  (attribute access GETs the catalog)
    assert info.value.status_code == 403
    assert info.value.message.startswith("Verify your email address first")

    verify(OWNER)
    assert site.user_url.account_url.body.name == "Acme"
    assert site.datasets.index == {}
