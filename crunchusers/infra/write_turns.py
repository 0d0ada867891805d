"""One request at a time, per process, on the write routes many clients
call at once (invites): their transactions take turns instead of running
side by side.

Why: a process runs one thread's Python at a time (the GIL), so write
transactions that run side by side gain no parallelism; they only cost each
other.  Each invite inserts into the same few BTrees (the users and their
email index, the account's member and name indexes, the link tokens, the
mail budget, the outbox); with 4 waitress threads every commit invalidated
the buckets the other threads' transactions then reloaded, most commits
had to resolve a conflict on a bucket (FileStorage does it under its commit
lock), and a bucket split made the others retry.  In-process
(``bench/invite_profile.py --threads 4``) an invite took 10.6 ms of CPU
(2.3 ms reloading buckets, 2.4 ms resolving conflicts, 0.2 retries an
invite) against 5.3 ms taking turns, and 88 invites/s became 160-180.

The turn is a performance device only: ZODB still detects every conflict
(with other processes, the mail worker, the routes that do not take turns),
and those are retried as before.  A request leaves its turn while it waits
for something else (:func:`paused`: a password hash in
:mod:`.hashing`), so a slow step never holds up the other writers; it may
then conflict as before.  The turn is taken outside the transaction (a tween
over pyramid_tm), so its snapshot is taken after the previous turn's commit.
"""

import threading
from contextlib import contextmanager

_held = threading.local()


class WriteTurns:
    """The process's turn for the write routes that take turns."""

    def __init__(self):
        self._lock = threading.Lock()

    @contextmanager
    def turn(self):
        self._lock.acquire()
        _held.turns = self
        try:
            yield
        finally:
            _held.turns = None
            self._lock.release()

    def _leave(self):
        self._lock.release()

    def _come_back(self):
        self._lock.acquire()


@contextmanager
def paused():
    """Give up the calling thread's turn, if it has one, while the block
    waits (on another thread's work); take it again after."""
    turns = getattr(_held, "turns", None)
    if turns is None:
        yield
        return
    turns._leave()
    try:
        yield
    finally:
        turns._come_back()
