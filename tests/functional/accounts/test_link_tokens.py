"""One-time link tokens (invitations and password resets) at their edges.

The tokens are read from the mail the real SMTP server (aiosmtpd) received and
time only moves through the injectable ``clock`` fixture, so the 24 h expiry
is tested to the second.  Every way a token can be bad (unknown, used,
expired, superseded, of a removed user) must answer the same 400, so the
answer tells nothing about which tokens once existed.
"""

import re

import pytest

from tests.factories import PASSWORD
from tests.functional.helpers import (
    INVALID_LINK,
    URL_BASE,
    assert_invalid_link,
    can_log_in,
    set_password,
    token_from,
)

INVALID = INVALID_LINK  # the name these tests used


@pytest.fixture
def owner(factory):
    account_id, owner_id = factory.account()
    return {"account": account_id, "id": owner_id, "headers": factory.login(owner_id)}


def invite(testapp, owner, inbox, email="invitee@example.com"):
    """The owner adds a user; returns ``(user_url, token)`` from the mail."""
    before = len(inbox.messages)
    res = testapp.post_json(
        "/api/account/users/",
        {"element": "shoji:entity", "body": {"email": email, "url_base": URL_BASE}},
        headers=owner["headers"],
        status=201,
    )
    mail = inbox.wait_for(before + 1)[before]
    assert mail["To"] == email
    return res.location, token_from(mail)


# -- expiry -------------------------------------------------------------------


def test_invitation_link_works_at_exactly_24_hours(testapp, owner, inbox, clock, factory):
    user_url, token = invite(testapp, owner, inbox)
    clock.advance(hours=24)
    set_password(testapp, token)
    assert can_log_in(testapp, "invitee@example.com")
    headers = factory.login(owner["id"])  # the owner's own session ended too
    body = testapp.get(user_url, headers=headers, status=200).json["body"]
    assert body["status"] == "active" and body["email_verified"] is True


def test_invitation_link_fails_one_second_after_24_hours(testapp, owner, inbox, clock, factory):
    user_url, token = invite(testapp, owner, inbox)
    clock.advance(hours=24, seconds=1)
    assert_invalid_link(set_password(testapp, token, status=400))
    assert not can_log_in(testapp, "invitee@example.com")
    headers = factory.login(owner["id"])  # the owner's own session expired too
    body = testapp.get(user_url, headers=headers, status=200).json["body"]
    assert body["status"] == "pending" and body["email_verified"] is False


def test_password_reset_link_also_expires_after_24_hours(testapp, factory, inbox, clock):
    account_id, _ = factory.account()
    email = factory.email_of(factory.user(account_id))
    testapp.post_json(
        "/api/public/password_reset/", {"email": email, "url_base": URL_BASE}, status=204
    )
    token = token_from(inbox.wait_for(1)[0])
    clock.advance(hours=24, seconds=1)
    assert_invalid_link(set_password(testapp, token, status=400))
    assert can_log_in(testapp, email, PASSWORD)


# -- one use, one message -----------------------------------------------------------


def test_second_use_fails_with_the_same_message(testapp, owner, inbox):
    _, token = invite(testapp, owner, inbox)
    set_password(testapp, token)
    res = set_password(testapp, token, password="yet another secret", status=400)
    assert_invalid_link(res)
    assert can_log_in(testapp, "invitee@example.com")  # the first password stays
    assert not can_log_in(testapp, "invitee@example.com", "yet another secret")


def test_unknown_used_and_expired_tokens_get_identical_answers(testapp, owner, inbox, clock):
    _, used = invite(testapp, owner, inbox, "used@example.com")
    set_password(testapp, used)
    _, expired = invite(testapp, owner, inbox, "expired@example.com")
    clock.advance(hours=25)
    answers = [
        set_password(testapp, token, status=400).json for token in (used, expired, "x" * 43, "")
    ]
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0]["message"] == INVALID


def test_token_is_long_random_and_stored_only_hashed(testapp, owner, inbox, factory):
    _, token = invite(testapp, owner, inbox)
    assert len(token) >= 22  # >= 128 bits in urlsafe base64
    _, other = invite(testapp, owner, inbox, "second@example.com")
    assert other != token
    stored = factory.read(lambda root: list(root.link_tokens.data.keys()))
    assert token not in stored and other not in stored


def test_default_link_is_absolute_when_no_url_base_is_given(testapp, owner, inbox):
    testapp.post_json(
        "/api/account/users/", {"email": "plain@example.com"}, headers=owner["headers"], status=201
    )
    body = inbox.wait_for(1)[0].text
    match = re.search(r"http://localhost/password/change/([A-Za-z0-9_-]+)/", body)
    assert match, body
    set_password(testapp, match.group(1))


# -- re-invitation kills older tokens ------------------------------------------------


def test_reinvite_kills_the_old_token(testapp, owner, inbox):
    user_url, old = invite(testapp, owner, inbox)
    testapp.post_json(
        user_url + "invite/", {"url_base": URL_BASE}, headers=owner["headers"], status=204
    )
    mails = inbox.wait_for(2)
    new = token_from(mails[1])
    assert new != old
    assert_invalid_link(set_password(testapp, old, status=400))
    set_password(testapp, new)
    assert can_log_in(testapp, "invitee@example.com")


def test_resend_email_patch_kills_the_old_token(testapp, owner, inbox):
    user_url, old = invite(testapp, owner, inbox)
    testapp.patch_json(
        user_url,
        {"element": "shoji:entity", "body": {"resend_email": True, "url_base": URL_BASE}},
        headers=owner["headers"],
        status=204,
    )
    new = token_from(inbox.wait_for(2)[1])
    assert new != old
    assert_invalid_link(set_password(testapp, old, status=400))
    set_password(testapp, new)


def test_resend_email_in_the_account_users_catalog_kills_the_old_token(testapp, owner, inbox):
    user_url, old = invite(testapp, owner, inbox)
    testapp.patch_json(
        "/api/account/users/",
        {
            "element": "shoji:catalog",
            "index": {user_url: {"resend_email": True}},
            "url_base": URL_BASE,
        },
        headers=owner["headers"],
        status=204,
    )
    new = token_from(inbox.wait_for(2)[1])
    assert_invalid_link(set_password(testapp, old, status=400))
    set_password(testapp, new)


def test_reinvite_gives_a_fresh_24_hours(testapp, owner, inbox, clock, factory):
    user_url, _ = invite(testapp, owner, inbox)
    clock.advance(hours=23)
    headers = factory.login(owner["id"])  # the owner's session idled out
    testapp.post_json(user_url + "invite/", {"url_base": URL_BASE}, headers=headers, status=204)
    new = token_from(inbox.wait_for(2)[1])
    clock.advance(hours=24)
    set_password(testapp, new)


def test_resend_email_to_an_active_user_is_400_and_sends_nothing(testapp, owner, inbox, factory):
    user_id = factory.user(owner["account"])
    res = testapp.patch_json(
        factory.user_url(user_id), {"resend_email": True}, headers=owner["headers"], status=400
    )
    assert res.json["errors"][0]["name"] == "resend_email"
    assert inbox.messages == []


def test_removing_a_pending_user_kills_their_token(testapp, owner, inbox):
    user_url, token = invite(testapp, owner, inbox)
    testapp.delete(user_url, headers=owner["headers"], status=200)
    assert_invalid_link(set_password(testapp, token, status=400))


def test_the_token_of_a_user_locked_meanwhile_does_not_work(testapp, owner, inbox, factory):
    account_id = owner["account"]
    user_id = factory.user(account_id)
    email = factory.email_of(user_id)
    testapp.post_json(
        "/api/public/password_reset/", {"email": email, "url_base": URL_BASE}, status=204
    )
    token = token_from(inbox.wait_for(1)[0])
    testapp.patch_json(
        factory.user_url(user_id), {"status": "locked"}, headers=owner["headers"], status=204
    )
    assert_invalid_link(set_password(testapp, token, status=400))
    assert factory.read(lambda root: root.users[user_id].status) == "locked"


# -- password reset -------------------------------------------------------------------


def test_password_reset_for_an_unknown_email_is_204_and_mails_nobody(testapp, inbox):
    testapp.post_json(
        "/api/public/password_reset/",
        {"email": "nobody@example.com", "url_base": URL_BASE},
        status=204,
    )
    assert inbox.messages == []


@pytest.mark.parametrize("status", ["pending", "locked", "inactive"])
def test_password_reset_mails_only_active_users(testapp, factory, inbox, status):
    account_id, _ = factory.account()
    email = factory.email_of(factory.user(account_id, status=status))
    res = testapp.post_json(
        "/api/public/password_reset/", {"email": email, "url_base": URL_BASE}, status=204
    )
    assert res.body == b""
    assert inbox.messages == []


def test_password_reset_of_a_removed_user_mails_nobody(testapp, owner, factory, inbox):
    user_id = factory.user(owner["account"])
    email = factory.email_of(user_id)
    testapp.delete(factory.user_url(user_id), headers=owner["headers"], status=200)
    testapp.post_json("/api/public/password_reset/", {"email": email}, status=204)
    assert inbox.messages == []


def test_password_reset_mails_a_link_that_sets_the_password(testapp, factory, inbox):
    account_id, _ = factory.account()
    user_id = factory.user(account_id)
    email = factory.email_of(user_id)
    old_session = factory.login(user_id)
    testapp.post_json(
        "/api/public/password_reset/", {"email": email.upper(), "url_base": URL_BASE}, status=204
    )
    mail = inbox.wait_for(1)[0]
    assert mail["To"] == email
    set_password(testapp, token_from(mail))
    assert can_log_in(testapp, email)
    assert not can_log_in(testapp, email, PASSWORD)
    # setting a password by mail ends the sessions opened with the old one
    testapp.get("/api/", headers=old_session, status=401)


def test_password_reset_answers_are_identical_for_known_and_unknown(testapp, factory):
    account_id, _ = factory.account()
    email = factory.email_of(factory.user(account_id))
    known = testapp.post_json("/api/public/password_reset/", {"email": email}, status=204)
    unknown = testapp.post_json(
        "/api/public/password_reset/", {"email": "no@example.com"}, status=204
    )
    assert known.body == unknown.body == b""
    assert "Set-Cookie" not in known.headers and "Set-Cookie" not in unknown.headers


def test_password_reset_with_a_bad_url_base_answers_alike_for_known_and_unknown(
    testapp, factory, inbox
):
    account_id, _ = factory.account()
    email = factory.email_of(factory.user(account_id))
    bad = "https://app.example.com/reset/"
    known = testapp.post_json(
        "/api/public/password_reset/", {"email": email, "url_base": bad}, status=(204, 400)
    )
    unknown = testapp.post_json(
        "/api/public/password_reset/",
        {"email": "nobody@example.com", "url_base": bad},
        status=(204, 400),
    )
    assert (known.status_int, known.body) == (unknown.status_int, unknown.body)


def test_a_new_reset_kills_the_previous_reset_token(testapp, factory, inbox):
    account_id, _ = factory.account()
    email = factory.email_of(factory.user(account_id))
    for _ in range(2):
        testapp.post_json(
            "/api/public/password_reset/", {"email": email, "url_base": URL_BASE}, status=204
        )
    first, second = (token_from(m) for m in inbox.wait_for(2))
    assert_invalid_link(set_password(testapp, first, status=400))
    set_password(testapp, second)


# -- a refused password does not burn the token ------------------------------------------


@pytest.mark.parametrize("bad_password", ["short", "aaaaaaaaaaaa", 12345678, None])
def test_policy_violation_is_400_and_keeps_the_token(testapp, owner, inbox, bad_password):
    user_url, token = invite(testapp, owner, inbox)
    res = set_password(testapp, token, password=bad_password, status=400)
    assert res.json["errors"][0]["name"] == "password"
    assert res.json["message"] != INVALID
    body = testapp.get(user_url, headers=owner["headers"], status=200).json["body"]
    assert body["status"] == "pending"
    set_password(testapp, token)  # the token is still good
    assert can_log_in(testapp, "invitee@example.com")
