"""Sign-in defences and records: lockout, throttling, login history, activity.

* **Lockout.**  After ``lockout_threshold`` consecutive failed logins (an
  account setting, 1 to 100, default 5) an active user becomes ``locked``
  and is mailed; only an admin sets them back to ``active``
  (``domain.user_changes``), which also clears the count.  A success clears
  it too.  Failures count only while the user is active and has a password:
  guessing the password of an OpenID user cannot lock them out.  Locking
  leaves the user's sessions and API keys stored (they stop working while
  locked, as for every status but active) so that an unlock by an admin
  does not also cost the user their API keys: a lockout answers password
  guessing, it is no evidence that existing credentials leaked.
* **Throttling.**  Failed attempts per login name and per client address
  are counted in fixed windows of the injectable clock
  (``crunchusers.login.*``); once either reached its limit, every login for
  that name or from that address answers 429 with ``Retry-After`` (the
  seconds to the window's end) without checking the password — so a right
  password cannot be told from a wrong one while throttled.  Unknown names
  are throttled like known ones.  Windows are fixed intervals, so up to
  twice a limit can fail around a boundary, and attempts already waiting
  for a hash when the limit is reached (at most the hashing capacity) still
  fail past it: the check comes before the hash, the count after it.
* **History.**  Every attempt whose credentials were checked is recorded for
  a known user: time, client address, user agent, method, outcome and, for
  failures, a reason.  Refusals before any check (429 throttled, 503 hashing
  busy) are logged, not stored, so a flood never becomes a write per
  request: stored attempts are bounded by the hashing capacity.
* **Activity.**  When an admin switches tracking on for a user, each of the
  user's requests is recorded (``views.activity``).

Methods: ``password`` (a password login answered with a cookie), ``token``
(a password login answered with a bearer token: scripts, pycrunch),
``oidc`` (an OpenID provider), ``mfa`` (a second factor's code after the
password: ``authz.second_factor``), ``reauth`` (a signed-in user's password
asked again before weakening their second factor: ``views.reauth``; only
failures are recorded).
"""

import logging
import math
from dataclasses import dataclass
from datetime import datetime

from ..infra.clock import reading_holds_until
from .exceptions import DomainError
from .federation import uses_external_identity
from .resources.credentials import LOGIN_SESSION
from .resources.sign_ins import address_key, ip_key

log = logging.getLogger(__name__)

METHODS = ("password", "token", "oidc", "mfa", "reauth")
DEFAULT_LOCKOUT_THRESHOLD = 5
#: NIST SP 800-63B §5.2.2: no more than 100 consecutive failures.
LOCKOUT_THRESHOLD_RANGE = (1, 100)
USER_AGENT_MAX = 256


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt: when, from where, with what, by which method."""

    at: datetime
    ip: str | None
    user_agent: str
    method: str

    def entry(self, outcome: str, reason: str | None = None) -> dict:
        """The login history entry for this attempt."""
        return {
            "ip": self.ip,
            "user_agent": self.user_agent,
            "method": self.method,
            "outcome": outcome,
            "reason": reason,
        }


def printable(text: str | None, limit: int = USER_AGENT_MAX) -> str:
    """``text`` without control characters, at most ``limit`` characters."""
    return "".join(c for c in (text or "")[: limit * 2] if c.isprintable())[:limit]


class Throttled(DomainError):
    """Too many failed logins for this name or from this address (429)."""

    status_code = 429

    def __init__(self, retry_after: int):
        super().__init__(
            "Too many failed sign-ins for this address or from this network; "
            f"try again in {retry_after} seconds."
        )
        self.retry_after = retry_after


def lockout_threshold(account) -> int:
    """The account's consecutive-failure limit (the default without one)."""
    return getattr(account, "lockout_threshold", None) or DEFAULT_LOCKOUT_THRESHOLD


def window_of(now, settings) -> tuple[int, int]:
    """The throttle window ``now`` falls in, and the whole seconds left in it."""
    length = int(settings.throttle_window.total_seconds())
    seconds = now.timestamp()
    window = math.floor(seconds / length)
    return window, max(1, math.ceil((window + 1) * length - seconds))


def check_throttle(api_root, settings, login_name: str, attempt: Attempt):
    """Raise :class:`Throttled` when the name or the address is over its limit."""
    window, left = window_of(attempt.at, settings)
    throttle = api_root.sign_ins.throttle
    if (
        throttle.failures(window, address_key(login_name)) >= settings.failures_per_address
        or throttle.failures(window, ip_key(attempt.ip)) >= settings.failures_per_ip
    ):
        log.warning("login throttled for %r from %s", login_name[:200], attempt.ip)
        raise Throttled(left)


def refusal(user, password_ok: bool) -> str | None:
    """Why ``user`` may not sign in with this password, or None when they may.
    The reason is kept in the history; the caller always gets one 401."""
    if user is None:
        return "unknown"
    if uses_external_identity(user):
        return "no_password"
    if user.status != "active":
        return user.status
    if not password_ok:
        return "wrong_password"
    if user.must_reset_password:
        return "password_reset_required"
    return None


def record_failure(api_root, user, login_name, attempt: Attempt, reason, settings, notifier):
    """Count a failed attempt against the name and the address; for a known
    user, record it and lock them at the account's threshold."""
    window, _ = window_of(attempt.at, settings)
    throttle = api_root.sign_ins.throttle
    throttle.fail(window, address_key(login_name))
    throttle.fail(window, ip_key(attempt.ip))
    if user is None:
        return
    record = api_root.sign_ins.for_user(user)
    record.history.add(attempt.at, attempt.entry("failure", reason), settings.history_size)
    if user.status != "active" or user.password_hash is None or uses_external_identity(user):
        return
    record.failures += 1
    account = api_root.accounts.get(user.account_id) if user.account_id else None
    if record.failures >= lockout_threshold(account):
        user.status = "locked"
        log.warning("user %s locked after %d failed logins", user.__name__, record.failures)
        notifier.account_locked(user, record.failures)


def record_success(api_root, user, attempt: Attempt, settings):
    """Record a sign-in: history, last sign-in, and a clean failure count
    (written only when there were failures, so that concurrent sign-ins of
    one user write nothing they could conflict on)."""
    record = api_root.sign_ins.for_user(user)
    record.history.add(attempt.at, attempt.entry("success"), settings.history_size)
    record.last.record(attempt.at, attempt.ip, attempt.method)
    if record.failures:
        record.failures = 0


def record_refusal(api_root, user_id, attempt: Attempt, reason: str, settings):
    """A sign-in refused without a password check (an OpenID provider's
    user who may not sign in here): history only — no lockout, no throttle."""
    user = api_root.users.get(user_id)
    if user is not None:
        history = api_root.sign_ins.for_user(user).history
        history.add(attempt.at, attempt.entry("failure", reason), settings.history_size)


def unlocked(api_root, user):
    """An admin made ``user`` active again: the failures start from zero."""
    record = api_root.sign_ins.of(user)
    if record is not None and record.failures:
        record.failures = 0


def last_login(api_root, user):
    """When ``user`` last signed in (before these records: ``User.last_login``)."""
    return last_login_in(api_root.sign_ins.of(user), user)


def last_login_in(record, user):
    """``last_login`` when the user's sign-in ``record`` (or None) is at hand."""
    at = record.last.at if record is not None else None
    return at or user.last_login


def summary(api_root, user, now, idle) -> dict:
    """Seed 001's UserActivity for the full profile: last sign-in and its
    address, the consecutive failures, the login sessions that still let
    the user in (neither expired nor idle past ``idle``)."""
    record = api_root.sign_ins.of(user)
    sessions = [
        c for c in api_root.credentials.of_user(user, LOGIN_SESSION) if not c.has_ended(now, idle)
    ]
    # The count holds until the first of them ends (an ended one stays ended).
    reading_holds_until(min((c.live_until(idle) for c in sessions), default=None))
    return {
        "last_login": last_login(api_root, user),
        "last_login_ip": record.last.ip if record is not None else None,
        "failed_login_attempts": record.failures if record is not None else 0,
        "logged_in": bool(sessions),
        "concurrent_sessions": len(sessions),
    }
