"""The durable outbox: mail (and mail-making jobs) waiting for delivery.

A request never talks to the mail server.  It writes an :class:`Envelope`
into the :class:`Outbox` in its own transaction, so the mail exists exactly
when the request's changes do (a failed or retried request leaves nothing
behind), and the delivery worker in :mod:`crunchusers.infra.mail` sends it.

The outbox lives in the ZODB root next to the API root.  Keys are
time-ordered and unique, so concurrent requests insert distinct keys and
the BTree resolves their writes without conflict; each envelope is its own
persistent object, so a worker claiming one does not touch the tree.  A
BTree cannot resolve a concurrent insert with the removal of a bucket's
first key, which is what a queue removes; a sentinel that stays first
(:data:`SENTINEL`) keeps removals off that key.
"""

import itertools
import secrets
import time

from persistent import Persistent

from .btrees import WideOOBTree

OUTBOX_KEY = "crunchusers.outbox"
MAIL = "mail"
SENTINEL = ""  # sorts before every key, never removed

_sequence = itertools.count()
_process = secrets.token_hex(4)


def new_key() -> str:
    """Time-ordered and unique across threads and processes."""
    return f"{time.time_ns():020d}-{_process}-{next(_sequence):08d}"


class Envelope(Persistent):
    """One mail (``kind == "mail"``, payload to/subject/body/sender) or one
    job that makes mail later (``kind`` names the job, payload its
    arguments).  A worker about to send it claims it until ``claimed_until``."""

    claimed_by = None
    claimed_until = None
    attempts = 0
    done = False  # sent (or dropped); removed by the next purge

    def __init__(self, kind: str, payload: dict, created=None):
        self.kind = kind
        self.payload = dict(payload)
        self.created = created

    def claimable(self, now) -> bool:
        return self.claimed_until is None or self.claimed_until < now


class Outbox(Persistent):
    def __init__(self):
        self.items = WideOOBTree({SENTINEL: None})

    def put(self, envelope: Envelope) -> str:
        key = new_key()
        self.items[key] = envelope
        return key

    def get(self, key: str) -> Envelope | None:
        return self.items.get(key) if key != SENTINEL else None

    def keys(self, limit: int = 100) -> list[str]:
        """The oldest ``limit`` keys, done or not."""
        return list(itertools.islice(self._keys(), limit))

    def pending(self, limit: int = 100) -> list[str]:
        """The oldest ``limit`` keys of envelopes not done yet."""
        return list(itertools.islice(self._pending(), limit))

    def has_pending(self) -> bool:
        return next(self._pending(), None) is not None

    def purge(self, limit: int = 1000) -> int:
        """Remove up to ``limit`` envelopes that are done."""
        done = [key for key in itertools.islice(self._keys(), limit) if self.items[key].done]
        for key in done:
            del self.items[key]
        return len(done)

    def _keys(self):
        return self.items.keys(min=SENTINEL, excludemin=True)

    def _pending(self):
        return (key for key in self._keys() if not self.items[key].done)


def ensure_outbox(zodb_root) -> Outbox:
    """The outbox, created on first start (idempotent)."""
    outbox = zodb_root.get(OUTBOX_KEY)
    if outbox is None:
        outbox = zodb_root[OUTBOX_KEY] = Outbox()
    return outbox


class Postbox:
    """A caller's way into the outbox: writes join the caller's transaction
    (``tm``), and its commit wakes the delivery worker so mail leaves at once."""

    def __init__(self, zodb_root, tm, now, wake=None):
        self.outbox = zodb_root[OUTBOX_KEY]
        self.tm = tm
        self.now = now
        self.wake = wake

    def mail(self, *, to: str, subject: str, body: str, sender: str):
        self._put(Envelope(MAIL, {"to": to, "subject": subject, "body": body, "sender": sender}))

    def job(self, kind: str, **payload):
        """Queue work the worker turns into mail (see ``mail.job``)."""
        self._put(Envelope(kind, payload))

    def _put(self, envelope):
        envelope.created = self.now()
        self.outbox.put(envelope)
        if self.wake is not None:
            self.tm.get().addAfterCommitHook(lambda committed: committed and self.wake())
