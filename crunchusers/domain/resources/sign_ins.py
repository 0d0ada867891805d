"""What the server remembers about signing in, kept off the ``User`` object.

Every login used to rewrite the ``User``; concurrent logins of one user (a
service account shared by parallel scripts) then conflicted, and each
retry ran argon2 again.  Here each thing a login writes is its own
persistent object whose concurrent writes merge:

* :class:`Journal` — a bounded, newest-first log (login history, tracked
  requests): an ``OOBTree`` keyed by a time-ordered unique key, whose
  buckets merge concurrent inserts of different keys, and a
  ``BTrees.Length`` count, which merges concurrent increments;
* :class:`LastSignIn` — time, address and method of the latest successful
  sign-in; two concurrent writes resolve to the later one;
* :class:`UserSignIns` itself holds only what changes rarely: the count of
  consecutive failures (written by failures, and by a success after
  failures) and the activity tracking switch;
* :class:`Throttle` — failed attempts per login name and per client
  address in fixed windows of the injectable clock, as ``Length`` counters,
  so concurrent failures from one address add up without conflicting.

All of it is in the ZODB, so every server process on one database
(RelStorage, ZEO) shares counters, throttles, history and lockouts.
"""

import itertools
import secrets
from datetime import UTC, datetime, timedelta

from BTrees.IOBTree import IOBTree
from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from persistent import Persistent

from ...infra.tokens import hash_token

#: Orders entries made in the same microsecond by one process.
_SEQUENCE = itertools.count()


def micros(moment) -> int:
    return int(moment.timestamp() * 1_000_000)


class JournalTree(OOBTree):
    """An OOBTree whose leaves hold 256 entries instead of 30.

    Each new entry is the smallest key, so with 30-entry leaves the first
    leaf split every 15 entries, and a split changes the tree node that
    every concurrent insert checks (BTrees' ``readCurrent``): concurrent
    logins of one user conflicted nearly every time.  Up to 256 entries the
    tree is one bucket, whose concurrent inserts (and trims at the other
    end) merge.  The price: each entry rewrites that bucket (~20 KB for 100
    login attempts).
    """

    max_leaf_size = 256
    max_internal_size = 256


def slack(bound: int) -> int:
    """How far a journal may grow past its bound before it is trimmed."""
    return max(1, bound // 10)


class Journal(Persistent):
    """The newest ``bound`` entries, newest first, and up to :func:`slack`
    more: trimming only every so often keeps concurrent writers from
    deleting the same oldest entry each time.

    Keys are ``(-microseconds, -sequence, nonce)``: iterating the tree goes
    from the newest entry, the oldest is ``maxKey()``, and keys made by
    different processes in the same microsecond still differ.  An entry is
    stored as a tuple of its ``(name, value)`` pairs, not a dict: bucket
    conflict resolution compares values with ``<``, which dicts refuse (so
    every concurrent insert would conflict).  Its time is its key's.
    """

    def __init__(self):
        self.entries = JournalTree()
        self.count = Length()

    def add(self, now, entry: dict, bound: int) -> str:
        """Store ``entry`` (str, int or None values) as made at ``now``."""
        key = (-micros(now), -next(_SEQUENCE), secrets.token_hex(4))
        self.entries[key] = tuple(entry.items())
        self.count.change(1)
        if self.count() > bound + slack(bound):
            while self.count() > bound:
                del self.entries[self.entries.maxKey()]
                self.count.change(-1)
        return entry_id(key)

    def __len__(self) -> int:
        return self.count()

    def page(self, start: int, size: int) -> list[tuple[str, dict]]:
        """``size`` entries from the ``start``-th newest, as ``(id, entry)``
        with the entry's ``time`` (an aware UTC datetime)."""
        items = itertools.islice(self.entries.items(), start, start + size)
        return [(entry_id(key), as_entry(key, pairs)) for key, pairs in items]

    def get(self, ident: str) -> dict | None:
        key = entry_key(ident)
        pairs = self.entries.get(key) if key is not None else None
        return as_entry(key, pairs) if pairs is not None else None


def as_entry(key, pairs) -> dict:
    time = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=-key[0])
    return {"time": time, **dict(pairs)}


def entry_id(key) -> str:
    """The URL-safe id of a journal key."""
    time, sequence, nonce = key
    return f"{-time}-{-sequence}-{nonce}"


def entry_key(ident: str):
    """The journal key an id names, or None for anything malformed."""
    parts = ident.split("-") if isinstance(ident, str) else ()
    if len(parts) != 3 or not all(p.isascii() and p.isalnum() for p in parts):
        return None
    time, sequence, nonce = parts
    if not (time.isdigit() and sequence.isdigit() and len(time) <= 20 and len(sequence) <= 20):
        return None
    return (-int(time), -int(sequence), nonce)


class LastSignIn(Persistent):
    """The latest successful sign-in; concurrent writes keep the later one."""

    at = None
    ip = None
    method = None

    def record(self, at, ip, method):
        self.at, self.ip, self.method = at, ip, method

    def _p_resolveConflict(self, old, committed, new):
        def moment(state):
            return (state or {}).get("at")

        if moment(committed) is None:
            return new
        if moment(new) is None:
            return committed
        return new if moment(new) > moment(committed) else committed


class UserSignIns(Persistent):
    """One user's sign-in record (``SignIns.users[user_id]``)."""

    #: Consecutive failed logins while active (reset by a success or an unlock).
    failures = 0
    #: Whether each of the user's requests is recorded (``activity``).
    tracking = False
    activity = None

    def __init__(self):
        self.last = LastSignIn()
        self.history = Journal()

    def track(self, on: bool):
        if on and self.activity is None:
            self.activity = Journal()
        self.tracking = on


class Throttle(Persistent):
    """Failed attempts per key (a login name's digest, a client address)
    in fixed windows; creating a window drops the older ones."""

    def __init__(self):
        self.windows = IOBTree()  # window number -> OOBTree(key -> Length)

    def counts(self, window: int, create=False):
        counts = self.windows.get(window)
        if counts is None and create:
            for old in list(self.windows.keys(max=window, excludemax=True)):
                del self.windows[old]
            counts = self.windows[window] = OOBTree()
        return counts

    def failures(self, window: int, key: str) -> int:
        counts = self.counts(window)
        counter = counts.get(key) if counts is not None else None
        return counter() if counter is not None else 0

    def fail(self, window: int, key: str):
        counts = self.counts(window, create=True)
        counter = counts.get(key)
        if counter is None:
            counter = counts[key] = Length()
        counter.change(1)


def address_key(login_name: str) -> str:
    """The throttle key of a login name: a digest, so no stranger's address
    is stored in clear."""
    return "name:" + hash_token(login_name.strip().casefold())


def ip_key(ip: str | None) -> str:
    return f"ip:{ip or 'unknown'}"


class SignIns(Persistent):
    """``ApiRoot.sign_ins``: per-user records and the login throttle."""

    def __init__(self):
        self.users = OOBTree()
        self.throttle = Throttle()

    def of(self, user) -> UserSignIns | None:
        return self.users.get(user.__name__)

    def for_user(self, user) -> UserSignIns:
        record = self.users.get(user.__name__)
        if record is None:
            record = self.users[user.__name__] = UserSignIns()
        return record

    def forget(self, user):
        self.users.pop(user.__name__, None)
