"""The browser's sign-in page goes through the same login as the JSON API
(``authz.login.login_with_password``): its failures count toward lockout
and are in the login history, throttling answers the page with 429 and
``Retry-After``, and a mailed link that signs in is recorded as ``link``."""

from webtest import TestApp

from tests.factories import PASSWORD, Factory
from tests.functional.browser.conftest import BROWSER_ACCEPT, sign_in
from tests.functional.browser.test_link_pages import fill, invite

from .helpers import WRONG, history_of, status_of
from .test_throttling import HOME, LIMITS


def browser(app) -> TestApp:
    return TestApp(app, extra_environ={"HTTP_ACCEPT": BROWSER_ACCEPT, **HOME})


def test_failed_page_sign_ins_lock_at_the_threshold_and_are_recorded(app, acme, factory):
    web = browser(app)
    for _ in range(4):
        page = sign_in(web, acme.email("alice"), WRONG, status=401)
        assert page.html.find(id="message").text == "Invalid email or password."
    assert status_of(factory, acme.alice) == "active"
    sign_in(web, acme.email("alice"), WRONG, status=401)
    assert status_of(factory, acme.alice) == "locked"
    # locked: the right password gets the very same page
    page = sign_in(web, acme.email("alice"), PASSWORD, status=401)
    assert page.html.find(id="message").text == "Invalid email or password."
    entries = history_of(factory, acme.alice)
    assert [e["reason"] for e in entries] == ["locked"] + ["wrong_password"] * 5
    assert {(e["method"], e["ip"]) for e in entries} == {("password", HOME["REMOTE_ADDR"])}


def test_a_throttled_page_sign_in_is_a_429_with_retry_after(app_with, clock):
    app = app_with(**LIMITS)
    factory = Factory(app, TestApp(app, extra_environ=HOME))
    _, owner_id = factory.account()
    email = factory.email_of(owner_id)
    web = browser(app)
    for _ in range(3):
        sign_in(web, email, WRONG, status=401)
    page = sign_in(web, email, PASSWORD, status=429)
    assert page.headers["Retry-After"] == "900"
    assert "Too many failed sign-ins" in page.html.find(id="message").text
    assert not any(c.startswith("token=") for c in page.headers.getall("Set-Cookie"))
    clock.advance(seconds=900)  # the next window
    sign_in(web, email, PASSWORD, status=303)


def test_a_link_that_signs_in_is_recorded_as_link(app, testapp, acme, inbox, factory):
    path = invite(testapp, acme, inbox)
    fill(browser(app).get(path, status=200)).submit(status=303)
    newbie = factory.read(lambda root: root.users.find_by_email("newbie@acme.test").__name__)
    (entry,) = history_of(factory, newbie)
    assert (entry["method"], entry["outcome"]) == ("link", "success")
