"""OpenID Connect sign-ins in progress, kept server-side until the callback.

A flow holds what the callback must check or send: the provider, the
``nonce`` the ID token must echo, the PKCE ``code_verifier``, the exact
``redirect_uri`` and the SHA-256 of the browser-binding cookie, so that a
``state`` stolen from one browser is useless in another.  It is keyed by
the SHA-256 of its ``state`` (a random bearer secret, as in ``tokens.py``),
lives ``crunchusers.oidc.flow_lifetime_seconds`` on the injectable clock
(exactly at expiry still works) and is consumed by its first successful
callback.

Storage is bounded (``expiring.TokenKeyed``): each new flow first purges a
few expired ones, and at most ``max_pending_flows`` live at once.
"""

from persistent import Persistent

from .expiring import PURGE_BATCH, TokenKeyed

__all__ = ["PURGE_BATCH", "LoginFlow", "LoginFlows", "TooManyFlows"]


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


class LoginFlows(TokenKeyed):
    def start(self, flow: LoginFlow, now, limit: int) -> str:
        """Store ``flow`` and return its fresh ``state`` (shown once)."""
        self.purge(now)
        if len(self) >= limit:
            raise TooManyFlows()
        return self.store(flow)
