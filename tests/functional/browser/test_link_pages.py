"""The pages behind mailed links: invitation and reset links open a page
that shows the account's password rules, sets the password, signs the user
in and lands on the browsable root; dead links get a page saying so."""

import re

import pytest
from webtest import TestApp

from crunchusers import main
from tests.factories import PASSWORD, SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Factory
from tests.functional.helpers import NEW_PASSWORD

from .conftest import BROWSER_ACCEPT, csrf_of

LINK = re.compile(r"http://localhost(/password/change/([A-Za-z0-9_-]+)/)")


def invite(testapp, scene, inbox, email="newbie@acme.test", name="Nina Newbie"):
    """Invite a user into Acme as its owner; the path of the mailed link."""
    body = {"email": email, "name": name}
    testapp.post_json("/api/account/users/", body, headers=scene.headers("owner"), status=201)
    return LINK.search(inbox.wait_for(1)[-1].text).group(1)


def reset_link(testapp, scene, inbox, who="bob"):
    testapp.post_json("/api/public/password_reset/", {"email": scene.email(who)}, status=204)
    return LINK.search(inbox.wait_for(1)[-1].text).group(1)


def fill(page, password=NEW_PASSWORD, confirm=None):
    form = page.forms["link-form"]
    form["password"] = password
    form["password_confirm"] = password if confirm is None else confirm
    return form


def test_the_invitation_page_sets_the_password_and_signs_in(web, testapp, scene, inbox, factory):
    path = invite(testapp, scene, inbox)
    page = web.get(path, status=200)
    assert page.html.find(id="link-title").text == "Accept your invitation"
    assert page.html.find(id="link-user").text == "Nina Newbie"
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "same-origin"
    res = fill(page).submit(status=303)
    assert res.location == "http://localhost/api/"
    root = res.follow(status=200)
    assert root.html.find(id="viewer").text == "Nina Newbie"
    newbie = factory.read(lambda root: root.users.find_by_email("newbie@acme.test").status)
    assert newbie == "active"
    # The mail's HTML part links to the same page.
    assert f'href="http://localhost{path}"' in inbox.messages[-1].html


def test_the_page_shows_the_accounts_rules_without_using_the_link(web, testapp, scene, inbox):
    testapp.patch_json(
        "/api/account/",
        {"password_policy": {"min_length": 16}},
        headers=scene.headers("owner"),
        status=204,
    )
    path = invite(testapp, scene, inbox)
    for _ in range(2):  # looking twice uses nothing up
        page = web.get(path, status=200)
    rules = {li["data-rule"]: li.text for li in page.html.select("#rules li")}
    assert rules["min_length"] == "At least 16 characters."
    assert set(rules) >= {"max_length", "common", "personal", "history"}
    token = path.split("/")[-2]
    policy = testapp.get("/api/public/password_policy/", params={"token": token}).json
    assert policy["value"]["min_length"] == 16  # what the JSON view says too
    refused = fill(page, "fifteen chars!!").submit(status=400)
    assert "(password rule: min_length)" in refused.html.find(id="message").text
    assert fill(refused, "sixteen characters ok").submit(status=303)


def test_a_used_link_gets_the_dead_link_page(web, testapp, scene, inbox):
    path = invite(testapp, scene, inbox)
    page = web.get(path)
    fill(page).submit(status=303)
    dead = web.get(path, status=410)
    assert dead.html.find(id="dead-link").text == "This link is no longer valid"
    assert dead.forms["reset-form"].action == "/browse/password_reset/"
    assert dead.headers["Cache-Control"] == "no-store"
    # The old page's form is stale (signing in changed the CSRF token); sent
    # with a fresh token, as from a second tab, it gets the dead-link page.
    fields = {**dict(fill(page).submit_fields()), "_csrf": csrf_of(dead)}
    assert web.post("/browse/link/", fields, status=410).html.find(id="dead-link")


def test_different_passwords_keep_the_link(web, testapp, scene, inbox):
    path = invite(testapp, scene, inbox)
    page = fill(web.get(path), confirm="another secret entirely").submit(status=400)
    assert page.html.find(id="message").text == "The two passwords differ."
    assert web.get(path, status=200)


def test_the_link_works_exactly_until_it_expires(web, testapp, scene, inbox, clock):
    path = invite(testapp, scene, inbox)
    clock.advance(hours=24)
    page = web.get(path, status=200)  # exactly at expiry
    clock.advance(seconds=1)
    assert web.get(path, status=410)
    assert fill(page).submit(status=410)


def test_the_reset_page_ends_every_other_session(web, testapp, scene, inbox):
    bearer = scene.headers("bob")
    path = reset_link(testapp, scene, inbox)
    page = web.get(path, status=200)
    assert page.html.find(id="link-title").text == "Reset your password"
    res = fill(page).submit(status=303)
    assert res.follow().html.find(id="viewer")["href"] == scene.url("bob")
    testapp.get("/api/", headers=bearer, status=401)
    testapp.post_json(
        "/api/public/login/", {"email": scene.email("bob"), "password": PASSWORD}, status=401
    )


def test_a_locked_users_link_is_dead(web, testapp, scene, inbox, factory):
    path = reset_link(testapp, scene, inbox)

    def lock(root):
        root.users[scene.bob].status = "locked"

    factory.write(lock)
    assert web.get(path, status=410)


@pytest.mark.parametrize(
    "token", ["<img src=x onerror=alert(1)>", "x" * 300, "%C3%A9t%C3%A9", "'%22><b>x<%5Cb>"]
)
def test_any_other_token_is_a_dead_link_and_never_shown(web, token):
    page = web.get(f"/password/change/{token}/", status=410)
    assert page.html.find(id="dead-link")
    assert "<img" not in page.text and "<b>x" not in page.text
    assert page.html.find_all("img") == [] and page.html.find_all("b") == []


def test_a_path_that_is_no_link_is_not_reflected(web):
    """Not a link path at all (a token has no slash): the sign-in page, whose
    ``next`` holds the path escaped."""
    page = web.get("/password/change/<script>alert(1)</script>/", status=401)
    assert "<script>alert" not in page.text and page.html.find_all("script") == []


def test_the_link_form_needs_the_pages_token(web, testapp, scene, inbox):
    path = invite(testapp, scene, inbox)
    form = fill(web.get(path))
    fields = {k: v for k, v in form.submit_fields() if k != "_csrf"}
    assert web.post("/browse/link/", fields, status=403)
    assert web.post("/browse/link/", {**fields, "_csrf": "forged"}, status=403)
    fields["_csrf"] = csrf_of(web.get(path))
    assert web.post(
        "/browse/link/", fields, headers={"Origin": "https://evil.example"}, status=403
    )
    assert web.get(path, status=200)  # still unused
    assert web.post("/browse/link/", fields, status=303)


@pytest.mark.parametrize("token", [None, "", "x" * 5000])
def test_the_link_form_without_a_live_token(web, token):
    fields = {
        "_csrf": csrf_of(web.get("/browse/login/")),
        "password": "p",
        "password_confirm": "p",
    }
    if token is not None:
        fields["token"] = token
    assert web.post("/browse/link/", fields, status=410).html.find(id="dead-link")


def test_the_link_in_a_mail_file_opens_the_page(settings, tmp_path):
    """As in development: the mail is a file, and the link copied from its
    raw text (no quoted-printable soft break in it) sets the password and
    lands the new account owner signed in on the browsable root."""
    app = main({}, **{**settings, "crunchusers.mail_directory": str(tmp_path)})
    api = TestApp(app)
    headers = Factory(app, api).login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    owner = {"email": "olive@initech.test", "name": "Olive Owner"}
    api.post_json("/api/accounts/", {"body": {"name": "Initech", "owner": owner}}, headers=headers)
    assert app.registry.crunchusers_delivery.wait_until_sent()
    (mail,) = tmp_path.glob("*.eml")
    path = LINK.search(mail.read_text()).group(1)
    web = TestApp(app, extra_environ={"HTTP_ACCEPT": BROWSER_ACCEPT})
    res = fill(web.get(path, status=200)).submit(status=303)
    assert res.follow().html.find(id="viewer").text == "Olive Owner"
