"""Issue 7, item 5: cross-site requests.  A cookie-authenticated request
from a foreign origin, or with a form's media type, is refused before it
changes anything; Bearer requests carry no ambient credential and pass."""

import json

from webtest import TestApp

from crunchusers import main
from tests.factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD
from tests.functional.helpers import (
    USERS,
    assert_error,
    cookie_login,
    create_team,
    new_key,
)

EVIL = "https://evil.example"
NEW_ADMIN = {
    "element": "shoji:entity",
    "body": {"email": "mallory@example.com", "name": "Mallory", "roles": ["administrator"]},
}


def post_raw(testapp, url, body, content_type, status, **headers):
    return testapp.post(
        url, json.dumps(body), headers={"Content-Type": content_type, **headers}, status=status
    )


# -- item 5: CSRF -----------------------------------------------------------


def test_item07_05_cross_site_text_plain_post_is_415_and_creates_nobody(testapp, acme, factory):
    cookie_login(testapp, acme.email("owner"), status=204)
    before = factory.user_count(acme.account_id)
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        res = post_raw(testapp, USERS, NEW_ADMIN, content_type, 415, Origin=EVIL)
        assert_error(res, 415)
    # Bearer requests need a JSON body too.
    res = post_raw(testapp, "/api/teams/", {"name": "T"}, "text/plain", 415)
    testapp.reset()
    res = testapp.post("/api/teams/", '{"name": "T"}', headers=acme.headers("alice"), status=415)
    assert_error(res, 415)
    assert factory.user_count(acme.account_id) == before


def test_item07_05_cookie_requests_from_a_foreign_origin_are_403(testapp, acme, factory):
    cookie_login(testapp, acme.email("owner"), status=204)
    before = factory.user_count(acme.account_id)
    for header, value in (
        ("Origin", EVIL),
        ("Origin", "null"),
        ("Origin", "http://localhost.evil.example"),
        ("Referer", f"{EVIL}/page.html"),
    ):
        res = testapp.post_json(USERS, NEW_ADMIN, headers={header: value}, status=403)
        assert_error(res, 403)
        res = testapp.patch_json("/api/teams/", {}, headers={header: value}, status=403)
        res = testapp.delete("/api/teams/x/", headers={header: value}, status=403)
    assert factory.user_count(acme.account_id) == before
    # Our own origin, or no Origin and no Referer at all (curl, pycrunch), pass.
    testapp.post_json(
        "/api/teams/", {"name": "A"}, headers={"Origin": "http://localhost"}, status=201
    )
    testapp.post_json(
        "/api/teams/", {"name": "B"}, headers={"Referer": "http://localhost:80/x"}, status=201
    )
    testapp.post_json("/api/teams/", {"name": "C"}, status=201)


def test_item07_05_bearer_requests_are_not_checked(testapp, acme):
    headers = {**acme.headers("alice"), "Origin": EVIL}
    testapp.post_json("/api/teams/", {"name": "Scripted"}, headers=headers, status=201)


def test_item07_05_login_from_a_foreign_origin_is_403(testapp, acme):
    res = cookie_login(testapp, acme.email("alice"), headers={"Origin": EVIL}, status=403)
    assert_error(res, 403)
    assert "Set-Cookie" not in res.headers
    cookie_login(testapp, acme.email("alice"), headers={"Origin": "http://localhost"}, status=204)


def test_item07_05_public_url_and_link_origins_are_trusted(settings, clock):
    app = main(
        {},
        **{
            **settings,
            "crunchusers.public_url": "https://crunch.example.com/",
            "crunchusers.link_origins": "https://app.example.com\n  http://tools.example:8080",
        },
    )
    app.registry.crunchusers_clock = clock
    testapp = TestApp(app)
    cookie_login(testapp, SUPERUSER_EMAIL, SUPERUSER_PASSWORD, status=204)
    for origin in (
        "https://crunch.example.com",
        "https://app.example.com:443",
        "http://tools.example:8080",
    ):
        testapp.post_json(
            "/api/apikeys/", new_key(), headers={"Origin": origin}, status=(201, 409)
        )
    for origin in ("http://app.example.com", "http://tools.example", EVIL):
        testapp.post_json("/api/apikeys/", new_key(), headers={"Origin": origin}, status=403)


def test_item07_05_json_media_types_and_bodiless_requests(testapp, acme):
    headers = acme.headers("alice")
    for content_type in (
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/shoji+json",
    ):
        post_raw(testapp, "/api/teams/", {"name": "T"}, content_type, 201, **headers)
    # No body, no content type needed (DELETE, an empty POST).
    team = create_team(testapp, headers)
    testapp.delete(team, headers=headers, status=204)
    res = testapp.post("/api/apikeys/", headers=headers, status=400)
    assert "expires is required" in res.json["message"]  # read as an empty body
