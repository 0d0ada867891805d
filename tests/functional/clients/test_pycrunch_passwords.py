"""The real pycrunch changes a password through the user's ``password``
link (``fragments.password``, reference §4.2) and sees the other session
refused, while its own goes on — also when it is connected with an API
token (``api_key=``)."""

import warnings

import pycrunch
import pytest
import requests
from pycrunch.elements import UnsafeElementSession

from tests.factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD

OWNER = "olga@acme.test"
OLD = "blue garden gate 1"
NEW = "quiet lantern orbit"

pytestmark = pytest.mark.filterwarnings(
    "ignore:Connecting to Crunch API services with a username:DeprecationWarning"
)


@pytest.fixture
def owner(connect, verify):
    root = connect(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    root.accounts.create({"body": {"name": "Acme", "owner": {"email": OWNER, "password": OLD}}})
    verify(OWNER)
    return OWNER


def test_change_through_the_password_link_refuses_the_other_session(server, connect, owner):
    mine = connect(owner, OLD)
    other = connect(owner, OLD)
    me = mine.user_url
    assert me.fragments.password == me.self + "password/"

    response = me.void("password").post({"old_pw": OLD, "new_pw": NEW})
    assert response.status_code == 204

    assert mine.user_url.body.email == owner  # this session goes on
    stale = requests.get(server, cookies=other.session.cookies, timeout=10)
    assert stale.status_code == 401
    with warnings.catch_warnings(), pytest.raises(ValueError, match="not successful"):
        warnings.simplefilter("ignore", DeprecationWarning)
        other.refresh()  # pycrunch logs in again with the old password, which fails
    assert connect(owner, NEW).user_url.body.email == owner


def test_a_refused_change_is_a_client_error_naming_the_rule(connect, owner):
    me = connect(owner, OLD).user_url
    with pytest.raises(pycrunch.ClientError) as info:
        me.void("password").post({"old_pw": OLD, "new_pw": "qwerty123456"})
    assert info.value.status_code == 400
    assert info.value.message.endswith("(password rule: common).")
    with pytest.raises(pycrunch.ClientError) as info:
        me.void("password").post({"old_pw": "not it", "new_pw": NEW})
    assert info.value.status_code == 400
    assert connect(owner, OLD).user_url.body.email == owner


def test_connected_with_an_api_token_the_change_refuses_the_old_session(
    server, connect, owner, api_token
):
    old_session = connect(owner, OLD)
    key = api_token(owner, OLD).json()["body"]["key"]
    site = pycrunch.connect(api_key=key, site_url=server, session_class=UnsafeElementSession)
    try:
        me = site.user_url
        assert me.void("password").post({"old_pw": OLD, "new_pw": NEW}).ok
        stale = requests.get(server, cookies=old_session.session.cookies, timeout=10)
        assert stale.status_code == 401
        assert site.user_url.body.email == owner  # the token that asked goes on
    finally:
        site.session.close()
