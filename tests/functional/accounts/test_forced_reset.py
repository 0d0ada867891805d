"""An admin forces a password reset (seed 003):
``POST /api/users/{id}/force_password_reset/``, linked from the user entity
as ``fragments.force_password_reset`` for those who may use it.

The user's sessions and API keys end at once; signing in with the old
password answers exactly like a wrong password (no oracle, no enumeration);
the mailed link sets a new password, which may not be the old one.
"""

import pytest

from tests.factories import PASSWORD
from tests.functional.helpers import (
    LOGIN,
    NEW_PASSWORD,
    URL_BASE,
    assert_error,
    assert_invalid_link,
    can_log_in,
    new_key,
    request_reset,
    set_password,
    token_from,
)


def force(testapp, scene, who, target, status=204, body=None):
    url = scene.url(target) + "force_password_reset/"
    body = {"url_base": URL_BASE} if body is None else body
    return testapp.post_json(url, body, headers=scene.headers(who), status=status)


def token_login(testapp, email, password):
    body = {"email": email, "password": password, "token": True}
    return testapp.post_json(LOGIN, body, status=(200, 401))


def test_forcing_ends_sessions_and_keys_and_refuses_sign_in_until_the_link_is_used(
    testapp, acme, inbox
):
    headers = acme.headers("alice")
    key = testapp.post_json("/api/apikeys/", new_key(), headers=headers, status=201)
    key_headers = {"Authorization": f"Bearer {key.json['body']['key']}"}
    inbox.messages.clear()  # the "API token created" mail
    assert force(testapp, acme, "owner", "alice").body == b""
    testapp.get("/api/", headers=headers, status=401)
    testapp.get("/api/", headers=key_headers, status=401)
    right = token_login(testapp, acme.email("alice"), PASSWORD)
    wrong = token_login(testapp, acme.email("alice"), "not the password")
    assert right.status_int == wrong.status_int == 401
    assert right.json == wrong.json
    [mail] = inbox.wait_for(1)
    assert mail["To"] == acme.email("alice")
    assert "administrator requires you" in mail.text
    set_password(testapp, token_from(mail))
    assert can_log_in(testapp, acme.email("alice"))


def test_the_new_password_may_not_be_the_old_one(testapp, acme, inbox):
    force(testapp, acme, "owner", "alice")
    token = token_from(inbox.wait_for(1)[0])
    res = set_password(testapp, token, PASSWORD, status=400)
    assert "(password rule: history)" in res.json["message"]
    assert not can_log_in(testapp, acme.email("alice"), PASSWORD)


def test_a_forced_user_may_ask_for_another_link(testapp, acme, inbox):
    force(testapp, acme, "owner", "alice")
    request_reset(testapp, acme.email("alice"))
    first, second = inbox.wait_for(2)
    assert_invalid_link(set_password(testapp, token_from(first), status=400))
    set_password(testapp, token_from(second))
    assert can_log_in(testapp, acme.email("alice"))


def test_the_user_entity_links_it_only_for_those_who_may_use_it(testapp, acme):
    def fragments(who, target):
        doc = testapp.get(acme.url(target), headers=acme.headers(who), status=200).json
        return doc.get("fragments", {})

    link = acme.url("alice") + "force_password_reset/"
    assert fragments("owner", "alice")["force_password_reset"] == link
    assert fragments("admin", "alice")["force_password_reset"] == link
    assert "force_password_reset" not in fragments("alice", "alice")
    assert "force_password_reset" not in fragments("bob", "alice")
    assert "force_password_reset" not in fragments("admin", "owner")
    assert "force_password_reset" not in fragments("owner", "owner")


@pytest.mark.parametrize(
    "who,target,status",
    [
        ("bob", "alice", 403),  # sees alice, is no admin
        ("alice", "alice", 403),
        ("admin", "admin", 403),  # never on oneself
        ("admin", "owner", 403),  # the owner's password is the owner's alone
        ("other_owner", "alice", 404),  # another account's admin does not see her
        ("anonymous", "alice", 401),
    ],
)
def test_who_may_not_force_a_reset(testapp, acme, inbox, who, target, status):
    res = force(testapp, acme, who, target, status=status)
    assert res.json["message"]
    assert inbox.messages == []
    assert can_log_in(testapp, acme.email(target), PASSWORD)


@pytest.mark.parametrize("who,target", [("admin", "alice"), ("owner", "admin")])
def test_account_admins_may_force_a_reset(testapp, acme, inbox, who, target):
    force(testapp, acme, who, target)
    assert not can_log_in(testapp, acme.email(target), PASSWORD)


def test_the_superuser_may_force_the_owners_reset(testapp, acme):
    force(testapp, acme, "superuser", "owner")
    assert not can_log_in(testapp, acme.email("owner"), PASSWORD)


@pytest.mark.parametrize("status", ["pending", "locked", "inactive"])
def test_only_an_active_user_can_be_forced(testapp, acme, inbox, status):
    acme.add("frozen", status=status)
    assert_error(force(testapp, acme, "owner", "frozen", status=400), 400)
    assert inbox.messages == []


@pytest.mark.parametrize(
    "body,field",
    [
        ({"url_base": "https://evil.example.net/${token}"}, "url_base"),
        ({"url_base": ["x"]}, "url_base"),
        ({"password": NEW_PASSWORD}, "password"),  # admins never choose it (ASVS 6.4.6)
    ],
)
def test_a_refused_body_changes_nothing(testapp, acme, inbox, body, field):
    headers = acme.headers("alice")
    assert_error(force(testapp, acme, "owner", "alice", status=400, body=body), 400, field)
    testapp.get("/api/", headers=headers, status=200)
    assert can_log_in(testapp, acme.email("alice"), PASSWORD)
    assert inbox.messages == []
