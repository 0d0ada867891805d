"""The pages behind email verification and email change links: each shows
what it does, confirms with a form post (the same domain call as
``POST /api/public/verify_email/`` and ``/change_email/``) without signing
in, and a used or expired link gets a page that offers a new one
(``/browse/verify_email/``, ``/browse/change_email/``)."""

import re

import pytest

from tests.factories import PASSWORD
from tests.functional.helpers import NEW_PASSWORD, can_log_in

from .conftest import csrf_of, sign_in

VERIFY = re.compile(r"http://localhost(/email/verify/([A-Za-z0-9_-]+)/)")
CHANGE = re.compile(r"http://localhost(/email/change/([A-Za-z0-9_-]+)/)")
NEW = "bob.new@example.com"


def link_in(mail, link: re.Pattern) -> str:
    """The link's path; the text part carries it whole (no quoted-printable
    soft break) and the HTML part links to it."""
    url = link.search(mail.text).group()
    (text,) = [p for p in mail.walk() if p.get_content_type() == "text/plain"]
    assert text["Content-Transfer-Encoding"] in ("7bit", "8bit")
    assert url in text.get_payload()
    assert f'href="{url}"' in mail.html
    return link.search(url).group(1)


def new_user_link(testapp, scene, inbox) -> str:
    """The verification link mailed to a user an owner made with a password."""
    body = {"email": "vera@acme.test", "name": "Vera Verify", "password": NEW_PASSWORD}
    res = testapp.post_json("/api/account/users/", body, headers=scene.headers("owner"))
    scene.adopt("vera", res.location, NEW_PASSWORD)
    return link_in(inbox.wait_for(1)[-1], VERIFY)


def change_link(testapp, scene, inbox, email=NEW) -> str:
    body = {"pw": PASSWORD, "email": email}
    url = scene.url("bob") + "change_email/"
    testapp.post_json(url, body, headers=scene.headers("bob"), status=204)
    mail = [m for m in inbox.wait_for(2) if m["To"] == email][-1]
    return link_in(mail, CHANGE)


def verified(factory, scene, who) -> bool:
    return factory.read(lambda root: root.users[scene.id(who)].email_verified)


# -- verification -------------------------------------------------------------------


def test_the_verification_page_verifies_without_signing_in(web, testapp, scene, inbox, factory):
    path = new_user_link(testapp, scene, inbox)
    page = web.get(path, status=200)
    assert page.html.find(id="link-title").text == "Verify your email address"
    assert page.html.find(id="link-user").text == "Vera Verify"
    assert page.headers["Cache-Control"] == "no-store"
    assert not verified(factory, scene, "vera")  # looking uses nothing up
    done = page.forms["link-form"].submit(status=200)
    assert done.html.find(id="done").text == "Your email address is verified."
    assert "token" not in web.cookies
    assert verified(factory, scene, "vera")
    dead = web.get(path, status=410)
    assert dead.html.find(id="dead-link").text == "This link is no longer valid"
    assert dead.html.find(id="renew")["href"] == "/browse/verify_email/"


def test_the_verification_link_works_exactly_until_it_expires(web, testapp, scene, inbox, clock):
    path = new_user_link(testapp, scene, inbox)
    clock.advance(hours=24)
    page = web.get(path, status=200)
    clock.advance(seconds=1)
    assert web.get(path, status=410).html.find(id="renew")
    assert page.forms["link-form"].submit(status=410)


def test_a_locked_users_verification_link_is_dead(web, testapp, scene, inbox, factory):
    path = new_user_link(testapp, scene, inbox)

    def lock(root):
        root.users[scene.id("vera")].status = "locked"

    factory.write(lock)
    assert web.get(path, status=410)


def test_the_link_form_needs_the_pages_csrf_token(web, testapp, scene, inbox, factory):
    path = new_user_link(testapp, scene, inbox)
    fields = dict(web.get(path).forms["link-form"].submit_fields())
    assert web.post("/browse/link/", {**fields, "_csrf": "forged"}, status=403)
    assert not verified(factory, scene, "vera")
    assert web.post("/browse/link/", fields, status=200)


def test_a_new_verification_link_asked_for_on_its_page(web, testapp, scene, inbox):
    old = new_user_link(testapp, scene, inbox)
    res = web.get("/browse/verify_email/", status=303)
    assert res.location == "http://localhost/browse/login/?next=%2Fbrowse%2Fverify_email%2F"
    form = res.follow().forms["login-form"]
    form["email"], form["password"] = "vera@acme.test", NEW_PASSWORD
    page = form.submit(status=303).follow(status=200)
    sent = page.forms["verify-request-form"].submit(status=200)
    assert "vera@acme.test" in sent.html.find(id="sent").text
    fresh = link_in(inbox.wait_for(2)[-1], VERIFY)
    assert web.get(old, status=410) and web.get(fresh, status=200)


def test_a_verified_user_needs_no_new_link(web, scene):
    sign_in(web, scene.email("bob"))
    page = web.get("/browse/verify_email/", status=200)
    assert page.html.find(id="verified") and "verify-request-form" not in page.forms
    refused = web.post("/browse/verify_email/", {"_csrf": csrf_of(page)}, status=400)
    assert refused.html.find(id="message").text == "This email address is already verified."


# -- email change ------------------------------------------------------------------


def test_the_change_page_confirms_the_new_address(web, testapp, scene, inbox):
    old = scene.email("bob")
    path = change_link(testapp, scene, inbox)
    page = web.get(path, status=200)
    assert page.html.find(id="link-title").text == "Confirm your new email address"
    assert page.html.find(id="link-detail").text == f"New address: {NEW}"
    assert can_log_in(testapp, old, PASSWORD)  # looking changes nothing
    done = page.forms["link-form"].submit(status=200)
    assert "sign in with the new one" in done.html.find(id="done").text
    assert "token" not in web.cookies
    assert can_log_in(testapp, NEW, PASSWORD) and not can_log_in(testapp, old, PASSWORD)
    assert inbox.wait_for(3)[-1]["Subject"] == "Your email address was changed"
    dead = web.get(path, status=410)
    assert dead.html.find(id="renew")["href"] == "/browse/change_email/"


def test_an_address_taken_meanwhile_keeps_the_link(web, testapp, scene, inbox, factory):
    path = change_link(testapp, scene, inbox)
    page = web.get(path)
    scene.add("carol", email=NEW)
    refused = page.forms["link-form"].submit(status=409)
    assert refused.html.find(id="message").text == (
        "That email address is in use by now; nothing changed."
    )
    assert web.get(path, status=200)
    assert factory.email_of(scene.id("bob")) != NEW


def test_the_change_link_expires(web, testapp, scene, inbox, clock):
    path = change_link(testapp, scene, inbox)
    clock.advance(hours=24)
    assert web.get(path, status=200)
    clock.advance(seconds=1)
    assert web.get(path, status=410)


def test_the_change_started_again_from_its_page(web, testapp, scene, inbox):
    res = web.get("/browse/change_email/", status=303)
    sign_in(web, scene.email("bob"))
    page = web.get("/browse/change_email/", status=200)
    assert res.location.endswith("next=%2Fbrowse%2Fchange_email%2F")
    form = page.forms["change-request-form"]
    form["password"], form["email"] = "not my password", NEW
    refused = form.submit(status=400)
    assert refused.html.find(id="message")
    form = refused.forms["change-request-form"]
    form["password"] = PASSWORD
    sent = form.submit(status=200)
    assert NEW in sent.html.find(id="sent").text
    mail = [m for m in inbox.wait_for(2) if m["To"] == NEW][-1]
    assert web.get(link_in(mail, CHANGE), status=200)


@pytest.mark.parametrize("path", ["/email/verify/<b>x<%5Cb>/", "/email/change/" + "x" * 300 + "/"])
def test_any_other_token_is_a_dead_link(web, path):
    page = web.get(path, status=410)
    assert page.html.find(id="renew") and page.html.find_all("b") == []
