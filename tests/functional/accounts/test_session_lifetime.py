"""Login sessions end after ``crunchusers.session_idle_seconds`` (8 hours)
without use: exactly at the limit still works, one second past is a 401.
(The 24 h absolute lifetime: tests/functional/test_api_root.py.)"""

from datetime import timedelta

from tests.factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD

IDLE = timedelta(hours=8)


def test_idle_timeout_counts_from_the_last_use(testapp, factory, clock):
    headers = factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    clock.advance(seconds=IDLE.total_seconds())
    testapp.get("/api/", headers=headers, status=200)  # exactly idle: works, is a use
    clock.advance(seconds=IDLE.total_seconds())
    testapp.get("/api/", headers=headers, status=200)
    clock.advance(seconds=IDLE.total_seconds() + 1)
    res = testapp.get("/api/", headers=headers, status=401)
    assert res.json["message"]


def test_an_unused_session_ends_one_second_after_the_idle_limit(testapp, factory, clock):
    headers = factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    clock.advance(seconds=IDLE.total_seconds() + 1)
    testapp.get("/api/", headers=headers, status=401)


def test_use_is_recorded_coarsely_on_the_credential(testapp, factory, clock):
    """At most one write per five minutes: requests in between change nothing."""
    headers = factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)

    def last_used():
        return factory.read(
            lambda root: sorted(c.last_used for c in root.sessions.data.values() if c.last_used)
        )

    testapp.get("/api/", headers=headers)
    first = last_used()
    clock.advance(minutes=4, seconds=59)
    testapp.get("/api/", headers=headers)
    assert last_used() == first
    clock.advance(seconds=1)
    testapp.get("/api/", headers=headers)
    assert last_used() == [clock.now()]


def test_the_idle_limit_is_a_setting(settings):
    from webtest import TestApp

    from crunchusers import main
    from crunchusers.infra.clock import FrozenClock

    wsgi = main({}, **{**settings, "crunchusers.session_idle_seconds": "60"})
    wsgi.registry.crunchusers_clock = clock = FrozenClock()
    app = TestApp(wsgi)
    body = {"email": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD, "token": True}
    token = app.post_json("/api/public/login/", body).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    clock.advance(seconds=60)
    app.get("/api/", headers=headers, status=200)
    clock.advance(seconds=61)
    app.get("/api/", headers=headers, status=401)
