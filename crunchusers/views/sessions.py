"""A user's sessions over HTTP.

``GET /api/users/{id}/sessions/`` is a catalog of the user's live login
sessions (created, last used, expires, IP, user agent, current or not) by
``/api/users/{id}/sessions/{public id}/``, whose ``DELETE`` ends that one
(204; an unknown or ended one is 404).  Only the user sees and ends their
own: an admin ends them all with ``expire_sessions`` instead, so nobody
reads where a colleague signs in from (403 to others who see the user).
The secret and its hash are never shown.  API keys are listed at
``/api/apikeys/``.

``POST /api/users/{id}/expire_sessions/``:

"Expire all sessions" ends every login session and API token of the user at
once (``domain.credentials.expire_sessions``).  The user may do it — and
then their current session ends too: they asked to be signed out
everywhere — and so may whoever may force their password reset (admins of
their account, never on the account owner unless superuser); the user is
mailed when an admin did it.  Users of the account who may see the user get
403, anyone else the 404 of a user they cannot see.
"""

from ..authz.grants import account_of
from ..authz.permissions import Permission
from ..authz.policy import credential_from
from ..authz.rules import may_expire_sessions
from ..domain.credentials import expire_sessions
from ..domain.exceptions import NotAllowed, NotFound
from ..domain.notifications import Notifier
from ..domain.resources.credentials import LOGIN_SESSION
from ..domain.session_lifetime import session_lifetime
from ..infra.clock import get_clock, isoformat
from ..infra.settings import get_config
from ..rendering import shoji
from . import no_content, register, tree_service

USER = "/api/users/{user_id}/"

expire = tree_service("user_expire_sessions", f"{USER}expire_sessions/", context=USER)
listing = tree_service("user_sessions", f"{USER}sessions/", context=USER)
one = tree_service("user_session", f"{USER}sessions/{{session_id}}/", context=USER)


def includeme(config):
    register(config, expire, listing, one)


def own_sessions(request):
    """The caller's live login sessions, when the URL names the caller."""
    user = request.context
    if user.__name__ != request.identity.__name__:
        raise NotAllowed("Only the user sees and ends their own sessions.")
    now = get_clock(request.registry).now()
    sessions = request.api_root.credentials.of_user(user, LOGIN_SESSION)
    lifetime = lifetime_of(request, user)
    return [s for s in sessions if s.is_live(now) and not s.older_than(now, lifetime)]


def lifetime_of(request, user):
    """The account's current lifetime, which may end a session before its
    stored expiry (``domain.session_lifetime``)."""
    default = get_config(request.registry).session_lifetime
    return session_lifetime(request.api_root, user, default)


def session_body(session, current, lifetime) -> dict:
    return {
        "id": session.public_id,
        "created": isoformat(session.created),
        "last_used": isoformat(session.last_used),
        "expires": isoformat(session.ends_at(lifetime)),
        "ip": session.ip,
        "user_agent": session.user_agent,
        "current": session is current,
    }


@listing.get(permission=Permission.VIEW)
def get_sessions(request):
    current = request.api_root.credentials.lookup(
        credential_from(request), get_clock(request.registry).now(), None
    )
    base = request.url_of(request.context) + "sessions/"
    lifetime = lifetime_of(request, request.context)
    index = {
        f"{base}{s.public_id}/": session_body(s, current, lifetime) for s in own_sessions(request)
    }
    return shoji.catalog(request, request.context, index, self_url=base)


@one.delete(permission=Permission.VIEW)
def delete_session(request):
    public_id = request.matchdict["session_id"]
    if not any(s.public_id == public_id for s in own_sessions(request)):
        raise NotFound("No such session.")
    request.api_root.credentials.end_session(public_id, request.context)
    return no_content()


@expire.post(permission=Permission.VIEW)
def post_expire_sessions(request):
    target, api_root = request.context, request.api_root
    if not may_expire_sessions(request.identity, target, account_of(api_root, target)):
        raise NotAllowed(
            "Only the user or an admin of their account may end their sessions "
            "(the account owner's are theirs alone)."
        )
    expire_sessions(api_root, target, request.identity, Notifier.for_request(request))
    return no_content()
