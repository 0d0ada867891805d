"""Issue 7, items 10 and 16: the cap of two API keys per user holds under
concurrent creations, and no answer carrying credentials may be cached."""

import threading

from webtest import TestApp

from crunchusers import main
from crunchusers.infra.clock import FrozenClock
from crunchusers.infra.mail import stop_delivery
from crunchusers.infra.storage import get_db
from tests.factories import PASSWORD, Factory
from tests.functional.helpers import (
    LOGIN,
    cookie_login,
    new_key,
)

# -- item 10: the API key cap under concurrency ------------------------------


class GatheringClock(FrozenClock):
    """Holds each of the request ``threads`` at its first look at the clock
    (while its credentials are checked, after it opened its database view)
    until all of them are there: every creation then starts from the same
    snapshot, which is the race — without sleeping or timing.  Other
    threads (the mail worker) read it without waiting."""

    def __init__(self, threads):
        super().__init__()
        self.threads = frozenset(threads)
        self.barrier = threading.Barrier(len(self.threads), timeout=60)
        self.local = threading.local()

    def now(self):
        mine = threading.current_thread() in self.threads
        if mine and not getattr(self.local, "gathered", False):
            self.local.gathered = True
            self.barrier.wait()
        return super().now()


def test_item07_10_concurrent_api_key_creation_keeps_the_cap(settings, tmp_path):
    app = main({}, **{**settings, "zodbconn.uri": f"file://{tmp_path / 'Data.fs'}"})
    factory = Factory(app, TestApp(app))
    account_id, owner_id = factory.account()
    headers = factory.login(owner_id)
    threads = 10
    statuses = []

    def create():
        res = TestApp(app).post_json(
            "/api/apikeys/", new_key(), headers=headers, status="*", expect_errors=True
        )
        statuses.append(res.status_int)

    workers = [threading.Thread(target=create) for _ in range(threads)]
    app.registry.crunchusers_clock = GatheringClock(workers)
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    app.registry.crunchusers_clock = FrozenClock()
    try:
        keys = factory.read(
            lambda root: len(root.sessions.of_user(root.users[owner_id], "apikey"))
        )
    finally:
        stop_delivery(app.registry)  # its worker must not hold a connection
        get_db(app.registry).close()
    assert keys == 2
    assert sorted(statuses) == [201, 201] + [409] * (threads - 2)


# -- item 16: credentials are never cached -----------------------------------


def test_item07_16_answers_with_credentials_are_no_store(testapp, acme):
    res = cookie_login(testapp, acme.email("alice"), status=204)
    assert res.headers["Cache-Control"] == "no-store"
    res = testapp.post_json(
        LOGIN, {"email": acme.email("bob"), "password": PASSWORD, "token": True}, status=200
    )
    assert res.headers["Cache-Control"] == "no-store"
    assert res.content_type == "application/json" and res.json["token_type"] == "Bearer"
    res = testapp.post_json("/api/apikeys/", new_key(), headers=acme.headers("alice"), status=201)
    assert res.headers["Cache-Control"] == "no-store"
