"""Changing one's email address (reference §4.3 ``change_email``; security
category 7): ``POST /users/{id}/change_email/`` ``{"pw", "email"}`` mails a
24 h single-use link to the new address, used with ``POST
/api/public/change_email/`` ``{"token"}``; the old address works until then
and is told at the request and at the change.  The own-account edit (seed
001) is the same operation behind another door.
"""

import re

import pytest

from tests.factories import PASSWORD
from tests.functional.helpers import (
    NEW_PASSWORD,
    assert_error,
    assert_invalid_link,
    can_log_in,
    cookie_login,
    new_key,
    token_from,
    url_base,
)

CONFIRM = "/api/public/change_email/"
PAGE = "email/change"
NEW = "alice.new@example.com"
REQUESTED = "A change of your email address was requested"
CHANGED = "Your email address was changed"
TAKEN = "Someone tried to use your email address"
LINK = "Confirm your new email address"


def ask(testapp, scene, who, email=NEW, status=204, target=None, **body):
    """As ``who``, ask to change the address of ``target`` (``who`` by default)."""
    body = {"pw": PASSWORD, "email": email, "url_base": url_base(PAGE), **body}
    url = scene.url(target or who) + "change_email/"
    return testapp.post_json(url, body, headers=scene.headers(who), status=status)


def confirm(testapp, token, status=204):
    return testapp.post_json(CONFIRM, {"token": token}, status=status)


def mails(inbox, address, subject):
    return [m for m in inbox.to(address) if m["Subject"] == subject]


def link_to(inbox, address, default_page=False):
    """The token of the last change link mailed to ``address`` (to the
    default page on ``public_url`` rather than the test web app's)."""
    found = mails(inbox, address, LINK)
    assert found, [m["Subject"] for m in inbox.messages]
    if default_page:
        match = re.search(r"http://localhost/email/change/([\w-]+)/", body_of(found[-1]))
        return match.group(1)
    return token_from(found[-1], PAGE)


def body_of(message) -> str:
    return message.text


# -- the request: the link goes to the new address, the old one stays --------------


def test_a_request_mails_the_link_to_the_new_address_and_changes_nothing(testapp, acme, inbox):
    old = acme.email("alice")
    res = ask(testapp, acme, "alice")
    assert res.body == b""
    assert len(mails(inbox, NEW, LINK)) == 1
    assert acme.email("alice") == old
    assert can_log_in(testapp, old, PASSWORD)
    assert not can_log_in(testapp, NEW, PASSWORD)


def test_the_old_address_is_told_of_the_request_and_of_the_change(testapp, acme, inbox):
    old = acme.email("alice")
    ask(testapp, acme, "alice")
    (requested,) = mails(inbox, old, REQUESTED)
    assert NEW in body_of(requested) and "change your password" in body_of(requested)
    assert mails(inbox, old, CHANGED) == []
    confirm(testapp, link_to(inbox, NEW))
    (changed,) = mails(inbox, old, CHANGED)
    assert NEW in body_of(changed)
    assert inbox.to(NEW) and all(m["Subject"] == LINK for m in inbox.to(NEW))


def test_confirming_swaps_the_address_verifies_it_and_frees_the_old_one(testapp, acme, inbox):
    old = acme.email("alice")
    ask(testapp, acme, "alice", email="Alice.New@Example.com")
    confirm(testapp, link_to(inbox, "Alice.New@Example.com"))
    body = testapp.get(acme.url("alice"), headers=acme.headers("alice")).json["body"]
    assert (body["email"], body["email_verified"]) == ("Alice.New@Example.com", True)
    assert can_log_in(testapp, NEW, PASSWORD)  # logins are case-insensitive
    assert not can_log_in(testapp, old, PASSWORD)
    users = testapp.get("/api/users/", params={"email": NEW}, headers=acme.headers("owner"))
    assert list(users.json["index"]) == [acme.url("alice")]
    testapp.post_json(  # the old address is free for somebody else
        "/api/account/users/", {"email": old}, headers=acme.headers("owner"), status=201
    )


def test_sessions_and_api_keys_survive_the_change(testapp, acme, inbox):
    key = testapp.post_json(
        "/api/apikeys/", new_key("script"), headers=acme.headers("alice"), status=201
    ).json["body"]["key"]
    ask(testapp, acme, "alice")
    confirm(testapp, link_to(inbox, NEW))
    testapp.get("/api/", headers=acme.headers("alice"), status=200)
    testapp.get("/api/", headers={"Authorization": f"Bearer {key}"}, status=200)


# -- the link: once, 24 h, the latest only, dies with a password change ------------


def test_the_link_works_once(testapp, acme, inbox):
    ask(testapp, acme, "alice")
    token = link_to(inbox, NEW)
    confirm(testapp, token)
    assert_invalid_link(confirm(testapp, token, status=400))


def test_the_link_works_at_exactly_24_hours(testapp, acme, inbox, clock):
    ask(testapp, acme, "alice")
    clock.advance(hours=24)
    confirm(testapp, link_to(inbox, NEW))
    assert acme.email("alice") == NEW


def test_the_link_fails_one_second_after_24_hours(testapp, acme, inbox, clock):
    old = acme.email("alice")
    ask(testapp, acme, "alice")
    clock.advance(hours=24, seconds=1)
    assert_invalid_link(confirm(testapp, link_to(inbox, NEW), status=400))
    assert acme.email("alice") == old
    assert mails(inbox, old, CHANGED) == []


@pytest.mark.parametrize("token", ["", "x", "not-a-token-at-all" * 3, "a" * 43])
def test_unknown_tokens_get_the_one_message(testapp, token):
    assert_invalid_link(confirm(testapp, token, status=400))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"token": 5}, "token"),
        ({"token": None}, "token"),
        ({"token": "a" * 5000}, "token"),
        ({"token": "abc\r\n"}, "token"),
        ({}, "token"),
        ({"token": "x", "email": "mallory@example.com"}, "email"),
    ],
)
def test_confirmation_bodies_are_checked(testapp, body, field):
    assert_error(testapp.post_json(CONFIRM, body, status=400), 400, field)


def test_the_confirmation_body_must_be_json(testapp, acme, inbox):
    ask(testapp, acme, "alice")
    form = f"token={link_to(inbox, NEW)}"
    res = testapp.post(CONFIRM, form, content_type="application/x-www-form-urlencoded", status=415)
    assert_error(res, 415)
    assert acme.email("alice") != NEW


def test_a_new_request_kills_the_previous_link(testapp, acme, inbox):
    ask(testapp, acme, "alice")
    first = link_to(inbox, NEW)
    ask(testapp, acme, "alice", email="alice.other@example.com")
    assert_invalid_link(confirm(testapp, first, status=400))
    confirm(testapp, link_to(inbox, "alice.other@example.com"))
    assert acme.email("alice") == "alice.other@example.com"


def test_a_password_change_cancels_a_pending_change(testapp, acme, inbox):
    ask(testapp, acme, "alice")
    testapp.post_json(
        acme.url("alice") + "password/",
        {"old_pw": PASSWORD, "new_pw": NEW_PASSWORD},
        headers=acme.headers("alice"),
    )
    assert_invalid_link(confirm(testapp, link_to(inbox, NEW), status=400))


def test_a_forced_password_reset_cancels_a_pending_change(testapp, acme, inbox):
    ask(testapp, acme, "alice")
    url = acme.url("alice") + "force_password_reset/"
    testapp.post_json(url, {}, headers=acme.headers("owner"), status=204)
    assert_invalid_link(confirm(testapp, link_to(inbox, NEW), status=400))


@pytest.mark.parametrize("status", ["locked", "inactive"])
def test_the_link_of_a_user_no_longer_active_is_dead(testapp, acme, inbox, status):
    ask(testapp, acme, "alice")
    testapp.patch_json(acme.url("alice"), {"status": status}, headers=acme.headers("owner"))
    assert_invalid_link(confirm(testapp, link_to(inbox, NEW), status=400))


def test_the_link_of_a_removed_user_is_dead_and_the_address_unclaimed(testapp, acme, inbox):
    ask(testapp, acme, "alice")
    testapp.delete(acme.url("alice"), headers=acme.headers("owner"), status=200)
    assert_invalid_link(confirm(testapp, link_to(inbox, NEW), status=400))
    testapp.post_json("/api/account/users/", {"email": NEW}, headers=acme.headers("owner"))


# -- refusals ------------------------------------------------------------------------


def test_a_wrong_password_is_400_and_nothing_is_mailed(testapp, acme, inbox):
    res = ask(testapp, acme, "alice", pw="not my password", status=400)
    assert_error(res, 400, "pw")
    assert inbox.messages == []


@pytest.mark.parametrize(("who", "status"), [("bob", 403), ("owner", 403), ("admin", 403)])
def test_only_the_user_may_ask(testapp, acme, inbox, who, status):
    res = ask(testapp, acme, who, target="alice", status=status)
    assert_error(res, status)
    assert "Only the user" in res.json["message"]
    assert inbox.messages == []


def test_a_cookie_request_from_a_foreign_origin_is_refused(testapp, acme, inbox):
    cookie_login(testapp, acme.email("alice"), status=204)
    body = {"pw": PASSWORD, "email": NEW}
    url = acme.url("alice") + "change_email/"
    res = testapp.post_json(url, body, headers={"Origin": "https://evil.example"}, status=403)
    assert_error(res, 403)
    assert inbox.messages == []
    testapp.post_json(url, body, status=204)  # the same request from the site itself


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("anonymous", 401)])
def test_callers_who_cannot_see_the_user_get_the_usual_refusal(testapp, acme, inbox, who, status):
    ask(testapp, acme, who, target="alice", status=status)
    assert inbox.messages == []


def test_the_current_address_is_400(testapp, acme, inbox):
    res = ask(testapp, acme, "alice", email=acme.email("alice").upper(), status=400)
    assert_error(res, 400, "email")
    assert inbox.messages == []


def test_an_oauth_user_is_409(testapp, acme, factory, inbox):
    acme.headers("alice")  # signed in before becoming an oauth user (who has no password)

    def make_oauth(root):
        user = root.users[acme.alice]
        user.id_method, user.id_provider = "oauth", "google"

    factory.write(make_oauth)
    res = ask(testapp, acme, "alice", status=409)
    assert (
        res.json["message"]
        == "This user signs in with google and keeps the email the provider vouches for."
    )
    assert inbox.messages == []


@pytest.mark.parametrize(
    "email",
    [
        "mallory@example.com\r\nBcc: victim@example.com",
        "mallory@example.com\nBcc: victim@example.com",
        "mallory@example.com\r",
        "mallory@example.com, victim@example.com",
        "victim,mallory@example.com",
        "Mallory <mallory@example.com>",
        "mallory@example.com;victim@example.com",
        '"mallory"@example.com',
        "mallory(x)@example.com",
        "mallory @example.com",
        "mallory@example.com\x00",
        "mallory@localhost",
        "a" * 250 + "@example.com",
    ],
)
def test_header_injection_and_other_non_addresses_are_400(testapp, acme, inbox, email):
    res = ask(testapp, acme, "alice", email=email, status=400)
    assert_error(res, 400, "email")
    assert inbox.messages == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"pw": 1}, "pw"),
        ({"email": 7}, "email"),
        ({"email": None}, "email"),
        ({"pw": "x" * 5000}, "pw"),
        ({"url_base": ["x"]}, "url_base"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bodies_are_checked(testapp, acme, inbox, body, field):
    assert_error(ask(testapp, acme, "alice", status=400, **body), 400, field)
    assert inbox.messages == []


def test_missing_members_are_400(testapp, acme):
    url = acme.url("alice") + "change_email/"
    for body in ({"pw": PASSWORD}, {"email": NEW}, {}):
        res = testapp.post_json(url, body, headers=acme.headers("alice"), status=400)
        assert_error(res, 400)


@pytest.mark.parametrize(
    "base",
    [
        "https://evil.example.net/email/change/${token}/",
        "//evil.example.net/${token}",
        "javascript:alert(1)//${token}",
        "https://app.example.com/no-token/",
    ],
)
def test_a_foreign_or_tokenless_url_base_is_400_naming_it(testapp, acme, inbox, base):
    res = ask(testapp, acme, "alice", url_base=base, status=400)
    assert_error(res, 400, "url_base")
    assert inbox.messages == []


def test_without_url_base_the_link_points_at_the_public_url(testapp, acme, inbox):
    testapp.post_json(
        acme.url("alice") + "change_email/",
        {"pw": PASSWORD, "email": NEW},
        headers=acme.headers("alice"),
    )
    confirm(testapp, link_to(inbox, NEW, default_page=True))


# -- an address in use: the same answer, no change, nothing that says whose ---------


def test_an_address_in_use_answers_the_same_and_changes_nothing(testapp, acme, inbox):
    free = ask(testapp, acme, "alice")
    bob = acme.email("bob")
    taken = ask(testapp, acme, "alice", email=bob.upper())
    assert (taken.status, taken.headers.get("Content-Length"), taken.body) == (
        free.status,
        free.headers.get("Content-Length"),
        free.body,
    )
    assert acme.email("alice") != bob
    assert mails(inbox, bob.upper(), LINK) == [] and mails(inbox, bob, LINK) == []
    # the old address hears of both requests alike
    assert len(mails(inbox, acme.email("alice"), REQUESTED)) == 2


def test_the_owner_of_an_address_in_use_is_told_without_naming_anyone(testapp, acme, inbox):
    bob = acme.email("bob")
    ask(testapp, acme, "alice", email=bob)
    (notice,) = [m for m in inbox.messages if m["Subject"] == TAKEN]
    assert notice["To"] == bob
    text = body_of(notice)
    assert acme.email("alice") not in text and "alice" not in text.lower()


def test_an_address_taken_before_the_link_is_used_is_409_and_changes_nothing(testapp, acme, inbox):
    old = acme.email("alice")
    ask(testapp, acme, "alice")
    testapp.post_json("/api/account/users/", {"email": NEW}, headers=acme.headers("owner"))
    token = link_to(inbox, NEW)
    res = confirm(testapp, token, status=409)
    assert_error(res, 409)
    assert acme.email("alice") == old
    assert mails(inbox, old, CHANGED) == []


def test_two_users_asking_for_one_address_the_first_to_confirm_wins(testapp, acme, inbox):
    ask(testapp, acme, "alice")
    alices = link_to(inbox, NEW)
    ask(testapp, acme, "bob")
    bobs = link_to(inbox, NEW)
    confirm(testapp, bobs)
    confirm(testapp, alices, status=409)
    assert acme.email("bob") == NEW
    assert acme.email("alice") != NEW


# -- the mail budget of the new address ------------------------------------------------


def test_over_the_budget_nothing_goes_to_the_new_address_and_the_last_link_works(
    testapp, acme, inbox
):
    answers = [ask(testapp, acme, "alice").status_int for _ in range(6)]
    assert answers == [204] * 6
    assert len(mails(inbox, NEW, LINK)) == 5
    # the old address is always told: a spent budget must not hide a change
    assert len(mails(inbox, acme.email("alice"), REQUESTED)) == 6
    confirm(testapp, link_to(inbox, NEW))
    assert acme.email("alice") == NEW


def test_notices_to_an_address_in_use_spend_its_budget_too(testapp, acme, inbox, clock):
    bob = acme.email("bob")
    for _ in range(6):
        ask(testapp, acme, "alice", email=bob)
    assert len(mails(inbox, bob, TAKEN)) == 5
    clock.advance(hours=1)
    ask(testapp, acme, "alice", email=bob)
    assert len(mails(inbox, bob, TAKEN)) == 6


# -- the own-account edit (seed 001) ------------------------------------------------


def edit_own(testapp, scene, who, body, status=204):
    return testapp.patch_json(scene.url(who), body, headers=scene.headers(who), status=status)


def test_the_own_account_edit_asks_for_the_change_instead_of_making_it(testapp, acme, inbox):
    old = acme.email("alice")
    edit_own(testapp, acme, "alice", {"email": NEW, "old_password": PASSWORD})
    assert acme.email("alice") == old
    assert len(mails(inbox, old, REQUESTED)) == 1
    confirm(testapp, link_to(inbox, NEW, default_page=True))
    assert acme.email("alice") == NEW


def test_the_own_account_edit_changes_password_and_asks_for_the_email_at_once(
    testapp, acme, inbox
):
    edit_own(
        testapp,
        acme,
        "alice",
        {"email": NEW, "password": NEW_PASSWORD, "old_password": PASSWORD, "first_name": "Al"},
    )
    assert can_log_in(testapp, acme.email("alice"), NEW_PASSWORD)
    confirm(testapp, link_to(inbox, NEW, default_page=True))  # not killed by the new password
    body = testapp.get(acme.url("alice"), headers=acme.headers("alice")).json["body"]
    assert (body["email"], body["first_name"]) == (NEW, "Al")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": NEW}, "old_password"),
        ({"email": NEW, "old_password": "wrong"}, "old_password"),
        ({"email": "x@y\r\nBcc: z@example.com", "old_password": PASSWORD}, "email"),
        ({"email": 5, "old_password": PASSWORD}, "email"),
    ],
)
def test_the_own_account_edit_refuses_like_the_endpoint(testapp, acme, inbox, body, field):
    res = edit_own(testapp, acme, "alice", {**body, "first_name": "Changed"}, status=400)
    assert_error(res, 400, field)
    assert inbox.messages == []
    me = testapp.get(acme.url("alice"), headers=acme.headers("alice")).json["body"]
    assert me["first_name"] != "Changed"  # a failed request changes nothing


def test_sending_back_the_current_address_is_no_change(testapp, acme, inbox):
    me = testapp.get(acme.url("alice"), headers=acme.headers("alice")).json["body"]
    edit_own(testapp, acme, "alice", {"email": me["email"], "first_name": "Al"})
    testapp.put_json(acme.url("alice"), me, headers=acme.headers("alice"), status=204)
    assert inbox.messages == []


# -- links on the entity -----------------------------------------------------------


def test_the_user_entity_links_change_email_for_the_user_only(testapp, acme):
    own = testapp.get(acme.url("alice"), headers=acme.headers("alice")).json["fragments"]
    assert own["change_email"] == acme.url("alice") + "change_email/"
    for who in ("owner", "bob"):
        seen = testapp.get(acme.url("alice"), headers=acme.headers(who)).json
        assert "change_email" not in seen.get("fragments", {})


def test_the_public_catalog_and_401_advertise_the_confirmation(testapp):
    views = testapp.get("/api/public/").json["views"]
    assert views["change_email"] == "http://localhost" + CONFIRM
    urls = testapp.get("/api/", status=401).json["urls"]
    assert urls["email_change_url"] == "http://localhost" + CONFIRM
    assert testapp.get(CONFIRM, status=405).json["message"]
