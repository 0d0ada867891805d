"""Concurrent writes: a real ZODB ConflictError is retried and nothing is lost."""

import random
import threading

import pytest
from webtest import TestApp

from crunchusers import main
from crunchusers.views.retry import MAX_BACKOFF_SECONDS, backoff_seconds
from tests.functional import conflict_view


def test_conflicting_request_is_retried_and_both_writes_survive(settings):
    conflict_view.ATTEMPTS.clear()
    app = main({}, **{**settings, "pyramid.includes": "tests.functional.conflict_view"})
    res = TestApp(app).get("/test/conflict/", status=200)
    assert len(conflict_view.ATTEMPTS) == 2  # first attempt conflicted
    assert res.json["counter"] == 101  # the competing +100 and our +1 both landed


def test_retry_attempts_default_to_ten(app):
    assert int(app.registry.settings["retry.attempts"]) == 10


def test_the_backoff_before_a_retry_is_random_under_a_doubling_cap():
    rng = random.Random(12)
    for attempt, cap in [(0, 0.02), (1, 0.04), (5, 0.64), (6, MAX_BACKOFF_SECONDS), (9, 1.0)]:
        waits = [backoff_seconds(attempt, 0.02, rng) for _ in range(200)]
        assert all(0 <= wait <= cap for wait in waits)
        assert max(waits) > cap * 0.9 and min(waits) < cap * 0.1  # spread over the range


@pytest.mark.parametrize("threads", [8])
def test_concurrent_user_creation_loses_nothing(settings, tmp_path, threads):
    """Many threads inserting into the same BTrees: every write commits.

    On a FileStorage, as deployed: it resolves BTree conflicts, which the
    in-memory MappingStorage cannot (there only retries help, by luck)."""
    from tests.factories import Factory

    app = main({}, **{**settings, "zodbconn.uri": f"file://{tmp_path / 'Data.fs'}"})
    factory = Factory(app, TestApp(app))
    account_id, owner_id = factory.account()
    headers = factory.login(owner_id)
    errors = []

    def create(n):
        testapp = TestApp(app)
        for i in range(5):
            res = testapp.post_json(
                "/api/account/users/",
                {
                    "element": "shoji:entity",
                    "body": {"email": f"t{n}-{i}@example.com", "name": f"T {n} {i}"},
                },
                headers=headers,
                status="*",
            )
            if res.status_int != 201:
                errors.append(res.status)

    workers = [threading.Thread(target=create, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    count = factory.read(lambda root: len(root.accounts[account_id].user_ids))
    assert count == 1 + threads * 5
