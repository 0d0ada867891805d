"""Proving oneself again before weakening one's own second factor.

A session alone may be someone else's (a laptop left open, a leaked
token), so a user turning mailed codes off, resetting their own second
factor, enrolling an authenticator app (which takes the place of mailed
codes, or of the app confirmed before) or getting new recovery codes also
sends their current ``password`` — as ``change_email`` asks ``pw`` and a
password change ``old_pw``.  Missing or wrong, it is a 400 naming
``password``, the answer of a wrong old password; a wrong one is also a
failed sign-in of the user (history method ``reauth``): throttled per name
and address like a login (429 before the check), counted toward the
lockout, whose threshold locks the user (and so ends the session); that
bookkeeping commits with the 400.  A right one clears nothing: it is not
a sign-in.  Users without a password sign in through an OpenID provider,
whose own second factor applies: they have none here to weaken (409).  An
admin resetting someone else's factor is not asked: the password is the
user's.
"""

import logging

from ..authz import login
from ..domain.exceptions import Invalid
from ..domain.notifications import Notifier
from ..domain.second_factor import refuse_external
from ..domain.sign_ins import check_throttle, record_failure
from ..infra.commit_veto import keep_on_error
from ..infra.settings import get_config
from .errors import error_response

FIELD = "password"
METHOD = "reauth"
WRONG = "The current password is not correct."

log = logging.getLogger(__name__)


def refused(request, user, password, action: str):
    """None when ``password`` is the current one of ``user`` (the caller);
    otherwise the 400 to answer, its failure recorded."""
    refuse_external(user)
    if password is None:
        raise Invalid(FIELD, f"{FIELD} (the current password) is required to {action}.")
    return wrong_password(request, user, password, FIELD)


def wrong_password(request, user, password, field: str):
    """The 400 naming ``field`` when ``password`` (a string) is not the
    current one of ``user``, the caller, who has one, its failure recorded
    as a failed sign-in; None when it is right.  Also the door of a password
    change (``old_pw``, ``old_password``) and an email change (``pw``), so
    that a session cannot guess the password there past the lockout."""
    api_root, settings = request.api_root, get_config(request.registry).login
    attempt = login.attempt_of(request, METHOD)
    check_throttle(api_root, settings, user.email, attempt)
    if login.verified(request, user, password):
        return None
    log.warning("re-authentication failed for user %s from %s", user.__name__, attempt.ip)
    notifier = Notifier.for_request(request)
    record_failure(api_root, user, user.email, attempt, "wrong_password", settings, notifier)
    keep_on_error(request)
    return error_response(request, 400, WRONG, field=field)


def counted_check(request, user, password, field: str):
    """:func:`wrong_password` where there is a password to compare: a user
    without one (OpenID) or a missing or ill-typed value is left to the
    domain's own answer (409, 400)."""
    if user.password_hash is None or not isinstance(password, str):
        return None
    return wrong_password(request, user, password, field)
