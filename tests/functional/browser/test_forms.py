"""The API's forms: posted under /browse/, guarded by a synchronizer token
and the Origin check, sent on as the JSON request the API understands."""

import pytest
from webtest import TestApp

from crunchusers import main
from tests.factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Factory, Scene

from . import conflict_once
from .conftest import BROWSER_ACCEPT, csrf_of, sign_in


def title_of(factory, user_id):
    return factory.read(lambda root: root.users[user_id].title)


@pytest.fixture
def owner_web(web, scene):
    sign_in(web, scene.email("owner"), status=303)
    return web


def edit_form(web, scene, who="bob"):
    return web.get(scene.url(who)).forms["patch-form"]


def test_a_field_form_changes_only_what_changed(owner_web, scene, factory):
    form = edit_form(owner_web, scene)
    form["f.title"] = "Chief builder"
    # name and email, unchanged, are not sent: an admin changing them is a 403.
    res = form.submit(status=303)
    assert res.location == f"http://localhost/api/users/{scene.bob}/"
    assert title_of(factory, scene.bob) == "Chief builder"
    assert res.follow().forms["patch-form"]["f.title"].value == "Chief builder"


def test_a_refusal_is_a_page_and_changes_nothing(owner_web, scene, factory):
    form = edit_form(owner_web, scene)
    form["t.title"] = "int"  # a forged type: the API judges what arrives
    form["f.title"] = "5"
    page = form.submit(status=400)
    assert page.content_type == "text/html"
    assert "title" in page.html.find(id="message").text
    assert page.html.find(id="back")["href"] == f"/api/users/{scene.bob}/"
    assert title_of(factory, scene.bob) == ""


@pytest.mark.parametrize(
    ("text", "status", "message"),
    [
        ('{"title": 5}', 400, "title"),
        ("{not json", 400, "Malformed JSON"),
        ('{"unknown_member": 1}', 400, "unknown"),
        ('{"title": "Chief <b>builder</b>"}', 303, None),
    ],
)
def test_the_json_form_sends_its_text(owner_web, scene, factory, text, status, message):
    form = owner_web.get(scene.url("bob")).forms["patch-json-form"]
    form["_json"] = text
    res = form.submit(status=status)
    if message:
        assert message in res.html.find(id="message").text
    else:
        assert title_of(factory, scene.bob) == "Chief <b>builder</b>"


@pytest.mark.parametrize("token", [None, "", "forged", "x" * 5000])
def test_without_the_pages_token_nothing_happens(owner_web, scene, factory, token):
    form = edit_form(owner_web, scene)
    form["f.title"] = "Hacked"
    fields = dict(form.submit_fields())
    if token is None:
        del fields["_csrf"]
    else:
        fields["_csrf"] = token
    page = owner_web.post(form.action, fields, status=403)
    assert "CSRF token" in page.html.find(id="message").text
    assert title_of(factory, scene.bob) == ""


def test_another_sessions_token_does_not_work(owner_web, app, scene, factory):
    mine = edit_form(owner_web, scene)
    other = TestApp(app, extra_environ={"HTTP_ACCEPT": BROWSER_ACCEPT})
    sign_in(other, scene.email("owner"), status=303)
    fields = {**dict(mine.submit_fields()), "f.title": "Hacked"}
    fields["_csrf"] = csrf_of(other.get("/api/"))
    owner_web.post(mine.action, fields, status=403)
    assert title_of(factory, scene.bob) == ""


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
    ],
)
def test_a_foreign_origin_is_refused(owner_web, scene, factory, headers):
    form = edit_form(owner_web, scene)
    form["f.title"] = "Hacked"
    page = form.submit(headers=headers, status=403)
    assert page.html.find(id="message").text == "Cross-site requests are not allowed."
    assert title_of(factory, scene.bob) == ""


def test_the_sites_own_origin_passes(owner_web, scene, factory):
    form = edit_form(owner_web, scene)
    form["f.title"] = "Chief"
    form.submit(headers={"Origin": "http://localhost"}, status=303)
    assert title_of(factory, scene.bob) == "Chief"


def test_only_form_bodies_are_taken_and_only_under_browse(owner_web, scene):
    form = edit_form(owner_web, scene)
    fields = dict(form.submit_fields())
    res = owner_web.post_json(form.action, fields, status=415)
    assert "application/x-www-form-urlencoded" in res.html.find(id="message").text
    # The API itself still takes JSON only, however valid the token.
    res = owner_web.post(f"/api/users/{scene.bob}/", fields, status=415)
    assert res.json["message"].startswith("Request bodies must be JSON")


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "TRACE", "PATCH\r\nX: y", ""])
def test_only_write_methods(owner_web, scene, method):
    form = edit_form(owner_web, scene)
    form["_method"].force_value(method)
    assert "_method must be one of" in form.submit(status=400).html.find(id="message").text


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_next_never_leaves_the_site(owner_web, scene, target):
    form = edit_form(owner_web, scene)
    form["f.title"] = "Chief"
    form["_next"] = target
    assert form.submit(status=303).location == f"http://localhost/api/users/{scene.bob}/"


def test_delete_goes_one_level_up(owner_web, scene, factory):
    page = owner_web.get(scene.url("bob"))
    res = page.forms["delete-form"].submit(status=303)
    assert res.location == "http://localhost/api/users/"
    assert factory.read(lambda root: root.users[scene.bob].status) == "deleted"


def test_a_create_lands_on_the_new_resource(web, factory):
    sign_in(web, SUPERUSER_EMAIL, SUPERUSER_PASSWORD, status=303)
    form = web.get("/api/accounts/").forms["post-json-form"]
    form["_json"] = '{"body": {"name": "Initech", "owner": {"email": "peter@initech.test"}}}'
    res = form.submit(status=303)
    assert res.location.startswith("http://localhost/api/accounts/")
    assert res.follow().html.find(id="body").find(string="Initech")


def test_an_anonymous_form_gets_the_sign_in_page(web, scene):
    page = web.get("/browse/login/")  # a double-submit token, no session
    fields = {"_csrf": csrf_of(page), "_method": "PATCH", "f.title": "x", "o.title": '""'}
    res = web.post(f"/browse/api/users/{scene.bob}/", fields, status=401)
    assert res.html.find("form", id="login-form") is not None


def test_a_retried_form_still_ends_on_its_page(settings):
    """pyramid_retry re-runs the rewritten environ: the change lands once and
    the browser still gets its redirect."""
    conflict_once.ATTEMPTS.clear()
    app = main({}, **{**settings, "pyramid.includes": "tests.functional.browser.conflict_once"})
    factory = Factory(app, TestApp(app))
    scene = Scene(factory)
    scene.add("bob", name="Bob")
    web = TestApp(app, extra_environ={"HTTP_ACCEPT": BROWSER_ACCEPT})
    sign_in(web, scene.email("owner"), status=303)
    form = edit_form(web, scene)
    form["f.title"] = "Chief"
    res = form.submit(status=303)
    assert conflict_once.ATTEMPTS == [0, 1]
    assert res.location == f"http://localhost/api/users/{scene.bob}/"
    assert factory.read(
        lambda root: (root.users[scene.bob].title, root.users[scene.bob].mobile)
    ) == ("Chief", "+1 555 0100")
