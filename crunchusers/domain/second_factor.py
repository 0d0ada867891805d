"""Second factors: what a user has, what a sign-in must then prove, and
the checks of a code.

Methods (seed 003's "Login Security"; Keycloak, Auth0 and Kratos offer the
same):

* ``email`` — a 6-digit code mailed at each sign-in, for a user who opted
  in, or for everyone of an account that requires a second factor
  (``Account.mfa_required``) and has no TOTP;
* ``totp`` — an authenticator app (``domain.totp``), active once enrolled
  *and* confirmed with a first code;
* ``recovery_code`` — one of the codes shown once at TOTP confirmation
  (``domain.recovery_codes``), each working once.

A sign-in with a right password then gets a :class:`Challenge` token
instead of a session: 256 random bits, stored hashed, bound to the user,
living :data:`CHALLENGE_LIFETIME` on the injectable clock (exactly at
expiry still works), dead after :data:`MAX_WRONG_CODES` wrong codes and
once answered.  The mailed code belongs to its challenge: its stored form
is an HMAC keyed with the challenge's token, which the database does not
hold, so a copy of the database does not reveal the code by trying all
million of them.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from . import recovery_codes, totp
from .exceptions import Conflict, Invalid
from .federation import uses_external_identity
from .resources.second_factors import Challenge, SecondFactor

EMAIL, TOTP, RECOVERY_CODE = "email", "totp", "recovery_code"
#: What :func:`check` answers for an app code of a step already used.
REPLAYED = "replayed"
CHALLENGE_LIFETIME = timedelta(minutes=10)
MAX_WRONG_CODES = 5

WRONG_APP_CODE = "That code is not right: type the one your authenticator app shows now."


def factor_of(user) -> SecondFactor | None:
    return getattr(user, "second_factor", None)


def _own(user) -> SecondFactor:
    """The user's second factors, made on first change."""
    factor = factor_of(user)
    if factor is None:
        factor = user.second_factor = SecondFactor()
    return factor


def required_by(account) -> bool:
    return bool(getattr(account, "mfa_required", False))


def methods(user, account) -> tuple[str, ...]:
    """What a sign-in of ``user`` must answer with one of; () for none."""
    factor = factor_of(user) or SecondFactor()
    found = ()
    if factor.totp:
        found += (TOTP,)
        if factor.recovery_digests:
            found += (RECOVERY_CODE,)
    if factor.email or (required_by(account) and not found):
        found += (EMAIL,)
    return found


def state(user, account) -> dict:
    """What the user and their admins see of the user's second factors."""
    factor = factor_of(user) or SecondFactor()
    return {
        "email": factor.email,
        "totp": factor.totp,
        "totp_pending": factor.pending_secret is not None,
        "recovery_codes_left": len(factor.recovery_digests),
        "required_by_account": required_by(account),
        "methods": list(methods(user, account)),
    }


# -- the user's own changes ----------------------------------------------------


def refuse_external(user):
    if uses_external_identity(user):
        raise Conflict(
            "This user signs in through an identity provider, whose own second "
            "factor applies; there is none to set here."
        )


def set_email(user, on: bool):
    """Opt in to (or out of) mailed codes; an account that requires a second
    factor still mails them to a user without TOTP."""
    refuse_external(user)
    if on or factor_of(user) is not None:
        _own(user).email = on


def enrol_totp(user) -> str:
    """A fresh secret waiting for its first code (an earlier pending one
    dies).  An app already confirmed keeps working until this one is
    confirmed in its place: changing phones leaves no gap."""
    refuse_external(user)
    factor = _own(user)
    factor.pending_secret = totp.new_secret()
    return factor.pending_secret


def confirm_totp(user, code, now) -> list[str]:
    """Activate the pending secret with its first code (replacing an app
    confirmed before); the fresh recovery codes, shown this once."""
    factor = factor_of(user)
    if factor is None or factor.pending_secret is None:
        raise Conflict("There is no authenticator app enrolment to confirm; start one first.")
    step = totp.matching_step(factor.pending_secret, code, now)
    if step is None:
        raise Invalid("code", WRONG_APP_CODE)
    factor.totp_secret, factor.pending_secret, factor.totp_step = factor.pending_secret, None, step
    return _new_recovery_codes(factor)


def regenerate_recovery_codes(user, code, now) -> list[str]:
    """New recovery codes for a fresh TOTP code; the old ones die."""
    factor = factor_of(user)
    if factor is None or not factor.totp:
        raise Conflict("Recovery codes come with an authenticator app; set one up first.")
    if not _use_totp(factor, code, now):
        raise Invalid("code", WRONG_APP_CODE)
    return _new_recovery_codes(factor)


def _new_recovery_codes(factor) -> list[str]:
    codes = recovery_codes.new_codes()
    factor.recovery_digests = frozenset(map(recovery_codes.digest, codes))
    return codes


def reset(user):
    """Remove every second factor of ``user`` (an admin's reset, or the
    user's own): mailed codes off, TOTP and recovery codes gone."""
    if factor_of(user) is not None:
        user.second_factor = None


# -- sign-ins ------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    """A new challenge: its token (shown once), its methods, the mailed code."""

    token: str
    methods: tuple[str, ...]
    email_code: str | None


def issue(challenges, user, account, now, wants_token=False) -> Issued | None:
    """A challenge for ``user``, whose password was right; None when the
    user has no second factor (the password signs them in)."""
    offered = methods(user, account)
    if not offered:
        return None
    challenge = Challenge(user.__name__, now + CHALLENGE_LIFETIME, offered, wants_token)
    token = challenges.add(challenge, now)
    code = None
    if EMAIL in offered:
        code = f"{secrets.randbelow(10**totp.DIGITS):0{totp.DIGITS}d}"
        challenge.code_digest = code_digest(token, code)
    return Issued(token, offered, code)


def code_digest(token: str, code: str) -> str:
    return hmac.new(token.encode(), code.encode(), hashlib.sha256).hexdigest()


def find(challenges, users, token, now) -> tuple[Challenge, object] | None:
    """The live challenge of ``token`` and its user; None when there is
    none (unknown, used, expired, or its user gone)."""
    challenge = challenges.live(token, now)
    if challenge is None:
        return None
    user = users.get(challenge.user_id)
    if user is None:
        challenges.discard(token)
        return None
    return challenge, user


def check(challenges, challenge, token, user, code, now) -> str | None:
    """The method ``code`` answers ``challenge`` with, or None.  A right
    code uses the challenge up; a wrong one counts, and the fifth kills it.

    An app code of a step already used (:data:`REPLAYED`) signs nobody in
    (RFC 6238 §5.2: a step works once per user) but is no guess either: it
    neither counts nor kills the challenge, which the next step's code (or a
    recovery code) still answers.  So parallel sign-ins of one user typing
    the same app code get one success, and the others wait for the next
    code instead of locking the user out."""
    method = _matching(challenge, token, user, code, now)
    if method == REPLAYED:
        return method
    if method is not None:
        challenges.discard(token)
        return method
    challenge.wrong += 1
    if challenge.wrong >= MAX_WRONG_CODES:
        challenges.discard(token)
    return None


def _matching(challenge, token, user, code, now) -> str | None:
    """The method ``code`` answers, using it up; methods removed since the
    challenge was issued (a reset) no longer work."""
    if not isinstance(code, str):
        return None
    code = code.strip()
    if EMAIL in challenge.methods and challenge.code_digest is not None:
        if hmac.compare_digest(code_digest(token, code), challenge.code_digest):
            return EMAIL
    factor = factor_of(user)
    if factor is None:
        return None
    if TOTP in challenge.methods and _use_totp(factor, code, now):
        return TOTP
    if RECOVERY_CODE in challenge.methods and _use_recovery_code(factor, code):
        return RECOVERY_CODE
    if TOTP in challenge.methods and factor.totp:
        if totp.matching_step(factor.totp_secret, code, now) is not None:
            return REPLAYED  # right but of a used step: _use_totp refused it
    return None


def _use_totp(factor, code, now) -> bool:
    if not factor.totp:
        return False
    step = totp.matching_step(factor.totp_secret, code, now, after=factor.totp_step)
    if step is None:
        return False
    factor.totp_step = step
    return True


def _use_recovery_code(factor, code) -> bool:
    digest = recovery_codes.digest(code)
    if digest is None or digest not in factor.recovery_digests:
        return False
    factor.recovery_digests = factor.recovery_digests - {digest}
    return True
