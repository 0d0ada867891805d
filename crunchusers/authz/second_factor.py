"""The second step of a sign-in: a challenge after the password, a session
after the code.

:func:`challenge` is what ``authz.login.password_accepted`` does for a user
with a second factor (``domain.second_factor.methods``): instead of a
session, a challenge token (mailing the code when ``email`` is offered;
the mail spends the address's hourly budget like every mail anyone may
cause).  The password's success is not recorded as a sign-in and does not
clear the user's failure count: only the whole sign-in does, so knowing the
password does not buy unlimited code guesses.

:func:`answer_challenge` takes the code.  It is a sign-in attempt of method
``mfa``: throttled per login name and client address like a password
(429), and a wrong code is a failure of the user — history, throttle
counters, lockout at the account's threshold — committed with its 401
(``infra.commit_veto``).  A right code opens the session exactly as the
password login would have (cookie or bearer token, as the login asked).
A user locked, deactivated or made to reset their password since the
challenge fails without spending the code.  An app code of a step already
used is refused with the same 401 but recorded only in the history
(reason ``replayed_code``): it is not a guess, so it neither counts
toward the challenge's 5 nor the lockout (``mfa.check``).
"""

import logging

from ..domain import second_factor as mfa
from ..domain.notifications import Notifier
from ..domain.sign_ins import check_throttle, record_failure, record_refusal, refusal
from ..infra.commit_veto import keep_on_error
from ..infra.settings import get_config
from . import login
from .grants import account_of

log = logging.getLogger(__name__)

#: The one answer to a wrong code, a dead challenge and a refused user.
WRONG_CODE = (
    "The code is wrong or this sign-in has expired. If it keeps failing, sign in again "
    "with your password for a new code."
)

REPLAYED_CODE = "replayed_code"
#: The history's reason for what ``mfa.check`` answered (None: signed in).
REASONS = {None: "wrong_code", mfa.REPLAYED: REPLAYED_CODE}

MINUTES = int(mfa.CHALLENGE_LIFETIME.total_seconds() // 60)


def challenge(request, user, attempt) -> mfa.Issued | None:
    """A challenge for ``user`` (password just proven), or None when the
    user has no second factor.  Its bookkeeping commits with the 401."""
    api_root = request.api_root
    issued = mfa.issue(
        api_root.mfa_challenges,
        user,
        account_of(api_root, user),
        attempt.at,
        wants_token=attempt.method == "token",
    )
    if issued is None:
        return None
    log.info("second factor asked of user %s from %s", user.__name__, attempt.ip)
    if issued.email_code is not None:
        notifier = Notifier.for_request(request)
        if notifier.within_budget(api_root, user.email, "Sign-in code"):
            notifier.second_factor_code(user, issued.email_code, MINUTES)
    keep_on_error(request)
    return issued


def answer_challenge(request, token, code) -> tuple[str, bool] | None:
    """``(session token, as a bearer token?)`` for the right code of a live
    challenge; None for anything else (one answer for all)."""
    api_root = request.api_root
    attempt = login.attempt_of(request, "mfa")
    found = mfa.find(api_root.mfa_challenges, api_root.users, token, attempt.at)
    if found is None:
        keep_on_error(request)  # an expired challenge found is dropped
        return None
    pending, user = found
    settings = get_config(request.registry).login
    check_throttle(api_root, settings, user.email, attempt)
    reason = refusal(user, True)
    if reason is None:
        method = mfa.check(api_root.mfa_challenges, pending, token, user, code, attempt.at)
        reason = REASONS.get(method)
    else:
        api_root.mfa_challenges.discard(token)
    if reason == REPLAYED_CODE:  # history only: no guess, the challenge lives
        log.warning("second factor replayed for %s from %s", user.__name__, attempt.ip)
        record_refusal(api_root, user.__name__, attempt, reason, settings)
        keep_on_error(request)
        return None
    if reason is not None:
        log.warning("second factor failed for %s from %s (%s)", user.__name__, attempt.ip, reason)
        notifier = Notifier.for_request(request)
        record_failure(api_root, user, user.email, attempt, reason, settings, notifier)
        keep_on_error(request)
        return None
    log.info("sign-in of user %s from %s with %s", user.__name__, attempt.ip, method)
    return login.open_session(request, user, attempt), pending.wants_token
