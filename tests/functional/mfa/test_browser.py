"""The browser's sign-in page with a second factor: the password leads to
a page asking for the code, whose form carries the challenge; a mailed
reset link sets the password but does not sign in a user with a factor."""

import re

from tests.factories import PASSWORD
from tests.functional.browser.conftest import sign_in
from tests.functional.helpers import NEW_PASSWORD

from .helpers import factor_url, totp_code, with_totp
from .test_sign_in import mailed_code, opt_in, other_than

LINK = re.compile(r"http://localhost(/password/change/[A-Za-z0-9_-]+/)")


def type_code(page, code, **kw):
    form = page.forms["second-factor-form"]
    form["code"] = code
    return form.submit(**kw)


def cookies_of(res) -> list[str]:
    return [c for c in res.headers.getall("Set-Cookie") if c.startswith("token=")]


def test_the_password_then_the_mailed_code_signs_in(testapp, web, acme, inbox):
    opt_in(testapp, acme, "alice")
    page = sign_in(web, acme.email("alice"), status=200)
    assert cookies_of(page) == [] and page.headers["Cache-Control"] == "no-store"
    assert "We mailed you a 6-digit code" in page.html.find(id="methods").text
    res = type_code(page, mailed_code(inbox, acme, "alice"), status=303)
    assert res.location == "http://localhost/api/" and cookies_of(res)
    assert res.follow(status=200).html.find(id="viewer")["href"] == acme.url("alice")


def test_a_wrong_code_shows_the_page_again_and_counts(testapp, web, acme, inbox, factory):
    opt_in(testapp, acme, "alice")
    page = sign_in(web, acme.email("alice"), status=200)
    code = mailed_code(inbox, acme, "alice")
    again = type_code(page, other_than(code), status=401)
    assert "The code is wrong" in again.html.find(id="message").text
    assert cookies_of(again) == []
    failures = testapp.get(acme.url("alice"), headers=acme.headers("admin")).json["body"]
    assert failures["failed_login_attempts"] == 1
    type_code(again, code, status=303)


def test_an_authenticator_app_code_signs_in(testapp, web, acme, clock):
    secret, _codes = with_totp(testapp, acme, "alice", clock)
    clock.advance(seconds=30)
    page = sign_in(web, acme.email("alice"), status=200)
    assert "authenticator app" in page.html.find(id="methods").text
    type_code(page, totp_code(secret, clock), status=303)


def test_a_reset_link_does_not_sign_in_a_user_with_a_second_factor(testapp, web, acme, inbox):
    opt_in(testapp, acme, "alice")
    acme.headers("admin")
    testapp.post_json("/api/public/password_reset/", {"email": acme.email("alice")}, status=204)
    path = LINK.search(inbox.wait_for(1)[-1].text).group(1)
    form = web.get(path, status=200).forms["link-form"]
    form["password"] = form["password_confirm"] = NEW_PASSWORD
    done = form.submit(status=200)
    assert cookies_of(done) == []
    assert "second factor" in done.html.find(id="done").text
    # the new password, then the code
    body = {"email": acme.email("alice"), "password": NEW_PASSWORD}
    assert "second_factor" in testapp.post_json("/api/public/login/", body, status=401).json
    testapp.post_json("/api/public/login/", {**body, "password": PASSWORD}, status=401)
    state = testapp.get(factor_url(acme, "alice"), headers=acme.headers("admin")).json
    assert state["body"]["email"] is True
