"""Email verification (seed 003; security category 7): a user made with a
password gets a link (``POST /api/public/verify_email/`` ``{"token"}``) and,
until it is used, may only use their own entity, verification, the email
and password changes, the API root and logout — everything else is a 403
saying why.  Links that set a password verify too; users of databases from
before the rule are not gated.
"""

import pytest

from tests.factories import PASSWORD
from tests.functional.helpers import (
    NEW_PASSWORD,
    assert_error,
    assert_invalid_link,
    request_reset,
    set_password,
    token_from,
    url_base,
)

VERIFY = "/api/public/verify_email/"
PAGE = "email/verify"
NINA = "nina@example.com"
SUBJECT = "Verify your email address"
GATED = "Verify your email address first"


@pytest.fixture
def nina(testapp, acme, inbox):
    """Nina, made by the owner with a password (and mailed a link): unverified."""
    body = {"email": NINA, "password": NEW_PASSWORD, "url_base": url_base(PAGE)}
    res = testapp.post_json("/api/account/users/", body, headers=acme.headers("owner"))
    acme.adopt("nina", res.location, NEW_PASSWORD)
    return acme


def verify(testapp, token, status=204):
    return testapp.post_json(VERIFY, {"token": token}, status=status)


def links(inbox, address=NINA):
    return [token_from(m, PAGE) for m in inbox.to(address) if m["Subject"] == SUBJECT]


def resend(testapp, scene, who="nina", target="nina", status=204, **body):
    url = scene.url(target) + "verify_email/"
    body = {"url_base": url_base(PAGE), **body}
    return testapp.post_json(url, body, headers=scene.headers(who), status=status)


def gated(testapp, headers) -> bool:
    res = testapp.get("/api/users/", headers=headers, status=(200, 403))
    return res.status_int == 403 and GATED in res.json["message"]


# -- who must verify ---------------------------------------------------------------


def test_a_user_made_with_a_password_is_mailed_a_link_and_no_invitation(testapp, nina, inbox):
    assert [m["Subject"] for m in inbox.to(NINA)] == [SUBJECT]
    assert len(links(inbox)) == 1
    me = testapp.get(nina.url("nina"), headers=nina.headers("nina")).json
    assert me["body"]["email_verified"] is False
    assert me["fragments"]["verify_email"] == nina.url("nina") + "verify_email/"
    assert "account_url" not in me.get("urls", {})  # links only what works
    assert gated(testapp, nina.headers("nina"))


def test_send_invite_false_still_sends_the_verification_link(testapp, acme, inbox):
    body = {"email": NINA, "password": NEW_PASSWORD, "send_invite": False}
    testapp.post_json("/api/account/users/", body, headers=acme.headers("owner"))
    assert [m["Subject"] for m in inbox.to(NINA)] == [SUBJECT]
    assert "http://localhost/email/verify/" in inbox.to(NINA)[0].text


def test_an_account_owner_made_with_a_password_must_verify_too(testapp, factory, acme, inbox):
    body = {"name": "Fresh", "owner": {"email": "fresh@example.com", "password": NEW_PASSWORD}}
    testapp.post_json("/api/accounts/", body, headers=acme.headers("superuser"), status=201)
    assert [m["Subject"] for m in inbox.to("fresh@example.com")] == [SUBJECT]
    assert gated(testapp, factory.login("fresh@example.com", NEW_PASSWORD))


def test_an_invited_user_is_verified_by_the_invitation_link(testapp, acme, factory, inbox):
    body = {"email": "ivan@example.com", "url_base": url_base("password/change")}
    testapp.post_json("/api/account/users/", body, headers=acme.headers("owner"))
    set_password(testapp, token_from(inbox.to("ivan@example.com")[0]))
    assert not gated(testapp, factory.login("ivan@example.com", NEW_PASSWORD))


def test_users_from_before_the_rule_are_not_gated(testapp, acme, factory):
    """The upgrade rule: only users made with a password since this rule
    (``must_verify_email``) must verify; older ones keep working."""

    def as_before(root):
        user = root.users[acme.alice]
        del user.must_verify_email  # back to the class default
        user.email_verified = False

    factory.write(as_before)
    assert not gated(testapp, acme.headers("alice"))


# -- what an unverified user may and may not do --------------------------------------

ALLOWED = [
    ("get", "/api/", None, 200),
    ("get", "{me}", None, 200),
    ("patch", "{me}", {"first_name": "Nina"}, 204),
    ("post", "{me}verify_email/", {}, 204),
    ("post", "{me}change_email/", {"pw": NEW_PASSWORD, "email": "nina2@example.com"}, 204),
    ("post", "{me}password/", {"old_pw": NEW_PASSWORD, "new_pw": "another good secret"}, 204),
    ("get", "{me}password_reset/", None, 204),
    ("get", "/api/logout/", None, 204),
]


def call(testapp, scene, method, url, body, status):
    """As Nina, ``method`` on ``url`` (``{me}``, ``{alice}``: user URLs)."""
    url = url.format(me=scene.url("nina"), alice=scene.url("alice"))
    headers = scene.headers("nina")
    if body is None:
        return getattr(testapp, method)(url, headers=headers, status=status)
    return getattr(testapp, f"{method}_json")(url, body, headers=headers, status=status)


@pytest.mark.parametrize(("method", "url", "body", "status"), ALLOWED)
def test_an_unverified_user_may(testapp, nina, method, url, body, status):
    call(testapp, nina, method, url, body, status)


REFUSED = [
    ("get", "/api/users/", None),
    ("get", "{alice}", None),
    ("get", "/api/account/", None),
    ("get", "/api/account/users/", None),
    ("get", "/api/accounts/", None),
    ("get", "/api/datasets/", None),
    ("post", "/api/datasets/", {"name": "Survey"}),
    ("get", "/api/teams/", None),
    ("post", "/api/teams/", {"name": "Team"}),
    ("get", "/api/projects/", None),
    ("get", "/api/projects/personal/", None),
    ("get", "/api/apikeys/", None),
    ("post", "/api/apikeys/", {"name": "script"}),
    ("get", "/api/roles/", None),
    ("get", "/api/feature_flag/", None),
    ("get", "{alice}password_reset/", None),
    ("post", "{alice}change_email/", {"pw": NEW_PASSWORD, "email": "x@example.com"}),
]


@pytest.mark.parametrize(("method", "url", "body"), REFUSED)
def test_an_unverified_user_may_not(testapp, nina, inbox, method, url, body):
    res = call(testapp, nina, method, url, body, 403)
    assert_error(res, 403)
    assert GATED in res.json["message"]
    assert len(inbox.messages) == 1  # only the verification link of the creation


def test_a_dataset_shared_with_an_unverified_user_stays_closed(testapp, nina):
    dataset = nina.create_dataset("alice")
    nina.share(dataset, "alice", {"nina": {"view": True}})
    res = testapp.get(dataset, headers=nina.headers("nina"), status=403)
    assert GATED in res.json["message"]


def test_an_unverified_admin_has_no_admin_powers_or_links(testapp, acme, factory, inbox):
    body = {
        "email": NINA,
        "password": NEW_PASSWORD,
        "roles": ["administrator"],
        "url_base": url_base(PAGE),
    }
    url = testapp.post_json("/api/account/users/", body, headers=acme.headers("owner")).location
    headers = factory.login(NINA, NEW_PASSWORD)
    me = testapp.get(url, headers=headers).json
    assert set(me["fragments"]) == {
        "password",
        "password_reset",
        "change_email",
        "verify_email",
        "second_factor",
    }
    assert "catalogs" not in me or "visible_datasets" not in me["catalogs"]
    testapp.patch_json(acme.url("bob"), {"status": "locked"}, headers=headers, status=403)
    assert testapp.get(acme.url("bob"), headers=acme.headers("owner")).json["body"]["status"] == (
        "active"
    )
    verify(testapp, links(inbox)[0])
    testapp.patch_json(acme.url("bob"), {"status": "locked"}, headers=headers, status=204)


# -- the link ------------------------------------------------------------------------


def test_the_link_verifies_and_opens_everything(testapp, nina, inbox):
    res = verify(testapp, links(inbox)[0])
    assert res.body == b""
    assert not gated(testapp, nina.headers("nina"))
    me = testapp.get(nina.url("nina"), headers=nina.headers("nina")).json
    assert me["body"]["email_verified"] is True
    assert "verify_email" not in me["fragments"]


def test_the_link_works_once(testapp, nina, inbox):
    token = links(inbox)[0]
    verify(testapp, token)
    assert_invalid_link(verify(testapp, token, status=400))


def test_the_link_works_at_exactly_24_hours(testapp, nina, inbox, clock):
    clock.advance(hours=24)
    verify(testapp, links(inbox)[0])
    assert not gated(testapp, nina.headers("nina"))


def test_the_link_fails_one_second_after_24_hours(testapp, nina, inbox, clock):
    clock.advance(hours=24, seconds=1)
    assert_invalid_link(verify(testapp, links(inbox)[0], status=400))
    assert gated(testapp, nina.headers("nina"))


@pytest.mark.parametrize("token", ["", "nope", "b" * 43])
def test_unknown_tokens_get_the_one_message(testapp, token):
    assert_invalid_link(verify(testapp, token, status=400))


def test_other_links_do_not_verify(testapp, nina, inbox):
    """A token of another purpose (a password reset) is no verification link."""
    request_reset(testapp, NINA)
    reset = token_from(inbox.to(NINA)[-1])
    assert_invalid_link(verify(testapp, reset, status=400))
    assert gated(testapp, nina.headers("nina"))


@pytest.mark.parametrize(
    ("body", "field"),
    [({"token": 5}, "token"), ({}, "token"), ({"token": "x", "more": 1}, "more")],
)
def test_bodies_are_checked(testapp, body, field):
    assert_error(testapp.post_json(VERIFY, body, status=400), 400, field)


def test_a_reset_link_verifies_too(testapp, nina, inbox):
    request_reset(testapp, NINA)
    set_password(testapp, token_from(inbox.to(NINA)[-1]), "yet another good secret")
    assert not gated(testapp, nina.factory.login(NINA, "yet another good secret"))


def test_a_completed_email_change_verifies_and_kills_the_old_link(testapp, nina, inbox):
    old_link = links(inbox)[0]
    body = {"pw": NEW_PASSWORD, "email": "nina2@example.com", "url_base": url_base("email/change")}
    testapp.post_json(nina.url("nina") + "change_email/", body, headers=nina.headers("nina"))
    change = token_from(inbox.to("nina2@example.com")[-1], "email/change")
    testapp.post_json("/api/public/change_email/", {"token": change}, status=204)
    assert not gated(testapp, nina.headers("nina"))
    assert_invalid_link(verify(testapp, old_link, status=400))


# -- asking for a new link -------------------------------------------------------------


def test_a_new_link_kills_the_previous_one(testapp, nina, inbox):
    first = links(inbox)[0]
    resend(testapp, nina)
    second = links(inbox)[1]
    assert_invalid_link(verify(testapp, first, status=400))
    verify(testapp, second)


def test_new_links_spend_the_mail_budget(testapp, nina, inbox):
    answers = [resend(testapp, nina).status_int for _ in range(5)]
    assert answers == [204] * 5
    assert len(links(inbox)) == 5  # the creation's link and four more
    verify(testapp, links(inbox)[-1])  # the last one sent still works


def test_a_verified_user_asking_for_a_link_is_400(testapp, acme, inbox):
    res = resend(testapp, acme, "alice", "alice", status=400)
    assert_error(res, 400)
    assert inbox.messages == []


@pytest.mark.parametrize(
    ("who", "status"), [("alice", 403), ("owner", 403), ("outsider", 404), ("anonymous", 401)]
)
def test_only_the_user_asks_for_their_link(testapp, nina, inbox, who, status):
    res = resend(testapp, nina, who, "nina", status=status)
    assert_error(res, status)
    assert len(links(inbox)) == 1


def test_a_foreign_url_base_is_400_naming_it(testapp, nina, inbox):
    res = resend(testapp, nina, url_base="https://evil.example.net/${token}/", status=400)
    assert_error(res, 400, "url_base")
    assert len(links(inbox)) == 1


def test_the_public_catalog_and_401_advertise_verification(testapp):
    assert testapp.get("/api/public/").json["views"]["verify_email"] == "http://localhost" + VERIFY
    urls = testapp.get("/api/", status=401).json["urls"]
    assert urls["verify_email_url"] == "http://localhost" + VERIFY


def test_the_password_for_a_gated_user_is_checked_as_usual(testapp, nina):
    body = {"old_pw": PASSWORD, "new_pw": "another good secret"}  # not Nina's password
    url = nina.url("nina") + "password/"
    assert_error(testapp.post_json(url, body, headers=nina.headers("nina"), status=400), 400)
