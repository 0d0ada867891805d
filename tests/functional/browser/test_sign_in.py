"""Signing in and out with the pages, and asking for a reset link."""

import pytest

from tests.factories import PASSWORD

from .conftest import csrf_of, sign_in


def test_sign_in_sets_the_session_cookie_and_goes_to_the_root(web, scene):
    res = sign_in(web, scene.email("bob"), status=303)
    assert res.location == "http://localhost/api/"
    cookie = next(c for c in res.headers.getall("Set-Cookie") if c.startswith("token="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert res.headers["Cache-Control"] == "no-store"
    root = res.follow(status=200)
    assert root.html.find(id="viewer")["href"] == scene.url("bob")


@pytest.mark.parametrize(
    ("next_path", "landing"),
    [
        ("/api/account/users/", "http://localhost/api/account/users/"),
        ("//evil.example/", "http://localhost/api/"),
        ("https://evil.example/", "http://localhost/api/"),
        ("javascript:alert(1)", "http://localhost/api/"),
    ],
)
def test_sign_in_goes_on_to_next_on_this_site_only(web, scene, next_path, landing):
    page = web.get("/browse/login/", params={"next": next_path})
    fields = {"_csrf": csrf_of(page), "email": scene.email("bob"), "password": PASSWORD}
    # The page drops a foreign next; a forged form sends it anyway.
    res = web.post("/browse/login/", {**fields, "next": next_path}, status=303)
    assert res.location == landing


@pytest.mark.parametrize(
    ("email", "password", "status"),
    [
        ("bob", "wrong password", 401),
        ("nobody@example.com", PASSWORD, 401),
        ("x" * 300, "pw", 400),
    ],
)
def test_a_failed_sign_in_shows_the_form_again(web, scene, email, password, status):
    address = scene.email("bob") if email == "bob" else email
    page = sign_in(web, address, password, status=status)
    assert page.html.find(id="message").text
    assert page.forms["login-form"]["email"].value == address
    assert not any(c.startswith("token=") for c in page.headers.getall("Set-Cookie"))


def test_sign_in_needs_the_pages_token_and_no_foreign_origin(web, scene):
    form = web.get("/browse/login/").forms["login-form"]
    form["email"] = scene.email("bob")
    form["password"] = PASSWORD
    assert form.submit(headers={"Origin": "https://evil.example"}, status=403)
    fields = {k: v for k, v in form.submit_fields() if k != "_csrf"}
    assert web.post("/browse/login/", fields, status=403)
    assert web.get("/api/", status=401)  # nobody signed in


def test_the_csrf_token_changes_with_the_session(web, scene):
    before = csrf_of(web.get("/browse/login/"))
    assert web.cookies["csrf"] == before
    sign_in(web, scene.email("bob"), status=303)
    after = csrf_of(web.get("/api/"))
    assert after != before
    # The pre-session token no longer passes for a signed-in browser.
    web.post("/browse/logout/", {"_csrf": before}, status=403)


def test_sign_out_ends_the_session(web, scene, testapp):
    sign_in(web, scene.email("bob"), status=303)
    session = web.cookies["token"]
    res = web.post("/browse/logout/", {"_csrf": csrf_of(web.get("/api/"))}, status=303)
    assert res.location == "http://localhost/browse/login/"
    assert "token" not in web.cookies
    # The old cookie is dead on the server too, not only forgotten.
    testapp.get("/api/", headers={"Cookie": f"token={session}"}, status=401)


def test_sign_out_without_the_token_keeps_the_session(web, scene):
    sign_in(web, scene.email("bob"), status=303)
    web.post("/browse/logout/", {"_csrf": ""}, status=403)
    assert web.get("/api/", status=200)


def test_reset_request_page_mails_a_link_to_known_addresses_only(web, scene, inbox):
    for address in (scene.email("bob"), "nobody@example.com"):
        form = web.get("/browse/password_reset/").forms["reset-form"]
        form["email"] = address
        page = form.submit(status=200)
        assert page.html.find(id="sent")  # the same answer either way
    assert [m["To"] for m in inbox.wait_for(1)] == [scene.email("bob")]
    assert "http://localhost/password/change/" in inbox.messages[0].text


@pytest.mark.parametrize(
    "address", ["not an address", "a@b", "x" * 300 + "@example.com", "a\n@b.co"]
)
def test_reset_request_page_refuses_what_is_no_address(web, inbox, address):
    form = web.get("/browse/password_reset/").forms["reset-form"]
    form["email"] = address
    page = form.submit(status=400)
    assert page.html.find(id="message").text
    assert inbox.messages == []
