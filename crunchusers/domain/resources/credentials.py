"""Stored credentials: login sessions, API keys and one-time link tokens.

Words: a *credential* is a stored bearer secret of one of two kinds, a
*login session* (``LOGIN_SESSION``: made by logging in, ended by logging
out) or an *API key* (``API_KEY``: made by a script's owner, named, listed
under ``/api/apikeys/``).  A *link token* is a one-time secret mailed in a
link.

Only SHA-256 hashes of the secrets are keys here (see ``infra.tokens``).
The user keeps the set of its credential hashes (``User.session_hashes``, the
name it had before API keys) so that all of them can be ended at once
(logout everywhere, status change, removal) without a scan.
"""

from BTrees.OOBTree import OOBTree
from persistent import Persistent

from ...infra.tokens import hash_token, new_id, new_token

#: The two kinds of credential, as stored in ``Credential.kind``.
LOGIN_SESSION = "session"
API_KEY = "apikey"


class Credential(Persistent):
    """A bearer credential: a login session or an API key (``kind``)."""

    kind = LOGIN_SESSION
    name = ""
    last_used = None
    public_id = None

    def __init__(self, user_id, created, expires, kind=LOGIN_SESSION, name=""):
        self.public_id = new_id()  # names an API key in URLs; never the secret
        self.user_id = user_id
        self.created = created
        self.expires = expires
        self.kind = kind
        self.name = name

    def is_live(self, now) -> bool:
        return self.expires is None or now <= self.expires


#: The class's name before API keys: pickles in existing databases name it.
Session = Credential


class KeyGuard(Persistent):
    """Written by every API key creation of one user.  A plain Persistent
    without conflict resolution, on purpose: two concurrent creations both
    write it, so one of them conflicts, is retried by pyramid_retry and then
    counts the key the other committed (the BTrees holding the keys merge
    concurrent inserts and would let both through)."""

    writes = 0

    def touch(self):
        self.writes += 1


class Credentials(Persistent):
    """Every live credential by the hash of its secret (``ApiRoot.credentials``)."""

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

    def start(self, user, now, lifetime, kind=LOGIN_SESSION, name="", prefix=""):
        """Create a credential for ``user`` and return the raw secret (shown once)."""
        token = new_token(prefix)
        digest = hash_token(token)
        expires = now + lifetime if lifetime is not None else None
        self.data[digest] = Credential(user.__name__, now, expires, kind, name)
        user.session_hashes.add(digest)
        return token

    def lookup(self, token: str, now):
        """The live credential for a raw token, or None (expired ones are not returned)."""
        if not token:
            return None
        credential = self.data.get(hash_token(token))
        if credential is None or not credential.is_live(now):
            return None
        return credential

    def of_user(self, user, kind: str):
        """The user's credentials of one kind (a user has few: no scan)."""
        found = (self.data.get(digest) for digest in user.session_hashes)
        return [c for c in found if c is not None and c.kind == kind]

    def end_by_public_id(self, user, public_id: str) -> bool:
        for digest in list(user.session_hashes):
            credential = self.data.get(digest)
            if credential is not None and credential.public_id == public_id:
                del self.data[digest]
                user.session_hashes.remove(digest)
                return True
        return False

    def end(self, token: str, user):
        digest = hash_token(token)
        self.data.pop(digest, None)
        if digest in user.session_hashes:
            user.session_hashes.remove(digest)

    def end_all(self, user, kind: str | None = None, keep: str | None = None):
        """End every credential (or every one of ``kind``) of the user, except
        the one whose raw token is ``keep``."""
        kept = hash_token(keep) if keep else None
        for digest in list(user.session_hashes):
            credential = self.data.get(digest)
            if digest == kept:
                continue
            if credential is None or kind is None or credential.kind == kind:
                self.data.pop(digest, None)
                user.session_hashes.remove(digest)


#: The class's name before API keys: pickles in existing databases name it.
Sessions = Credentials


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

    def _live(self, token, purposes, now):
        """``(digest, link)`` of a valid token, else None.

        Valid means: known, of one of ``purposes`` (any, when None), and
        ``now`` is not past its expiry (exactly at expiry still works).
        """
        if not isinstance(token, str) or not token:
            return None
        digest = hash_token(token)
        link = self.data.get(digest)
        if link is None or (purposes is not None and link.purpose not in purposes):
            return None
        if now > link.expires:
            return None
        return digest, link

    def peek(self, token: str, purposes: tuple[str, ...], now):
        """The user id a valid token was issued to, leaving it valid; else None."""
        found = self._live(token, purposes, now)
        return found[1].user_id if found else None

    def purpose_of(self, token: str, now) -> str | None:
        """The purpose of a valid token, leaving it valid (the page behind a
        mailed link shows what the link does); else None."""
        found = self._live(token, None, now)
        return found[1].purpose if found else None

    def redeem(self, token: str, purposes: tuple[str, ...], now):
        """The user id a valid token was issued to, consuming it; else None."""
        found = self._live(token, purposes, now)
        if found is None:
            return None
        digest, link = found
        del self.data[digest]
        self.by_user.pop((link.user_id, link.purpose), None)
        return link.user_id
