"""The hashing gate: a fixed set of threads, at most ``slots`` hashes at
once, at most ``waiting`` more queued, and everything beyond refused at once
(or after ``wait_seconds`` in the queue) — never a thread per attempt."""

import os
import threading

import pytest

from crunchusers.infra.hashing import NICENESS, HashGate, HashingBusy


def wait_until(gate, predicate):
    """Block until ``predicate()`` holds for the gate's state (it notifies)."""
    with gate.lock:
        assert gate.lock.wait_for(predicate, timeout=10), "the gate never got there"


class Blocker:
    """Work that holds its hashing slot until released."""

    def __init__(self):
        self.release = threading.Event()

    def __call__(self):
        assert self.release.wait(10)
        return "done"


def submit(gate, work, results):
    def run():
        try:
            results.append(gate.run(work))
        except HashingBusy:
            results.append("busy")

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_never_more_than_slots_at_once_and_the_rest_waits_its_turn():
    gate = HashGate(slots=2, waiting=30, wait_seconds=30)
    blocker, results = Blocker(), []
    threads = [submit(gate, blocker, results) for _ in range(20)]
    wait_until(gate, lambda: gate.running == 2 and len(gate.queue) == 18)
    blocker.release.set()
    for thread in threads:
        thread.join(10)
    assert results == ["done"] * 20
    assert gate.peak == 2
    assert len(gate.threads) == 2  # the same two threads did all 20


def test_beyond_slots_and_queue_the_attempt_is_refused_at_once():
    gate = HashGate(slots=1, waiting=1, wait_seconds=30)
    blocker, results = Blocker(), []
    running = submit(gate, blocker, results)
    wait_until(gate, lambda: gate.running == 1)
    queued = submit(gate, blocker, results)
    wait_until(gate, lambda: len(gate.queue) == 1)
    threads_before = threading.active_count()
    for _ in range(50):  # a flood: each refused in the caller's thread, no new thread
        with pytest.raises(HashingBusy):
            gate.run(blocker)
    assert threading.active_count() == threads_before
    assert gate.refused == 50
    blocker.release.set()
    running.join(10)
    queued.join(10)
    assert results == ["done", "done"]


def test_a_hash_waiting_longer_than_wait_seconds_gives_up_its_place():
    gate = HashGate(slots=1, waiting=5, wait_seconds=0.05)
    blocker, results = Blocker(), []
    running = submit(gate, blocker, results)
    wait_until(gate, lambda: gate.running == 1)
    with pytest.raises(HashingBusy):
        gate.run(lambda: "never")  # the slot stays taken past wait_seconds
    assert len(gate.queue) == 0
    blocker.release.set()
    running.join(10)
    assert gate.run(lambda: 42) == 42


def test_errors_of_the_work_reach_the_caller_and_the_slot_is_freed():
    gate = HashGate(slots=1, waiting=0, wait_seconds=5)

    def broken():
        raise ValueError("bad hash")

    with pytest.raises(ValueError, match="bad hash"):
        gate.run(broken)
    assert gate.run(lambda: "fine") == "fine"
    assert gate.running == 0


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="Linux thread priorities")
def test_hashing_threads_run_at_a_lower_priority_than_requests():
    gate = HashGate(slots=1, waiting=0, wait_seconds=5)
    niceness = gate.run(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert niceness == min(mine + NICENESS, 19)


def test_idle_threads_end_and_the_next_hash_starts_another(monkeypatch):
    from crunchusers.infra import hashing

    monkeypatch.setattr(hashing, "IDLE_SECONDS", 0.01)
    gate = HashGate(slots=1, waiting=0, wait_seconds=5)
    thread = gate.run(threading.current_thread)  # the hashing thread itself
    thread.join(10)
    assert not thread.is_alive() and gate.threads == []
    assert gate.run(lambda: 2) == 2
    assert len(gate.threads) == 1
