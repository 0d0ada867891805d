"""Issue 7 items 15, 17 and 19 through the real pycrunch client: inviting
with a ``role_url``, and a dropped user gone from ``by("email")``."""

import pytest
from pycrunch import users as pycrunch_users

pytestmark = pytest.mark.filterwarnings(
    "ignore:Connecting to Crunch API services with a username:DeprecationWarning"
)


def test_item07_17_pycrunch_drop_then_by_email_finds_nothing(connect, verify):
    root = connect()
    # item 19: the README's account example, a "body" wrapper
    root.accounts.create(
        {
            "body": {
                "name": "Acme",
                "owner": {"email": "o@acme.test", "password": "blue garden gate 12"},
            }
        }
    )
    verify("o@acme.test")
    site = connect("o@acme.test", "blue garden gate 12")
    account = site.user_url.account_url
    editor_role = next(url for url in site.roles.index if url.endswith("/roles/editor/"))
    bill_url = pycrunch_users.invite(
        account, "bill@acme.test", send_invite=False, role_url=editor_role
    )
    users = site.user_url.account_url.users
    assert users.by("email")["bill@acme.test"].entity_url == bill_url
    assert site.session.get(bill_url).payload.body.roles == ["editor"]

    users.drop(bill_url)
    users.refresh()
    assert "bill@acme.test" not in users.by("email")
    assert bill_url not in users.index
    assert "bill@acme.test" not in site.users.by("email")
