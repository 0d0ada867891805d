"""Seed 001's UserActivity on the user entity: ``last_login``,
``last_login_ip``, ``failed_login_attempts``, ``last_password_update``,
``logged_in`` and ``concurrent_sessions`` — in the full profile only (the
user and the admins of their account)."""

import pytest

from tests.factories import PASSWORD

from ..helpers import new_key
from .helpers import attempt, fail

FIELDS = (
    "last_login",
    "last_login_ip",
    "failed_login_attempts",
    "last_password_update",
    "logged_in",
    "concurrent_sessions",
)
HOME = {"REMOTE_ADDR": "192.0.2.20"}


def body_of(testapp, acme, who, viewer):
    return testapp.get(acme.url(who), headers=acme.headers(viewer), status=200).json["body"]


def token_login(testapp, email):
    return attempt(testapp, email, PASSWORD, status=200, extra_environ=HOME).json


def test_an_admin_sees_the_users_sign_in_state(testapp, acme, clock):
    email = acme.email("alice")
    before = body_of(testapp, acme, "alice", "admin")
    assert {k: before[k] for k in FIELDS} == {
        "last_login": None,
        "last_login_ip": None,
        "failed_login_attempts": 0,
        "last_password_update": None,
        "logged_in": False,
        "concurrent_sessions": 0,
    }
    clock.advance(minutes=5)
    token_login(testapp, email)
    token_login(testapp, email)
    fail(testapp, email, times=2)
    body = body_of(testapp, acme, "alice", "admin")
    assert body["last_login"] == "2026-01-01T00:05:00+00:00"
    assert body["last_login_ip"] == "192.0.2.20"
    assert body["failed_login_attempts"] == 2
    assert body["logged_in"] is True and body["concurrent_sessions"] == 2


def test_the_user_sees_their_own_and_plain_members_see_none_of_it(testapp, acme):
    mine = body_of(testapp, acme, "alice", "alice")
    assert mine["logged_in"] is True and mine["concurrent_sessions"] == 1
    assert set(FIELDS) <= set(mine)
    for viewer in ("bob", "outsider"):
        res = testapp.get(acme.url("alice"), headers=acme.headers(viewer), status="*")
        if res.status_int == 200:
            assert not set(FIELDS) & set(res.json["body"])


def test_sessions_count_until_they_end_and_api_keys_never(testapp, acme, clock):
    headers = acme.headers("alice")
    testapp.post_json("/api/apikeys/", new_key("script"), headers=headers, status=201)
    assert body_of(testapp, acme, "alice", "admin")["concurrent_sessions"] == 1
    clock.advance(hours=8)  # exactly the idle limit since the last use: still live
    assert body_of(testapp, acme, "alice", "admin")["concurrent_sessions"] == 1
    clock.advance(seconds=1)
    admin = acme.factory.login(acme.admin)  # the admin's session ended too
    body = testapp.get(acme.url("alice"), headers=admin, status=200).json["body"]
    assert body["concurrent_sessions"] == 0 and body["logged_in"] is False


def test_sessions_count_until_they_expire(testapp, acme, clock):
    headers = acme.headers("alice")
    for _ in range(3):  # used every 8 hours: never idle, until the lifetime ends
        clock.advance(hours=8)
        testapp.get(acme.url("alice"), headers=headers, status=200)
    assert body_of(testapp, acme, "alice", "alice")["concurrent_sessions"] == 1
    clock.advance(seconds=1)
    admin = acme.factory.login(acme.admin)
    body = testapp.get(acme.url("alice"), headers=admin, status=200).json["body"]
    assert body["concurrent_sessions"] == 0 and body["logged_in"] is False


def test_the_password_update_time_is_shown(testapp, acme, clock):
    clock.advance(hours=2)
    testapp.post_json(
        acme.url("alice") + "password/",
        {"old_pw": PASSWORD, "new_pw": "a brand new passphrase 42"},
        headers=acme.headers("alice"),
        status=204,
    )
    body = body_of(testapp, acme, "alice", "admin")
    assert body["last_password_update"] == "2026-01-01T02:00:00+00:00"


@pytest.mark.parametrize("field", FIELDS)
def test_the_fields_are_read_only(testapp, acme, field):
    body = body_of(testapp, acme, "alice", "admin")
    changed = {field: "x" if body[field] is None else None}
    res = testapp.patch_json(acme.url("alice"), changed, headers=acme.headers("admin"), status=400)
    assert res.json["errors"][0]["name"] == field
    # sent back unchanged, as a PUT of the whole entity does, they are accepted
    testapp.patch_json(
        acme.url("alice"), {field: body[field]}, headers=acme.headers("admin"), status=204
    )
