"""Authentication (bearer token or ``token`` cookie) and ACL authorization.

Identity is the active ``User`` whose live session or API key the request
carries; anything else is anonymous.  A user's principals are derived from
its data on every request (account, admin flag, teams), so changes of role or
membership take effect at once — nothing is cached or stored as an ACL.
"""

from datetime import timedelta

from pyramid.authorization import ACLHelper, Everyone
from pyramid.location import lineage
from pyramid.security import Allowed, Denied

from ..infra.clock import get_clock
from .principals import principals_for

LAST_USED_RESOLUTION = timedelta(hours=1)
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
        session = api_root.sessions.lookup(token, now)
        if session is None:
            return None
        user = api_root.users.get(session.user_id)
        if user is None or not user.is_active:
            return None
        if session.kind == "apikey" and (
            session.last_used is None or now - session.last_used > LAST_USED_RESOLUTION
        ):
            session.last_used = now  # at most one write an hour per key
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
        principals cannot express.  Everything else uses its derived ACL."""
        for node in lineage(context):
            permissions_for = getattr(node, "permissions_for", None)
            if permissions_for is not None:
                user = self.identity(request)
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
