"""A user's sessions over HTTP: ``POST /api/users/{id}/expire_sessions/``.

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
from ..authz.rules import may_expire_sessions
from ..domain.credentials import expire_sessions
from ..domain.exceptions import NotAllowed
from ..domain.notifications import Notifier
from . import no_content, register, tree_service

USER = "/api/users/{user_id}/"

expire = tree_service("user_expire_sessions", f"{USER}expire_sessions/", context=USER)


def includeme(config):
    register(config, expire)


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
