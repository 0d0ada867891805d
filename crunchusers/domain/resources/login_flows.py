"""OpenID Connect sign-ins in progress, kept server-side until the callback.

A flow holds what the callback must check or send: the provider, the
``nonce`` the ID token must echo, the PKCE ``code_verifier``, the exact
``redirect_uri`` and the SHA-256 of the browser-binding cookie, so that a
``state`` stolen from one browser is useless in another.  It is keyed by
the SHA-256 of its ``state`` (a random bearer secret, as in ``tokens.py``),
lives ``crunchusers.oidc.flow_lifetime_seconds`` on the injectable clock
(exactly at expiry still works) and is consumed by its first successful
callback.

Storage is bounded: each new flow first purges a few expired ones (from an
expiry index, never a scan), and at most ``max_pending_flows`` live at once.
All three structures merge concurrent inserts (BTrees, ``Length``), so
parallel sign-ins do not conflict.
"""

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree, OOTreeSet
from persistent import Persistent

from ...infra.tokens import hash_token, new_token

#: Expired flows removed per new flow: more than one, so the store shrinks.
PURGE_BATCH = 8


class TooManyFlows(Exception):
    """``max_pending_flows`` sign-ins are already in progress."""


class LoginFlow(Persistent):
    def __init__(self, provider, nonce, code_verifier, redirect_uri, browser_digest, expires):
        self.provider = provider
        self.nonce = nonce
        self.code_verifier = code_verifier
        self.redirect_uri = redirect_uri
        self.browser_digest = browser_digest
        self.expires = expires


class LoginFlows(Persistent):
    def __init__(self):
        self.data = OOBTree()  # hash(state) -> LoginFlow
        self.by_expiry = OOTreeSet()  # (expires, hash(state))
        self.count = Length()

    def start(self, flow: LoginFlow, now, limit: int) -> str:
        """Store ``flow`` and return its fresh ``state`` (shown once)."""
        self.purge(now)
        if self.count() >= limit:
            raise TooManyFlows()
        state = new_token()
        digest = hash_token(state)
        self.data[digest] = flow
        self.by_expiry.add((flow.expires, digest))
        self.count.change(1)
        return state

    def take(self, state, now) -> LoginFlow | None:
        """The live flow of ``state``, removed so that it works once; None
        for an unknown, used or expired ``state``."""
        if not isinstance(state, str) or not state:
            return None
        digest = hash_token(state)
        flow = self.data.get(digest)
        if flow is None:
            return None
        self._remove(digest, flow)
        return flow if now <= flow.expires else None

    def purge(self, now, batch: int = PURGE_BATCH):
        """Remove up to ``batch`` flows that expired before ``now``."""
        expired = []
        for expires, digest in self.by_expiry:
            if expires >= now or len(expired) >= batch:
                break
            expired.append(digest)
        for digest in expired:
            self._remove(digest, self.data[digest])

    def _remove(self, digest, flow):
        del self.data[digest]
        self.by_expiry.remove((flow.expires, digest))
        self.count.change(-1)

    def __len__(self):
        return self.count()
