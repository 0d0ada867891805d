"""Short-lived records found by a random bearer secret, kept server-side.

Sign-ins in progress (OpenID flows, second-factor challenges) each hold
what the next step must check.  A record is keyed by the SHA-256 of its
secret (a random 256-bit token, as in ``infra.tokens``: shown once, never
stored), carries its own ``expires`` on the injectable clock (exactly at
expiry still works) and is dropped once used.

Storage stays bounded without a scan: each new record first purges a few
expired ones through an expiry index.  The three structures merge concurrent
inserts (BTrees keyed by random digests, ``Length``), so parallel sign-ins
do not conflict; a record's own changes write only the record.
"""

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree, OOTreeSet
from persistent import Persistent

from ...infra.tokens import hash_token, new_token

#: Expired records removed per new record: more than one, so the store shrinks.
PURGE_BATCH = 8


class TokenKeyed(Persistent):
    """Records with an ``expires`` attribute, by the hash of their token."""

    def __init__(self):
        self.data = OOBTree()  # hash(token) -> record
        self.by_expiry = OOTreeSet()  # (expires, hash(token))
        self.count = Length()

    def add(self, record, now) -> str:
        """Purge a batch, store ``record`` and return its fresh token."""
        self.purge(now)
        return self.store(record)

    def store(self, record) -> str:
        """Store ``record`` and return its fresh token (shown once)."""
        token = new_token()
        digest = hash_token(token)
        self.data[digest] = record
        self.by_expiry.add((record.expires, digest))
        self.count.change(1)
        return token

    def live(self, token, now):
        """The unexpired record of ``token``, left in place; None for an
        unknown, used or expired one (an expired one is dropped)."""
        if not isinstance(token, str) or not token:
            return None
        digest = hash_token(token)
        record = self.data.get(digest)
        if record is None:
            return None
        if now > record.expires:
            self._remove(digest, record)
            return None
        return record

    def take(self, token, now):
        """The live record of ``token``, removed so that it works once."""
        record = self.live(token, now)
        if record is not None:
            self.discard(token)
        return record

    def discard(self, token):
        """Drop the record of ``token`` (used up), if any."""
        digest = hash_token(token)
        record = self.data.get(digest)
        if record is not None:
            self._remove(digest, record)

    def purge(self, now, batch: int = PURGE_BATCH):
        """Remove up to ``batch`` records that expired before ``now``."""
        expired = []
        for expires, digest in self.by_expiry:
            if expires >= now or len(expired) >= batch:
                break
            expired.append(digest)
        for digest in expired:
            self._remove(digest, self.data[digest])

    def _remove(self, digest, record):
        del self.data[digest]
        self.by_expiry.remove((record.expires, digest))
        self.count.change(-1)

    def __len__(self):
        return self.count()
