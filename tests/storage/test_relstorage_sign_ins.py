"""Two app instances — as two server processes would — on one RelStorage
database share lockout counters, throttles and login history: nothing of
it lives in one process's memory."""

import pytest
from webtest import TestApp

from crunchusers import main
from crunchusers.infra.clock import FrozenClock
from crunchusers.infra.mail import stop_delivery
from crunchusers.infra.storage import get_db
from tests.functional.sign_in.helpers import WRONG, attempt, fail
from tests.test_relstorage import (  # noqa: F401  (fixtures: database, production_settings)
    HTTPS,
    PASSWORD,
    database,
    login,
    production_settings,
    verify_by_mail,
)


@pytest.fixture
def processes(production_settings):  # noqa: F811
    """Two apps, each with its own ZODB DB object and caches, one clock."""
    settings = {**production_settings, "crunchusers.login.failures_per_address": "8"}
    clock = FrozenClock()
    apps = [main({}, **settings) for _ in range(2)]
    for app in apps:
        app.registry.crunchusers_clock = clock
    yield [TestApp(app, extra_environ=HTTPS) for app in apps], settings
    for app in apps:
        stop_delivery(app.registry)  # its worker must not hold a connection
        get_db(app.registry).close()


def test_two_processes_share_lockout_throttle_and_history(processes, inbox):
    (first, second), settings = processes
    root = login(first, settings["crunchusers.superuser_email"])
    first.post_json(
        "/api/accounts/",
        {"name": "Acme", "owner": {"email": "owner@acme.test", "password": PASSWORD}},
        headers=root,
        status=201,
    )
    verify_by_mail(second, inbox, "owner@acme.test")  # else gated (authz/verification.py)
    owner = login(second, "owner@acme.test")
    user = second.post_json(
        "/api/account/users/",
        {"email": "user@acme.test", "password": PASSWORD, "send_invite": False},
        headers=owner,
        status=201,
    ).location
    email = "user@acme.test"
    for testapp in (first, second, first, second):
        fail(testapp, email)
    body = first.get(user, headers=owner).json["body"]
    assert (body["status"], body["failed_login_attempts"]) == ("active", 4)
    fail(second, email)  # the fifth, counted across both: locked
    assert first.get(user, headers=owner).json["body"]["status"] == "locked"
    attempt(first, email, PASSWORD, status=401)
    # the throttle counts across both too: 8 failures of this name in the window
    fail(first, email, times=2)
    res = attempt(second, email, WRONG, status=429)
    assert res.headers["Retry-After"]
    # an admin unlocks through one process; the history is the same in both
    second.patch_json(user, {"status": "active"}, headers=owner, status=204)
    assert first.get(user, headers=owner).json["body"]["failed_login_attempts"] == 0
    history = [
        testapp.get(user + "login_history/", headers=owner).json["total"]
        for testapp in (first, second)
    ]
    assert history == [8, 8]
