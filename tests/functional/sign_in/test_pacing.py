"""A refused login's answer is paced: its body waits
``refusal_delay_seconds`` in the response iterator (after the transaction
and the ZODB connection are gone), at most ``delayed_refusals`` at once, so
a client that ignores ``Retry-After`` cannot spin the server on refusals."""

import threading

import pytest
from webtest import TestApp

from crunchusers.views import pacing
from tests.factories import PASSWORD, Factory

from .helpers import attempt, fail


class Sleeps:
    """Stands in for ``time.sleep`` in the pacing module: records each delay
    and, while ``hold`` is set, keeps the sleeper until released."""

    def __init__(self):
        self.delays = []
        self.hold = False
        self.release = threading.Event()
        self.asleep = threading.Semaphore(0)

    def __call__(self, seconds):
        self.delays.append(seconds)
        if self.hold:
            self.asleep.release()
            assert self.release.wait(10)


@pytest.fixture
def sleeps(monkeypatch):
    fake = Sleeps()
    monkeypatch.setattr(pacing.time, "sleep", fake)
    return fake


@pytest.fixture
def paced(app_with):
    app = app_with(
        **{
            "crunchusers.login.failures_per_address": "1",
            "crunchusers.login.refusal_delay_seconds": "1.5",
            "crunchusers.login.delayed_refusals": "2",
        }
    )
    factory = Factory(app, TestApp(app))
    _, owner_id = factory.account()
    return factory, factory.email_of(owner_id)


def test_throttled_answers_wait_the_delay_and_401s_do_not(paced, sleeps):
    factory, email = paced
    fail(factory.testapp, email)  # the one failure allowed: a 401, not delayed
    assert sleeps.delays == []
    res = attempt(factory.testapp, email, PASSWORD, status=429)
    assert res.json["message"] and res.headers["Retry-After"]
    assert sleeps.delays == [1.5]


def test_no_more_than_delayed_refusals_wait_at_once(paced, sleeps):
    factory, email = paced
    fail(factory.testapp, email)
    sleeps.hold = True
    answers = []

    def refused():
        answers.append(attempt(TestApp(factory.app), email, status=429).status_int)

    held = [threading.Thread(target=refused) for _ in range(2)]
    for thread in held:
        thread.start()
    for _ in held:
        assert sleeps.asleep.acquire(timeout=10)  # both slots taken, both asleep
    for _ in range(5):  # beyond the two: answered at once, no sleep
        attempt(factory.testapp, email, status=429)
    assert sleeps.delays == [1.5, 1.5]
    sleeps.release.set()
    for thread in held:
        thread.join(10)
    assert answers == [429, 429]
    sleeps.hold = False
    attempt(factory.testapp, email, status=429)  # the slots were given back
    assert sleeps.delays == [1.5] * 3


def test_a_delayed_body_closed_unsent_gives_its_slot_back_once():
    released = []
    body = pacing.DelayedBody(b"{}", 1.0, lambda: released.append(1))
    body.close()  # the client went away before the body was sent
    body.close()
    assert released == [1]
