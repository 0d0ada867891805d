"""Stored credentials: login sessions, API keys and one-time link tokens.

Only SHA-256 hashes of the secrets are keys here (see ``tokens.py``).  The
user keeps the set of its session hashes so that all of them can be killed at
once (logout everywhere, status change, removal) without a scan.
"""

from BTrees.OOBTree import OOBTree
from persistent import Persistent
from ZODB.POSException import ConflictError

from ...infra.tokens import hash_token, new_id, new_token


class Session(Persistent):
    """A bearer credential: a login session (``kind='session'``) or an API key."""

    kind = "session"
    name = ""
    last_used = None
    public_id = None

    def __init__(self, user_id, created, expires, kind="session", name=""):
        self.public_id = new_id()  # names an API key in URLs; never the secret
        self.user_id = user_id
        self.created = created
        self.expires = expires
        self.kind = kind
        self.name = name

    def is_live(self, now) -> bool:
        return self.expires is None or now <= self.expires

    def _p_resolveConflict(self, old, committed, new):
        """Requests that stamp ``last_used`` at once (an API key shared by
        parallel clients, at most once an hour) merge, the later stamp
        winning, instead of one of them being retried.  Any other concurrent
        change still conflicts."""
        rest = _without_last_used(old)
        if _without_last_used(committed) != rest or _without_last_used(new) != rest:
            raise ConflictError(object=self)
        stamps = [s for s in (committed.get("last_used"), new.get("last_used")) if s is not None]
        return {**new, "last_used": max(stamps)} if stamps else new


def _without_last_used(state) -> dict:
    return {key: value for key, value in (state or {}).items() if key != "last_used"}


class KeyGuard(Persistent):
    """Written by every API key creation of one user.  A plain Persistent
    without conflict resolution, on purpose: two concurrent creations both
    write it, so one of them conflicts, is retried by pyramid_retry and then
    counts the key the other committed (the BTrees holding the keys merge
    concurrent inserts and would let both through)."""

    writes = 0

    def touch(self):
        self.writes += 1


class Sessions(Persistent):
    #: user id -> KeyGuard; created lazily so older databases need no migration.
    key_guards = None

    def __init__(self):
        self.data = OOBTree()
        self.key_guards = OOBTree()

    def guard_key_creation(self, user):
        """Make this transaction conflict with any concurrent key creation of
        ``user`` (see :class:`KeyGuard`); call before counting its keys."""
        if self.key_guards is None:
            self.key_guards = OOBTree()
        guard = self.key_guards.get(user.__name__)
        if guard is None:
            # Two first creations insert the same key, which a BTree bucket
            # may merge; writing this object too makes them conflict.
            guard = self.key_guards[user.__name__] = KeyGuard()
            self._p_changed = True
        guard.touch()

    def start(self, user, now, lifetime, kind="session", name="", prefix=""):
        """Create a credential for ``user`` and return the raw secret (shown once)."""
        token = new_token(prefix)
        digest = hash_token(token)
        expires = now + lifetime if lifetime is not None else None
        self.data[digest] = Session(user.__name__, now, expires, kind, name)
        user.session_hashes.add(digest)
        return token

    def lookup(self, token: str, now):
        """The live session for a raw token, or None (expired ones are not returned)."""
        if not token:
            return None
        session = self.data.get(hash_token(token))
        if session is None or not session.is_live(now):
            return None
        return session

    def of_user(self, user, kind: str):
        """The user's credentials of one kind (a user has few: no scan)."""
        found = (self.data.get(digest) for digest in user.session_hashes)
        return [s for s in found if s is not None and s.kind == kind]

    def end_by_public_id(self, user, public_id: str) -> bool:
        for digest in list(user.session_hashes):
            session = self.data.get(digest)
            if session is not None and session.public_id == public_id:
                del self.data[digest]
                user.session_hashes.remove(digest)
                return True
        return False

    def end(self, token: str, user):
        digest = hash_token(token)
        self.data.pop(digest, None)
        if digest in user.session_hashes:
            user.session_hashes.remove(digest)

    def end_all(self, user, kind: str | None = None):
        """End every session (or every one of ``kind``) of the user."""
        for digest in list(user.session_hashes):
            session = self.data.get(digest)
            if session is None or kind is None or session.kind == kind:
                self.data.pop(digest, None)
                user.session_hashes.remove(digest)


class LinkToken(Persistent):
    """A one-time secret mailed in a link (invitation, password reset);
    redeeming deletes it, so a used token is simply unknown."""

    def __init__(self, user_id, purpose, expires):
        self.user_id = user_id
        self.purpose = purpose
        self.expires = expires


class LinkTokens(Persistent):
    """One live link token per user and purpose: issuing a new one kills the old."""

    def __init__(self):
        self.data = OOBTree()
        self.by_user = OOBTree()  # (user_id, purpose) -> digest

    def issue(self, user, purpose, now, lifetime) -> str:
        self.revoke(user, purpose)
        token = new_token()
        digest = hash_token(token)
        self.data[digest] = LinkToken(user.__name__, purpose, now + lifetime)
        self.by_user[(user.__name__, purpose)] = digest
        return token

    def revoke(self, user, purpose):
        old = self.by_user.pop((user.__name__, purpose), None)
        if old:
            self.data.pop(old, None)

    def redeem(self, token: str, purposes: tuple[str, ...], now):
        """The user id a valid token was issued to, consuming it; else None.

        Valid means: known, of one of ``purposes``, and ``now`` is not past
        its expiry (exactly at expiry still works).
        """
        if not isinstance(token, str) or not token:
            return None
        digest = hash_token(token)
        link = self.data.get(digest)
        if link is None or link.purpose not in purposes or now > link.expires:
            return None
        del self.data[digest]
        self.by_user.pop((link.user_id, link.purpose), None)
        return link.user_id
