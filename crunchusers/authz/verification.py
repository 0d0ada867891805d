"""The email verification gate (seed 003: a user "needs to verify her email
before performing normal operations").

A user who must still verify (``User.needs_email_verification``, see
``domain.email_address``) is signed in, but the security policy grants
them only what this module allows: seeing and editing their own entity,
asking for a verification link or changing the address (a mistyped address
could never be verified otherwise), changing or resetting their password,
the API root that links these, and logging out.  Everything else is a 403
whose message says why (:class:`VerifyEmailFirst`, rendered by the
forbidden view).  Public views need no permission and are not gated.
"""

from pyramid.security import Denied

from ..domain.resources.root import ApiEntry
from .permissions import Permission

#: The Cornice services (route names) an unverified user may use.
ALLOWED_SERVICES = frozenset(
    {
        "api_root",
        "logout",
        "user",
        "user_password",
        "user_password_reset",
        "user_change_email",
        "user_verify_email",
    }
)
#: Only reading and editing: no admin powers over anything, themselves included.
ALLOWED_PERMISSIONS = frozenset({Permission.VIEW, Permission.EDIT})

MESSAGE = (
    "Verify your email address first: follow the link mailed to you, or ask for a new "
    "one with POST to verify_email of your user entity. Until then only your own user "
    "entity, verify_email, change_email, password and logout work."
)


class VerifyEmailFirst(Denied):
    """The refusal of everything else to an unverified user (403, not 404)."""


def verification_gate(request, user, context, permission):
    """:class:`VerifyEmailFirst` when ``user`` must still verify their
    email and this is not one of the few things they may do; else None."""
    if not user.needs_email_verification:
        return None
    route = request.matched_route
    allowed = (
        route is not None
        and route.name in ALLOWED_SERVICES
        and permission in ALLOWED_PERMISSIONS
        and (context is user or isinstance(context, ApiEntry))
    )
    return None if allowed else VerifyEmailFirst(MESSAGE)
