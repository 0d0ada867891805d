"""Changing one's password (``POST /users/{id}/password/``, reference §4.3)
and the own-account edit (seed 001: ``password`` with ``old_password`` on the
user entity), which is the same operation behind another door.

A change keeps the caller's own session and ends every other session and
API key of the user, kills outstanding reset links and mails the user.
"""

import pytest

from tests.factories import PASSWORD
from tests.functional.helpers import (
    NEW_PASSWORD,
    assert_error,
    assert_invalid_link,
    can_log_in,
    cookie_login,
    new_key,
    request_reset,
    set_password,
    token_from,
)

CHANGED = "Your password was changed"


def change(testapp, scene, who, body=None, status=204, target=None):
    """As ``who``, POST ``body`` (by default PASSWORD -> NEW_PASSWORD) to the
    password URL of ``target`` (``who`` themself by default)."""
    body = {"old_pw": PASSWORD, "new_pw": NEW_PASSWORD} if body is None else body
    url = scene.url(target or who) + "password/"
    return testapp.post_json(url, body, headers=scene.headers(who), status=status)


def edit_own(testapp, scene, who, body, status=204):
    return testapp.patch_json(scene.url(who), body, headers=scene.headers(who), status=status)


def api_key(testapp, headers):
    res = testapp.post_json("/api/apikeys/", new_key("script"), headers=headers, status=201)
    return {"Authorization": f"Bearer {res.json['body']['key']}"}


def works(testapp, headers) -> bool:
    return testapp.get("/api/", headers=headers, status=(200, 401)).status_int == 200


def changed_mails(inbox, scene, who):
    return [m for m in inbox.to(scene.email(who)) if m["Subject"] == CHANGED]


# -- the change itself ---------------------------------------------------------------


def test_change_answers_204_and_only_the_new_password_logs_in(testapp, acme, inbox):
    res = change(testapp, acme, "alice")
    assert res.body == b""
    assert can_log_in(testapp, acme.email("alice"))
    assert not can_log_in(testapp, acme.email("alice"), PASSWORD)
    assert len(changed_mails(inbox, acme, "alice")) == 1


def test_the_callers_session_survives_every_other_session_and_api_key_ends(testapp, acme, factory):
    current = acme.headers("alice")
    other_session = factory.login(acme.alice)
    key = api_key(testapp, other_session)
    bobs = acme.headers("bob")
    change(testapp, acme, "alice")
    assert works(testapp, current)
    assert not works(testapp, other_session)
    assert not works(testapp, key)
    assert works(testapp, bobs)  # nobody else's


def test_a_cookie_session_survives_its_own_change(testapp, acme, factory):
    other = factory.login(acme.alice)
    cookie_login(testapp, acme.email("alice"), status=204)  # the browser's session
    me = testapp.get("/api/", status=200).json["urls"]["user_url"]
    testapp.post_json(me + "password/", {"old_pw": PASSWORD, "new_pw": NEW_PASSWORD}, status=204)
    testapp.get("/api/", status=200)
    assert not works(testapp, other)


def test_a_change_kills_outstanding_reset_links(testapp, acme, inbox):
    request_reset(testapp, acme.email("alice"))
    token = token_from(inbox.wait_for(1)[0])
    change(testapp, acme, "alice")
    assert_invalid_link(set_password(testapp, token, "yet another secret", status=400))
    assert can_log_in(testapp, acme.email("alice"))


def test_a_wrong_old_password_is_400_naming_old_pw_and_changes_nothing(
    testapp, acme, factory, inbox
):
    other = factory.login(acme.alice)
    res = change(
        testapp, acme, "alice", {"old_pw": "not my password", "new_pw": NEW_PASSWORD}, 400
    )
    assert_error(res, 400, "old_pw")
    assert can_log_in(testapp, acme.email("alice"), PASSWORD)
    assert works(testapp, other)
    assert changed_mails(inbox, acme, "alice") == []


@pytest.mark.parametrize(
    "new,rule",
    [
        ("short pass", "min_length"),
        ("x" * 129, "max_length"),
        ("abababababababab", "repetitive"),
        ("qwerty123456", "common"),
        ("I AM ALICE SMITH", "personal"),
        (PASSWORD, "history"),
    ],
)
def test_a_policy_violation_is_400_naming_the_rule(testapp, acme, factory, new, rule):
    factory.write(lambda root: setattr(root.users[acme.alice], "first_name", "Alice"))
    res = change(testapp, acme, "alice", {"old_pw": PASSWORD, "new_pw": new}, 400)
    assert_error(res, 400, "new_pw")
    assert f"(password rule: {rule})" in res.json["message"]
    assert can_log_in(testapp, acme.email("alice"), PASSWORD)


def test_none_of_the_last_five_passwords_comes_back(testapp, acme):
    passwords = [PASSWORD] + [
        f"{word} kettle harbour" for word in "one two three four five".split()
    ]
    for old, new in zip(passwords[:4], passwords[1:5], strict=True):
        change(testapp, acme, "alice", {"old_pw": old, "new_pw": new})
    current = passwords[4]
    for earlier in passwords[:5]:  # the current one and the four before it
        res = change(testapp, acme, "alice", {"old_pw": current, "new_pw": earlier}, 400)
        assert "(password rule: history)" in res.json["message"]
    change(testapp, acme, "alice", {"old_pw": current, "new_pw": passwords[5]})
    change(testapp, acme, "alice", {"old_pw": passwords[5], "new_pw": PASSWORD})  # 6th back
    assert can_log_in(testapp, acme.email("alice"), PASSWORD)


def test_only_hashes_of_earlier_passwords_are_kept_and_removal_drops_them(testapp, acme, factory):
    change(testapp, acme, "alice")
    history = factory.read(lambda root: tuple(root.users[acme.alice].password_history))
    assert len(history) == 1
    assert history[0].startswith("$argon2id$") and PASSWORD not in history[0]
    testapp.delete(acme.url("alice"), headers=acme.headers("owner"), status=200)
    assert factory.read(lambda root: root.users[acme.alice].password_history) == ()


# -- who may, and what bodies ----------------------------------------------------------


@pytest.mark.parametrize(
    "who,status", [("bob", 403), ("owner", 403), ("outsider", 404), ("anonymous", 401)]
)
def test_nobody_else_changes_a_users_password(testapp, acme, who, status):
    res = change(testapp, acme, who, status=status, target="alice")
    assert res.json["message"]
    assert can_log_in(testapp, acme.email("alice"), PASSWORD)


@pytest.mark.parametrize(
    "body,field",
    [
        ({"new_pw": NEW_PASSWORD}, "old_pw"),
        ({"old_pw": PASSWORD}, "new_pw"),
        ({"old_pw": 12345678, "new_pw": NEW_PASSWORD}, "old_pw"),
        ({"old_pw": PASSWORD, "new_pw": None}, "new_pw"),
        ({"old_pw": PASSWORD, "new_pw": ["a list"]}, "new_pw"),
        ({"old_pw": PASSWORD, "new_pw": "x" * 5000}, "new_pw"),
        ({"old_pw": PASSWORD, "new_pw": NEW_PASSWORD, "extra": 1}, "extra"),
    ],
)
def test_bad_bodies_are_400_naming_the_field(testapp, acme, body, field):
    assert_error(change(testapp, acme, "alice", body, 400), 400, field)
    assert can_log_in(testapp, acme.email("alice"), PASSWORD)


def test_the_wrapped_entity_form_works_too(testapp, acme):
    body = {"element": "shoji:entity", "body": {"old_pw": PASSWORD, "new_pw": NEW_PASSWORD}}
    change(testapp, acme, "alice", body)
    assert can_log_in(testapp, acme.email("alice"))


def test_control_characters_and_unicode_are_a_passwords_own_business(testapp, acme):
    new = "tab\there, é and ✓ too"
    change(testapp, acme, "alice", {"old_pw": PASSWORD, "new_pw": new})
    assert can_log_in(testapp, acme.email("alice"), new)


# -- the own-account edit (seed 001) ---------------------------------------------------


def test_own_edit_with_old_password_changes_the_password_like_the_endpoint(
    testapp, acme, factory, inbox
):
    current = acme.headers("alice")
    other = factory.login(acme.alice)
    edit_own(testapp, acme, "alice", {"password": NEW_PASSWORD, "old_password": PASSWORD})
    assert can_log_in(testapp, acme.email("alice"))
    assert works(testapp, current) and not works(testapp, other)
    assert len(changed_mails(inbox, acme, "alice")) == 1


def test_own_edit_changes_name_and_password_together(testapp, acme, factory):
    body = {"name": "Alice Liddell", "password": NEW_PASSWORD, "old_password": PASSWORD}
    edit_own(testapp, acme, "alice", body)
    assert factory.read(lambda root: root.users[acme.alice].name) == "Alice Liddell"
    assert can_log_in(testapp, acme.email("alice"))


@pytest.mark.parametrize(
    "body,field",
    [
        ({"password": NEW_PASSWORD}, "old_password"),
        ({"password": NEW_PASSWORD, "old_password": "wrong one"}, "old_password"),
        ({"name": "Renamed", "old_password": "wrong one"}, "old_password"),
        ({"password": "qwerty123456", "old_password": PASSWORD, "name": "Renamed"}, "password"),
        ({"password": 42, "old_password": PASSWORD}, "password"),
    ],
)
def test_own_edit_refusals_change_nothing(testapp, acme, factory, body, field):
    before = factory.read(lambda root: root.users[acme.alice].name)
    assert_error(edit_own(testapp, acme, "alice", body, 400), 400, field)
    assert factory.read(lambda root: root.users[acme.alice].name) == before
    assert can_log_in(testapp, acme.email("alice"), PASSWORD)


def test_own_edit_of_the_name_with_the_right_old_password(testapp, acme, factory):
    edit_own(testapp, acme, "alice", {"name": "Renamed", "old_password": PASSWORD})
    assert factory.read(lambda root: root.users[acme.alice].name) == "Renamed"


def test_own_edit_of_the_email_goes_through_change_email(testapp, acme, inbox):
    """Only asked for: the link goes to the new address (test_email_change.py)."""
    old = acme.email("alice")
    body = {"email": "elsewhere@example.com", "old_password": PASSWORD}
    edit_own(testapp, acme, "alice", body)
    assert acme.email("alice") == old
    assert [m["Subject"] for m in inbox.to("elsewhere@example.com")] == [
        "Confirm your new email address"
    ]


def test_an_admin_cannot_set_another_users_password(testapp, acme):
    res = testapp.patch_json(
        acme.url("alice"),
        {"password": NEW_PASSWORD, "old_password": PASSWORD},
        headers=acme.headers("owner"),
        status=403,
    )
    assert "force_password_reset" in res.json["message"]
    res = testapp.patch_json(
        "/api/account/users/",
        {acme.url("alice"): {"password": NEW_PASSWORD}},
        headers=acme.headers("owner"),
        status=400,
    )
    assert_error(res, 400, "password")
    assert can_log_in(testapp, acme.email("alice"), PASSWORD)
