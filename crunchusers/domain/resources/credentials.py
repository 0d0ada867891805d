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

API keys also appear in the resource tree, at ``/api/apikeys/<public id>/``
(:class:`ApiKeys`, :class:`ApiKey`), so that the security policy guards them
with an ACL like every other resource.
"""

from datetime import timedelta
from itertools import chain, islice

from BTrees.OOBTree import OOBTree
from persistent import Persistent
from ZODB.POSException import ConflictError

from ...authz.acl import apikey_acl
from ...infra.btrees import WideOOBTree
from ...infra.clock import TICK
from ...infra.jwt_tokens import looks_like_jwt, new_signing_key, sign, verified_id
from ...infra.tokens import hash_token, new_id, new_token
from ..exceptions import Conflict

#: How stale ``Credential.last_used`` may be: the idle timeout counts from it.
LAST_USED_RESOLUTION = timedelta(minutes=5)

#: Credentials each login looks at for :meth:`Credentials.purge_some`.
PURGE_AT_LOGIN = 10

#: ``(ip, user agent)`` of a credential not opened by a login.
NO_CLIENT = (None, None)

#: The two kinds of credential, as stored in ``Credential.kind``.
LOGIN_SESSION = "session"
API_KEY = "apikey"


class Credential(Persistent):
    """A bearer credential: a login session or an API key (``kind``)."""

    kind = LOGIN_SESSION
    name = ""
    last_used = None
    public_id = None
    #: Where a login session was opened (shown in the user's session list).
    ip = None
    user_agent = None

    def __init__(self, user_id, created, expires, kind=LOGIN_SESSION, name=""):
        self.public_id = new_id()  # names an API key in URLs; never the secret
        self.user_id = user_id
        self.created = created
        self.expires = expires
        self.kind = kind
        self.name = name

    def is_live(self, now) -> bool:
        return self.expires is None or now <= self.expires

    def idle_past(self, now, limit) -> bool:
        """A login session unused for longer than ``limit`` has ended (API
        keys never idle out).  Exactly ``limit`` after the last use works."""
        return self.kind == LOGIN_SESSION and now - (self.last_used or self.created) > limit

    def older_than(self, now, lifetime) -> bool:
        """A login session older than ``lifetime`` has ended, whatever its
        stored expiry (the account may have shortened it since; API keys
        keep theirs).  Exactly ``lifetime`` after its start still works."""
        return self.kind == LOGIN_SESSION and now - self.created > lifetime

    def ends_at(self, lifetime):
        """When a login session ends at the latest: its stored expiry, or
        ``lifetime`` after its start if that is sooner."""
        latest = self.created + lifetime
        return latest if self.expires is None else min(self.expires, latest)

    def lets_in_until(self, idle, lifetime, token_expiry=None):
        """The last moment at which this credential still lets its user in
        exactly as it does now, with no write: the earliest of its expiry
        (``token_expiry``, a JWT's own, may be earlier), the end of its idle
        time and of ``lifetime``, and the moment before :meth:`touch` would
        stamp it again.  The read cache keeps an answer until then."""
        ends = [self.expires, token_expiry]
        if self.kind == LOGIN_SESSION:
            used = self.last_used or self.created
            ends += [used + idle, self.created + lifetime]
        if self.last_used is not None:
            ends.append(self.last_used + LAST_USED_RESOLUTION - TICK)
        return min(end for end in ends if end is not None) if any(ends) else None

    def live_until(self, idle):
        """The last moment :meth:`has_ended` is false (None: never ends)."""
        ends = [self.expires]
        if self.kind == LOGIN_SESSION:
            ends.append((self.last_used or self.created) + idle)
        return min((end for end in ends if end is not None), default=None)

    def has_ended(self, now, idle) -> bool:
        """Expired, or a login session idle past ``idle``: it lets nobody in."""
        return not self.is_live(now) or self.idle_past(now, idle)

    def touch(self, now):
        """Record a use, coarsely: at most one write per
        :data:`LAST_USED_RESOLUTION`, and on this object only (never the
        user), so concurrent requests of one user rarely conflict."""
        if self.last_used is None or now - self.last_used >= LAST_USED_RESOLUTION:
            self.last_used = now

    def _p_resolveConflict(self, old, committed, new):
        """Requests that stamp ``last_used`` at once (a credential shared by
        parallel clients, at most once per :data:`LAST_USED_RESOLUTION`)
        merge, the later stamp winning, instead of one of them being
        retried.  Any other concurrent change still conflicts."""
        rest = _without_last_used(old)
        if _without_last_used(committed) != rest or _without_last_used(new) != rest:
            raise ConflictError(object=self)
        stamps = [s for s in (committed.get("last_used"), new.get("last_used")) if s is not None]
        return {**new, "last_used": max(stamps)} if stamps else new


def _without_last_used(state) -> dict:
    return {key: value for key, value in (state or {}).items() if key != "last_used"}


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
    #: public id -> digest of every API key (:meth:`ensure_key_index`).
    key_index = None
    #: The key API tokens are signed with, unless ``crunchusers.jwt_secret``
    #: is set (:mod:`crunchusers.infra.jwt_tokens`); made at start-up.
    signing_key = None

    def __init__(self):
        self.data = WideOOBTree()
        self.key_guards = OOBTree()
        self.key_index = OOBTree()

    def ensure_key_index(self):
        """Index the API keys of a database older than the index (start-up)."""
        if self.key_index is None:
            self.key_index = OOBTree()
            for digest, session in self.data.items():
                if session.kind == API_KEY:
                    self.key_index[session.public_id] = digest

    def ensure_signing_key(self):
        """Generate the database's JWT signing key once (start-up)."""
        if self.signing_key is None:
            self.signing_key = new_signing_key()

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

    def start(
        self, user, now, lifetime, kind=LOGIN_SESSION, name="", signing_key=None, client=NO_CLIENT
    ):
        """Create a credential for ``user`` and return the raw secret (shown
        once): a random opaque token, or for ``signing_key`` a JWT naming the
        credential's public id.  Either way only its SHA-256 is stored."""
        expires = now + lifetime if lifetime is not None else None
        session = Credential(user.__name__, now, expires, kind, name)
        session.ip, session.user_agent = client
        if signing_key is None:
            token = new_token()
        else:
            token = sign(signing_key, session.public_id, expires)
        digest = hash_token(token)
        self.data[digest] = session
        if kind == API_KEY:
            self.key_index[session.public_id] = digest
        user.session_hashes.add(digest)
        return token

    def lookup(self, token: str, now, signing_key=None):
        """The live credential for a raw token, or None (expired ones are not
        returned).  A JWT must also pass :func:`verified_id` with
        ``signing_key`` and name the API key it is stored as; opaque tokens
        are sessions and the ``apk-`` keys of older versions, which work
        until their expiry."""
        if not token:
            return None
        credential = self.data.get(hash_token(token))
        if credential is None or not credential.is_live(now):
            return None
        if looks_like_jwt(token) and (
            credential.kind != API_KEY
            or signing_key is None
            or verified_id(signing_key, token, now) != credential.public_id
        ):
            return None
        return credential

    def of_user(self, user, kind: str):
        """The user's credentials of one kind (a user has few: no scan)."""
        found = (self.data.get(digest) for digest in user.session_hashes)
        return [c for c in found if c is not None and c.kind == kind]

    def key(self, public_id: str, now):
        """The live API key of that public id, or None."""
        session = self.data.get(self.key_index.get(public_id, ""))
        if session is None or session.kind != API_KEY or not session.is_live(now):
            return None
        return session

    def _drop(self, digest, user):
        session = self.data.pop(digest, None)
        if session is not None and session.kind == API_KEY:
            self.key_index.pop(session.public_id, None)
        if user is not None and digest in user.session_hashes:
            user.session_hashes.remove(digest)

    def purge(self, users, now, idle, limit=None, start=None) -> int:
        """Remove ended credentials — expired, or sessions idle past
        ``idle`` — looking at ``limit`` of them from the digest ``start`` on,
        wrapping around (all when None); how many were removed.  Ended ones already
        let nobody in: this only keeps the database from growing."""
        ended = []
        after = self.data.items(min=start) if start else self.data.items()
        before = self.data.items(max=start, excludemax=True) if start else ()
        for digest, credential in islice(chain(after, before), limit):
            if credential.has_ended(now, idle):
                ended.append((digest, credential.user_id))
        for digest, user_id in ended:
            self._drop(digest, users.get(user_id))
        return len(ended)

    def purge_some(self, users, now, idle):
        """:meth:`purge` a few credentials from a random point (at each
        login): no cursor is stored, so concurrent logins do not conflict."""
        return self.purge(users, now, idle, limit=PURGE_AT_LOGIN, start=new_id())

    def end_session(self, public_id: str, user) -> bool:
        """End ``user``'s login session of that public id; whether there was one."""
        for digest in list(user.session_hashes):
            found = self.data.get(digest)
            if found is not None and found.kind == LOGIN_SESSION and found.public_id == public_id:
                self._drop(digest, user)
                return True
        return False

    def end_key(self, public_id: str, user):
        """Revoke ``user``'s API key of that public id."""
        digest = self.key_index.get(public_id)
        if digest is not None and digest in user.session_hashes:
            self._drop(digest, user)

    def end(self, token: str, user):
        self._drop(hash_token(token), user)

    def end_all(self, user, kind: str | None = None, keep: str | None = None):
        """End every credential (or every one of ``kind``) of the user, except
        the one whose raw token is ``keep``."""
        kept = hash_token(keep) if keep else None
        for digest in list(user.session_hashes):
            credential = self.data.get(digest)
            if digest == kept:
                continue
            if credential is None or kind is None or credential.kind == kind:
                self._drop(digest, user)


class ApiKey:
    """One API key as a resource: ``/api/apikeys/<public id>/``, guarded by
    :func:`authz.acl.apikey_acl`.  Transient: the key itself is the stored
    :class:`Credential`."""

    def __init__(self, parent, session):
        self.__parent__ = parent
        self.__name__ = session.public_id
        self.session = session

    @property
    def __acl__(self):
        return apikey_acl(self.session)


class ApiKeys:
    """``/api/apikeys/``: every live API key, found by its public id, as of
    ``now`` (an expired key is found by nobody).  Transient, made per
    request: the keys are stored in :class:`Credentials`.  Without an ACL of
    its own, any authenticated user may list and create their own keys."""

    __name__ = "apikeys"

    #: Live keys one user may hold (seed 003).
    LIMIT = 2

    def __init__(self, api_root, now, signing_key):
        self.__parent__ = api_root
        self.sessions = api_root.sessions
        self.users = api_root.users
        self.now = now
        self.signing_key = signing_key

    def __getitem__(self, public_id):
        session = self.sessions.key(public_id, self.now)
        if session is None:
            raise KeyError(public_id)
        return ApiKey(self, session)

    def of_user(self, user) -> list[ApiKey]:
        """The user's live keys."""
        keys = self.sessions.of_user(user, API_KEY)
        return [ApiKey(self, k) for k in keys if k.is_live(self.now)]

    def create(self, user, name: str, expires) -> tuple[ApiKey, str]:
        """A new key of ``user`` and its secret, which is shown once and
        never stored; a Conflict beyond :attr:`LIMIT` live keys.

        The cap holds under concurrency: the creation writes the user's key
        guard before counting, so of two concurrent creations one is retried
        and counts the other's key."""
        self.sessions.guard_key_creation(user)
        if len(self.of_user(user)) >= self.LIMIT:
            raise Conflict(f"You already have {self.LIMIT} API keys; delete one first.")
        lifetime = expires - self.now
        token = self.sessions.start(
            user, self.now, lifetime, kind=API_KEY, name=name, signing_key=self.signing_key
        )
        return ApiKey(self, self.sessions.lookup(token, self.now, self.signing_key)), token

    def revoke(self, key: ApiKey):
        """Revoke ``key`` at once."""
        owner = self.users.get(key.session.user_id)
        if owner is not None:
            self.sessions.end_key(key.__name__, owner)


#: The class's name before API keys: pickles in existing databases name it.
Sessions = Credentials


class LinkToken(Persistent):
    """A one-time secret mailed in a link (invitation, password reset, email
    verification or change); redeeming deletes it, so a used token is simply
    unknown.  ``value`` is what the link is about, if anything: the address
    a verification link was mailed to, the pending address of a change."""

    value = None  # older pickles have none

    def __init__(self, user_id, purpose, expires, value=None):
        self.user_id = user_id
        self.purpose = purpose
        self.expires = expires
        self.value = value


class LinkTokens(Persistent):
    """One live link token per user and purpose: issuing a new one kills the old."""

    def __init__(self):
        self.data = WideOOBTree()
        self.by_user = WideOOBTree()  # (user_id, purpose) -> digest

    def issue(self, user, purpose, now, lifetime, value=None) -> str:
        self.revoke(user, purpose)
        token = new_token()
        digest = hash_token(token)
        self.data[digest] = LinkToken(user.__name__, purpose, now + lifetime, value)
        self.by_user[(user.__name__, purpose)] = digest
        return token

    def revoke(self, user, purpose):
        old = self.by_user.pop((user.__name__, purpose), None)
        if old:
            self.data.pop(old, None)

    def revoke_all(self, user):
        """End the user's links of every purpose (a removed user)."""
        user_id = user.__name__
        for _, purpose in list(self.by_user.keys(min=(user_id, ""), max=(user_id, "\uffff"))):
            self.revoke(user, purpose)

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
        link = self.peek_link(token, purposes, now)
        return link.user_id if link is not None else None

    def peek_link(self, token: str, purposes: tuple[str, ...], now) -> LinkToken | None:
        """The :class:`LinkToken` of a valid token, leaving it valid; else None."""
        found = self._live(token, purposes, now)
        return found[1] if found else None

    def purpose_of(self, token: str, now) -> str | None:
        """The purpose of a valid token, leaving it valid (the page behind a
        mailed link shows what the link does); else None."""
        found = self._live(token, None, now)
        return found[1].purpose if found else None

    def redeem(self, token: str, purposes: tuple[str, ...], now):
        """The user id a valid token was issued to, consuming it; else None."""
        link = self.redeem_link(token, purposes, now)
        return link.user_id if link is not None else None

    def redeem_link(self, token: str, purposes: tuple[str, ...], now) -> LinkToken | None:
        """The :class:`LinkToken` of a valid token, consuming it; else None."""
        found = self._live(token, purposes, now)
        if found is None:
            return None
        digest, link = found
        del self.data[digest]
        self.by_user.pop((link.user_id, link.purpose), None)
        return link
