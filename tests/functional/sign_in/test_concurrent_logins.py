"""Concurrent logins of one user all succeed (a service account shared by
parallel scripts): login bookkeeping never rewrites the ``User``, its other
writes merge, and a request retried after a conflict does not verify the
password again.  Through a live waitress server on a FileStorage."""

import threading

import pytest
import requests
from pyramid_retry import IBeforeRetry
from webtest import TestApp
from webtest.http import StopableWSGIServer

from crunchusers import main
from crunchusers.authz import login
from crunchusers.infra.mail import stop_delivery
from crunchusers.infra.storage import get_db
from tests.conftest import free_port
from tests.factories import PASSWORD, Factory
from tests.functional.conftest import stop_server

from .helpers import history_of

LOGINS = 16


@pytest.fixture
def verifications(monkeypatch):
    """Counts the login's password verifications; ``after`` (if set) runs
    right after each one, in the request's thread."""
    calls = []
    real = login.verify_password

    def counting(registry, password_hash, password):
        result = real(registry, password_hash, password)
        calls.append(password_hash)
        if counting.after is not None:
            counting.after()
        return result

    counting.after = None
    counting.calls = calls
    monkeypatch.setattr(login, "verify_password", counting)
    return counting


def serve(app, threads):
    server = StopableWSGIServer.create(app, host="127.0.0.1", port=free_port(), threads=threads)
    assert server.wait(), "the test server did not start"
    return server


def log_in_at_once(base_url, email, count) -> list[int]:
    """``count`` token logins of ``email`` from as many threads at once."""
    start = threading.Barrier(count, timeout=30)
    statuses = []

    def one():
        start.wait()
        body = {"email": email, "password": PASSWORD, "token": True}
        statuses.append(requests.post(base_url + "api/public/login/", json=body).status_code)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def file_app(settings, tmp_path, **changes):
    return main({}, **{**settings, "zodbconn.uri": f"file://{tmp_path / 'Data.fs'}", **changes})


def user_serial(factory, user_id):
    return factory.read(lambda root: root.users[user_id]._p_serial)


def test_sixteen_concurrent_logins_of_one_user_all_succeed(server, live_app, verifications):
    """The ``server`` fixture as it is: 4 waitress threads, default settings."""
    factory = Factory(live_app, TestApp(live_app))
    _, owner_id = factory.account()
    before = user_serial(factory, owner_id)
    statuses = log_in_at_once(server.removesuffix("api/"), factory.email_of(owner_id), LOGINS)
    assert statuses == [200] * LOGINS
    assert len(verifications.calls) == LOGINS
    assert user_serial(factory, owner_id) == before  # no login wrote the User
    sessions = factory.read(lambda root: len(root.users[owner_id].session_hashes))
    assert sessions == len(history_of(factory, owner_id)) == LOGINS


def test_logins_made_to_conflict_are_retried_without_a_second_verification(
    settings, tmp_path, verifications
):
    """All 16 requests are held right after their verification until every
    one has verified, so all of them write their bookkeeping from the same
    snapshot: conflicts are certain (the first sign-in creates the user's
    record), pyramid_retry retries, and the retries reuse the verification
    kept in the request's environ."""
    app = file_app(
        settings, tmp_path, **{"crunchusers.hashing.waiting": str(LOGINS), "retry.attempts": "8"}
    )
    retries = []
    app.registry.registerHandler(lambda event: retries.append(event), (IBeforeRetry,))
    factory = Factory(app, TestApp(app))
    _, owner_id = factory.account()
    verified_all = threading.Barrier(LOGINS, timeout=30)
    verifications.after = verified_all.wait
    server = serve(app, threads=LOGINS)
    try:
        statuses = log_in_at_once(server.application_url, factory.email_of(owner_id), LOGINS)
    finally:
        stop_server(server)
    try:
        assert statuses == [200] * LOGINS
        assert retries, "the logins did not conflict: the test proves nothing"
        assert len(verifications.calls) == LOGINS
        assert len(history_of(factory, owner_id)) == LOGINS
    finally:
        stop_delivery(app.registry)
        get_db(app.registry).close()
