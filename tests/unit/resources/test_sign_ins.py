"""Sign-in records merge concurrent writes: two transactions from the same
snapshot, on a FileStorage (which resolves conflicts), both commit."""

from datetime import UTC, datetime, timedelta

import pytest
import transaction
from ZODB import DB
from ZODB.FileStorage import FileStorage
from ZODB.POSException import ConflictError

from crunchusers.domain.resources.sign_ins import (
    Journal,
    LastSignIn,
    Throttle,
    entry_key,
    slack,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def db(tmp_path):
    database = DB(FileStorage(str(tmp_path / "Data.fs")))
    yield database
    database.close()


def race(db, make, first, second, read):
    """Commit ``make()`` as root["x"], then run ``first`` and ``second`` on it
    in two transactions from the same snapshot; commit both, in order; what
    ``read`` says of the result."""
    managers = [transaction.TransactionManager(explicit=True) for _ in range(3)]
    conns = [db.open(transaction_manager=m) for m in managers]
    try:
        with managers[0]:
            conns[0].root()["x"] = make()
        for manager in managers[1:]:
            manager.begin()
        first(conns[1].root()["x"])
        second(conns[2].root()["x"])
        managers[1].commit()
        try:
            managers[2].commit()
        except ConflictError:
            managers[2].abort()
            raise
        with managers[0]:
            return read(conns[0].root()["x"])
    finally:
        for conn in conns:
            conn.close()


def test_concurrent_entries_of_one_journal_merge(db):
    def make():
        journal = Journal()
        journal.add(T0, {"n": 0}, 100)
        return journal

    count, entries = race(
        db,
        make,
        lambda j: j.add(T0 + timedelta(seconds=1), {"n": 1, "ip": None}, 100),
        lambda j: j.add(T0 + timedelta(seconds=2), {"n": 2, "ip": "192.0.2.1"}, 100),
        lambda j: (len(j), [entry for _, entry in j.page(0, 10)]),
    )
    assert count == 3
    assert [entry["n"] for entry in entries] == [2, 1, 0]
    assert entries[0]["time"] == T0 + timedelta(seconds=2)


def test_a_journal_keeps_its_bound_and_trims_the_oldest_with_some_slack():
    journal = Journal()
    for n in range(10 + slack(10)):
        journal.add(T0 + timedelta(seconds=n), {"n": n}, 10)
    assert len(journal) == 10 + slack(10)  # not trimmed yet
    journal.add(T0 + timedelta(seconds=99), {"n": 99}, 10)
    assert len(journal) == 10
    assert [e["n"] for _, e in journal.page(0, 20)] == [99, *range(10, 1, -1)]


def test_entry_ids_round_trip_and_malformed_ones_name_nothing():
    journal = Journal()
    ident = journal.add(T0, {"n": 1}, 10)
    assert journal.get(ident)["n"] == 1
    for bad in ("", "x", "1-2", "1-2-3-4", "a-2-ff", "1-b-ff", "1-2-f f", "9" * 30 + "-1-ff"):
        assert entry_key(bad) is None or journal.get(bad) is None


def test_the_later_of_two_concurrent_sign_ins_is_the_last_one(db):
    last = race(
        db,
        LastSignIn,
        lambda r: r.record(T0 + timedelta(seconds=5), "192.0.2.5", "token"),
        lambda r: r.record(T0 + timedelta(seconds=3), "192.0.2.3", "password"),
        lambda r: (r.at, r.ip, r.method),
    )
    assert last == (T0 + timedelta(seconds=5), "192.0.2.5", "token")


def test_concurrent_failures_from_one_address_add_up(db):
    def make():
        throttle = Throttle()
        throttle.fail(7, "ip:192.0.2.1")
        return throttle

    def fail(throttle):
        throttle.fail(7, "ip:192.0.2.1")

    assert race(db, make, fail, fail, lambda t: t.failures(7, "ip:192.0.2.1")) == 3


def test_two_first_failures_of_one_key_conflict_so_that_neither_is_lost(db):
    """Both create the key's counter: a conflict, which pyramid_retry retries."""

    def fail(throttle):
        throttle.fail(7, "k")

    with pytest.raises(ConflictError):
        race(db, Throttle, fail, fail, lambda t: None)


def test_a_new_window_drops_the_older_ones():
    throttle = Throttle()
    throttle.fail(1, "k")
    throttle.fail(2, "k")
    assert list(throttle.windows) == [2]
    assert throttle.failures(1, "k") == 0 and throttle.failures(2, "k") == 1
