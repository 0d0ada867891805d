"""Forgot password (seeds 000, 001, 004): the public form and the per-user
``password_reset/`` resource, the 24 h single-use link, the rules on the
password it sets, and the per-address mail budget.

(That the public form does the same work for every address is counted in
``tests/functional/test_mail_outbox.py``; invitation-link edges are in
``test_link_tokens.py``.)
"""

import threading

import pytest
from webtest import TestApp

from crunchusers import main
from crunchusers.infra.clock import FrozenClock
from crunchusers.infra.mail import start_delivery, stop_delivery
from crunchusers.infra.storage import get_db
from tests.conftest import delivering
from tests.factories import PASSWORD, Factory
from tests.functional.helpers import (
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
from tests.functional.security.test_credentials import GatheringClock


def reset_link(testapp, inbox, email):
    """Ask for a reset of ``email`` and return the token it mailed."""
    before = len(inbox.messages)
    request_reset(testapp, email)
    mail = inbox.wait_for(before + 1)[before]
    assert mail["To"] == email
    return token_from(mail)


def user_reset(testapp, scene, who, target, method="post", status=204, **body):
    url = scene.url(target) + "password_reset/"
    headers = scene.headers(who)
    if method == "get":
        return testapp.get(url, headers=headers, status=status)
    return testapp.post_json(url, {"url_base": URL_BASE, **body}, headers=headers, status=status)


# -- the link: 24 h, once, a new password ------------------------------------------------


def test_the_link_works_at_exactly_24_hours(testapp, acme, inbox, clock):
    token = reset_link(testapp, inbox, acme.email("alice"))
    clock.advance(hours=24)
    set_password(testapp, token)
    assert can_log_in(testapp, acme.email("alice"))


def test_the_link_fails_one_second_after_24_hours(testapp, acme, inbox, clock):
    token = reset_link(testapp, inbox, acme.email("alice"))
    clock.advance(hours=24, seconds=1)
    assert_invalid_link(set_password(testapp, token, status=400))
    assert can_log_in(testapp, acme.email("alice"), PASSWORD)


def test_the_link_works_once(testapp, acme, inbox):
    token = reset_link(testapp, inbox, acme.email("alice"))
    set_password(testapp, token)
    assert_invalid_link(set_password(testapp, token, "yet another secret", status=400))
    assert can_log_in(testapp, acme.email("alice"))


def test_the_link_cannot_set_the_current_password_and_survives_the_refusal(testapp, acme, inbox):
    token = reset_link(testapp, inbox, acme.email("alice"))
    res = set_password(testapp, token, PASSWORD, status=400)
    assert_error(res, 400, "password")
    assert "(password rule: history)" in res.json["message"]
    set_password(testapp, token)  # still good


def test_using_the_link_ends_every_session_and_api_key_and_mails_the_user(testapp, acme, inbox):
    headers = acme.headers("alice")
    key = testapp.post_json("/api/apikeys/", new_key(), headers=headers, status=201)
    key_headers = {"Authorization": f"Bearer {key.json['body']['key']}"}
    set_password(testapp, reset_link(testapp, inbox, acme.email("alice")))
    testapp.get("/api/", headers=headers, status=401)
    testapp.get("/api/", headers=key_headers, status=401)
    subjects = [m["Subject"] for m in inbox.to(acme.email("alice"))]
    assert subjects == [
        "An API token was created",
        "Reset your password",
        "Your password was changed",
    ]


@pytest.mark.parametrize("door", ["password endpoint", "own-account edit"])
def test_any_password_change_kills_every_outstanding_reset_link(testapp, acme, inbox, door):
    token = reset_link(testapp, inbox, acme.email("alice"))
    headers = acme.headers("alice")
    if door == "password endpoint":
        body = {"old_pw": PASSWORD, "new_pw": NEW_PASSWORD}
        testapp.post_json(acme.url("alice") + "password/", body, headers=headers, status=204)
    else:
        body = {"password": NEW_PASSWORD, "old_password": PASSWORD}
        testapp.patch_json(acme.url("alice"), body, headers=headers, status=204)
    assert_invalid_link(set_password(testapp, token, "yet another secret", status=400))


def test_a_used_reset_link_kills_a_pending_invitation_link_too(testapp, acme, factory, inbox):
    """Both set a password; once one did, the other must not."""
    user_url = testapp.post_json(
        "/api/account/users/",
        {"email": "zoe@example.com", "url_base": URL_BASE},
        headers=acme.headers("owner"),
        status=201,
    ).location
    invitation = token_from(inbox.wait_for(1)[0])
    set_password(testapp, invitation)
    reset = reset_link(testapp, inbox, "zoe@example.com")
    set_password(testapp, reset, "third secret phrase")
    assert_invalid_link(set_password(testapp, invitation, status=400))
    assert testapp.get(user_url, headers=acme.headers("owner")).json["body"]["status"] == "active"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"password": NEW_PASSWORD}, "token"),
        ({"token": "x" * 5000, "password": NEW_PASSWORD}, "token"),
        ({"token": "abc\ndef", "password": NEW_PASSWORD}, "token"),
        ({"token": 7, "password": NEW_PASSWORD}, "token"),
        ({"token": "live", "password": "x" * 5000}, "password"),
        ({"token": "live", "password": NEW_PASSWORD, "email": "a@example.com"}, "email"),
    ],
)
def test_password_change_bodies_are_checked_and_keep_the_token(testapp, acme, inbox, body, field):
    token = reset_link(testapp, inbox, acme.email("alice"))
    body = {k: token if v == "live" else v for k, v in body.items()}
    res = testapp.post_json("/api/public/password_change/", body, status=400)
    assert_error(res, 400, field)
    set_password(testapp, token)


# -- /users/{id}/password_reset/ (seed 004) ------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "bob", "owner"])
def test_get_is_always_204_and_sends_nothing(testapp, acme, inbox, who):
    res = user_reset(testapp, acme, who, "alice", method="get")
    assert res.body == b""
    assert inbox.messages == []


@pytest.mark.parametrize("who", ["alice", "bob", "owner"])
def test_post_mails_the_link_to_the_user_never_to_the_caller(testapp, acme, inbox, who):
    res = user_reset(testapp, acme, who, "alice")
    assert res.body == user_reset(testapp, acme, who, "alice", method="get").body == b""
    [mail] = inbox.wait_for(1)
    assert mail["To"] == acme.email("alice")
    set_password(testapp, token_from(mail))
    assert can_log_in(testapp, acme.email("alice"))


@pytest.mark.parametrize("status", ["pending", "locked", "inactive"])
def test_post_for_a_user_who_cannot_reset_is_the_same_204_with_no_mail(
    testapp, acme, inbox, status
):
    acme.add("frozen", status=status)
    res = user_reset(testapp, acme, "owner", "frozen")
    assert res.body == b""
    assert inbox.messages == []


@pytest.mark.parametrize("who,status", [("outsider", 404), ("anonymous", 401)])
def test_callers_who_cannot_see_the_user_get_the_usual_refusal(testapp, acme, inbox, who, status):
    user_reset(testapp, acme, who, "alice", status=status)
    user_reset(testapp, acme, who, "alice", method="get", status=status)
    assert inbox.messages == []


@pytest.mark.parametrize(
    "body,field",
    [
        ({"url_base": "https://evil.example.net/${token}"}, "url_base"),
        ({"url_base": 7}, "url_base"),
        ({"email": "other@example.com"}, "email"),
    ],
)
def test_post_bodies_are_checked(testapp, acme, inbox, body, field):
    url = acme.url("alice") + "password_reset/"
    res = testapp.post_json(url, body, headers=acme.headers("alice"), status=400)
    assert_error(res, 400, field)
    assert inbox.messages == []


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "email"),
        ({"email": 42}, "email"),
        ({"email": "not an address"}, "email"),
        ({"email": "a@example.com\r\nBcc: x@evil.test"}, "email"),
        ({"email": "a@example.com", "url_base": "javascript:alert(1)//${token}"}, "url_base"),
        ({"email": "a@example.com", "other": 1}, "other"),
    ],
)
def test_public_form_bodies_are_checked(testapp, inbox, body, field):
    res = testapp.post_json("/api/public/password_reset/", body, status=400)
    assert_error(res, 400, field)
    assert inbox.messages == []


# -- the per-address mail budget --------------------------------------------------------


def test_over_the_budget_the_answer_is_the_same_and_nothing_is_sent(testapp, acme, inbox):
    alice, bob = acme.email("alice"), acme.email("bob")
    answers = {request_reset(testapp, alice).body for _ in range(7)}
    assert answers == {b""}
    assert len(inbox.to(alice)) == 5
    request_reset(testapp, bob)
    assert len(inbox.to(bob)) == 1  # each address has its own budget


def test_the_budget_renews_at_the_hour_boundary(testapp, acme, inbox, clock):
    alice = acme.email("alice")
    for _ in range(5):
        request_reset(testapp, alice)
    clock.advance(minutes=59, seconds=59)  # still the same clock hour
    request_reset(testapp, alice)
    assert len(inbox.to(alice)) == 5
    clock.advance(seconds=1)  # the next hour
    request_reset(testapp, alice)
    assert len(inbox.wait_for(6)) == 6


def test_the_budget_counts_the_address_whatever_its_case(testapp, acme, inbox):
    alice = acme.email("alice")
    for n in range(6):
        request_reset(testapp, alice.upper() if n % 2 else alice)
    assert len(inbox.to(alice)) == 5


def test_invitations_share_the_budget_and_an_unsent_one_keeps_the_old_link(testapp, acme, inbox):
    owner = acme.headers("owner")
    user_url = testapp.post_json(
        "/api/account/users/",
        {"email": "zoe@example.com", "url_base": URL_BASE},
        headers=owner,
        status=201,
    ).location
    for _ in range(4):
        testapp.post_json(user_url + "invite/", {"url_base": URL_BASE}, headers=owner, status=204)
    assert len(inbox.to("zoe@example.com")) == 5
    last = token_from(inbox.to("zoe@example.com")[-1])
    testapp.post_json(user_url + "invite/", {"url_base": URL_BASE}, headers=owner, status=204)
    assert len(inbox.to("zoe@example.com")) == 5
    set_password(testapp, last)  # the unsent invitation did not replace it


def test_the_budget_is_a_setting(settings, clock, inbox):
    app = main({}, **{**settings, "crunchusers.mail_budget_per_hour": "2"})
    app.registry.crunchusers_clock = clock
    testapp = TestApp(delivering(app))
    factory = Factory(app, testapp)
    account_id, _ = factory.account()
    email = factory.email_of(factory.user(account_id))
    for _ in range(3):
        request_reset(testapp, email)
    assert len(inbox.to(email)) == 2


def test_the_budget_holds_under_concurrent_requests(settings, tmp_path, inbox):
    """Ten requests for one address meet at the clock (each holds its view of
    the database): every answer is 204, none conflicts (the budget is spent
    by the delivery worker, not in the request), and exactly five mails go."""
    app = main({}, **{**settings, "zodbconn.uri": f"file://{tmp_path / 'Data.fs'}"})
    stop_delivery(app.registry)  # count the queued jobs, not the mail
    factory = Factory(app, TestApp(app))
    account_id, _ = factory.account()
    email = factory.email_of(factory.user(account_id))
    threads = 10
    statuses = []

    def reset():
        res = TestApp(app).post_json(
            "/api/public/password_reset/", {"email": email}, status="*", expect_errors=True
        )
        statuses.append(res.status_int)

    workers = [threading.Thread(target=reset) for _ in range(threads)]
    app.registry.crunchusers_clock = GatheringClock(workers)
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    app.registry.crunchusers_clock = FrozenClock()
    assert statuses == [204] * threads
    start_delivery(app.registry)
    try:
        assert app.registry.crunchusers_delivery.wait_until_sent()
        assert [m["To"] for m in inbox.messages] == [email] * 5
    finally:
        stop_delivery(app.registry)
        get_db(app.registry).close()
