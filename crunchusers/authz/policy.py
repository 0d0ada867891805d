"""Authentication (bearer token or ``token`` cookie) and ACL authorization.

Identity is the active ``User`` whose live session or API key the request
carries; anything else is anonymous.  A login session also ends after
``crunchusers.session_idle_seconds`` without use (8 hours by default), and
once it is older than its account's current session lifetime
(``domain.session_lifetime``: an admin's shortening applies at once).  A
user who must still verify their email address is refused almost
everything, here and only here (:mod:`.verification`).  A user's principals
are derived from its data on every request (account, admin flag, teams), so
changes of role or membership take effect at once — nothing is cached or
stored as an ACL.
"""

from pyramid.authorization import ACLHelper, Everyone
from pyramid.location import lineage
from pyramid.security import Allowed, Denied

from ..domain.session_lifetime import session_lifetime
from ..infra.clock import get_clock, reading_holds_until
from ..infra.jwt_tokens import expiry_of, looks_like_jwt, signing_key
from ..infra.settings import get_config
from .principals import principals_for
from .verification import verification_gate

READS = frozenset({"GET", "HEAD"})


def credential_from(request) -> str | None:
    """The raw token from ``Authorization: Bearer`` or else the ``token`` cookie."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get("token") or None


class SecurityPolicy:
    def __init__(self):
        self.helper = ACLHelper()

    def identity(self, request):
        """The authenticated user, memoised for the request."""
        # Kept on the request object, not the environ: a retried request is a
        # new object whose ZODB connection is new too.
        if not hasattr(request, "_crunchusers_identity"):
            request._crunchusers_identity = self._load_identity(request)
        return request._crunchusers_identity

    def _load_identity(self, request):
        token = credential_from(request)
        if not token:
            return None
        api_root = request.api_root
        now = get_clock(request.registry).now()
        key = signing_key(request.registry, api_root)
        credential = api_root.credentials.lookup(token, now, key)
        config = get_config(request.registry)
        if credential is None or credential.idle_past(now, config.session_idle):
            return None
        user = api_root.users.get(credential.user_id)
        if user is None or not user.may_sign_in:
            return None
        lifetime = session_lifetime(api_root, user, config.session_lifetime)
        if credential.older_than(now, lifetime):
            return None
        # Until when this answer holds, for the read cache (views.read_cache).
        signed = credential.expires is not None and looks_like_jwt(token)
        jwt_expiry = expiry_of(credential.expires) if signed else None
        holds = credential.lets_in_until(config.session_idle, lifetime, jwt_expiry)
        if holds is not None:
            reading_holds_until(holds)
        request._crunchusers_touch = lambda: credential.touch(now)
        return user

    def authenticated_userid(self, request):
        user = self.identity(request)
        return user.__name__ if user is not None else None

    def effective_principals(self, request):
        """Derived afresh for every request; a read (GET, HEAD) changes no
        membership, so its several permission checks share one derivation."""
        user = self.identity(request)
        if user is None:
            return (Everyone,)
        if request.method not in READS:
            return tuple(principals_for(user, request.api_root))
        principals = request.__dict__.get("_crunchusers_principals")
        if principals is None:
            principals = tuple(principals_for(user, request.api_root))
            request.__dict__["_crunchusers_principals"] = principals
        return principals

    def permits(self, request, context, permission):
        """Teams, projects and datasets answer per user (``permissions_for``):
        their rules coalesce grants and cap them per user, which an ACL of
        principals cannot express.  Everything else uses its derived ACL.
        First of all, the email verification gate."""
        # Record the credential's use here, inside the request's transaction:
        # a tween may have asked for the identity before the transaction began.
        getattr(request, "_crunchusers_touch", lambda: None)()
        user = self.identity(request)
        if user is not None:
            refused = verification_gate(request, user, context, permission)
            if refused is not None:
                return refused
        for node in lineage(context):
            permissions_for = getattr(node, "permissions_for", None)
            if permissions_for is not None:
                if user is not None and permission in permissions_for(request.api_root, user):
                    return Allowed(f"{permission} granted by {type(node).__name__} rules")
                return Denied(f"{permission} denied by {type(node).__name__} rules")
            if getattr(node, "__acl__", None) is not None:
                break
        return self.helper.permits(context, self.effective_principals(request), permission)

    def remember(self, request, userid, **kw):
        return []

    def forget(self, request, **kw):
        return []
