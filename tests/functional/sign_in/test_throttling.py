"""Throttling that protects everyone else: failed logins per login name and
per client address are limited in fixed windows of the injectable clock;
over a limit every login answers 429 with ``Retry-After`` and a JSON
message, without checking the password and without writing anything."""

import pytest
from webtest import TestApp

from crunchusers.authz import login
from tests.factories import PASSWORD, Factory
from tests.functional.helpers import assert_error

from .helpers import WRONG, attempt, fail, last_transaction, succeed

LIMITS = {
    "crunchusers.login.failures_per_address": "3",
    "crunchusers.login.failures_per_ip": "5",
    "crunchusers.login.throttle_window_seconds": "900",
    "crunchusers.login.refusal_delay_seconds": "0",  # test_pacing.py delays
}
HOME = {"REMOTE_ADDR": "192.0.2.1"}
ELSEWHERE = {"REMOTE_ADDR": "198.51.100.7"}


@pytest.fixture
def throttled(app_with):
    """An app with small limits: 3 failures per name, 5 per address."""
    app = app_with(**LIMITS)
    factory = Factory(app, TestApp(app, extra_environ=HOME))
    account_id, owner_id = factory.account()
    return factory, factory.email_of(owner_id), account_id


def test_the_fourth_failure_for_a_name_is_refused_until_the_window_ends(throttled, clock):
    factory, email, _ = throttled
    testapp = factory.testapp
    clock.advance(seconds=100)
    fail(testapp, email, times=3)
    clock.advance(seconds=799)  # 1 s before the window ends
    res = attempt(testapp, email, PASSWORD, status=429)
    assert_error(res, 429)
    assert res.headers["Retry-After"] == "1"
    assert "try again in 1 seconds" in res.json["message"]
    clock.advance(seconds=1)  # exactly at the boundary: a new window
    succeed(testapp, email)


def test_the_retry_after_counts_down_to_the_windows_end(throttled, clock):
    factory, email, _ = throttled
    fail(factory.testapp, email, times=3)
    clock.advance(seconds=300)
    res = attempt(factory.testapp, email, status=429)
    assert res.headers["Retry-After"] == "600"


def test_a_throttled_login_checks_no_password_and_writes_nothing(throttled, monkeypatch):
    factory, email, _ = throttled
    fail(factory.testapp, email, times=3)
    calls = []
    monkeypatch.setattr(login, "verify_password", lambda *args: calls.append(args))
    before = last_transaction(factory.app)
    right = attempt(factory.testapp, email, PASSWORD, status=429)
    wrong = attempt(factory.testapp, email, WRONG, status=429)
    assert right.json == wrong.json  # a right password cannot be told from a wrong one
    assert calls == []
    assert last_transaction(factory.app) == before


def test_names_are_throttled_whatever_their_case_and_whether_they_exist(throttled):
    factory, email, _ = throttled
    fail(factory.testapp, email.upper(), times=2)
    fail(factory.testapp, email)
    known = attempt(factory.testapp, email.title(), status=429)
    fail(factory.testapp, "nobody@example.com", times=1, extra_environ=ELSEWHERE)
    fail(factory.testapp, "nobody@example.com", times=2, extra_environ=ELSEWHERE)
    unknown = attempt(factory.testapp, "nobody@example.com", status=429, extra_environ=ELSEWHERE)
    assert known.json == unknown.json


def test_failures_from_one_address_throttle_every_name_from_it(throttled):
    factory, email, account_id = throttled
    for n in range(5):
        fail(factory.testapp, f"guess{n}@example.com")
    res = attempt(factory.testapp, email, PASSWORD, status=429)
    assert res.headers["Retry-After"] == "900"
    succeed(factory.testapp, email, extra_environ=ELSEWHERE)  # other addresses still work


def test_a_forwarded_for_header_does_not_change_the_address(throttled):
    """Without a trusted proxy (waitress's trusted_proxy sets REMOTE_ADDR),
    X-Forwarded-For is whatever the client wrote: it must not be a way
    around the per-address limit."""
    factory, email, _ = throttled
    for n in range(5):
        headers = {"X-Forwarded-For": f"203.0.113.{n}"}
        fail(factory.testapp, f"guess{n}@example.com", headers=headers)
    attempt(factory.testapp, email, status=429, headers={"X-Forwarded-For": "203.0.113.99"})


def test_successes_are_not_counted(throttled):
    factory, email, _ = throttled
    for _ in range(8):
        succeed(factory.testapp, email)
    fail(factory.testapp, email, times=3)
    attempt(factory.testapp, email, status=429)


@pytest.mark.parametrize(
    "name, value",
    [
        ("login.failures_per_address", "0"),
        ("login.failures_per_ip", "-1"),
        ("login.throttle_window_seconds", "0"),
        ("login.history_size", "0"),
        ("hashing.slots", "0"),
        ("hashing.waiting", "-1"),
    ],
)
def test_settings_out_of_range_stop_the_start(settings, name, value):
    from pyramid.exceptions import ConfigurationError

    from crunchusers import main

    with pytest.raises(ConfigurationError, match=name):
        main({}, **{**settings, f"crunchusers.{name}": value})
