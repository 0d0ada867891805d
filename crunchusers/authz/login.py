"""Password login, session cookies and logout.

A successful login starts a new session (a fresh 256-bit token every time)
that lives as long as the user's account says (``domain.session_lifetime``:
24 h unless its admins chose otherwise) on the injectable clock; the cookie's
``Max-Age`` is the same.  A failed login answers the same whether the login
name is unknown, the password wrong, the user not active (pending, locked,
inactive) or made to reset their password by an admin, and spends the same
work in every case: one password verification (against a dummy hash when
there is no password).  The defences around it — throttling, lockout, the
login history — are ``domain.sign_ins``.

pyramid_retry runs a request again after a write conflict with the same
``environ``; the verification's result is kept there (keyed by the user and
the stored hash), so a retried login does not run argon2 a second time.
"""

import logging

from ..domain.notifications import Notifier
from ..domain.second_factor import Issued
from ..domain.session_lifetime import session_lifetime
from ..domain.sign_ins import (
    Attempt,
    check_throttle,
    printable,
    record_failure,
    record_refusal,
    record_success,
    refusal,
)
from ..infra.clock import get_clock
from ..infra.commit_veto import keep_on_error
from ..infra.passwords import verify_password
from ..infra.settings import get_config
from ..infra.storage import write_apart
from . import second_factor
from .policy import credential_from

COOKIE_NAME = "token"
VERIFIED = "crunchusers.login.verified"  # request.environ: survives pyramid_retry

log = logging.getLogger(__name__)


def attempt_of(request, method: str) -> Attempt:
    """This request as a sign-in attempt.  The address is ``REMOTE_ADDR``:
    behind a proxy, waitress's ``trusted_proxy`` settings put the client's
    there, while ``X-Forwarded-For`` is whatever the client wrote unless a
    trusted proxy wrote it."""
    return Attempt(
        at=get_clock(request.registry).now(),
        ip=request.remote_addr,
        user_agent=printable(request.user_agent),
        method=method,
    )


def login_with_password(
    request, login_name: str, password: str, method="password"
) -> str | Issued | None:
    """A new session token for valid credentials of an active user (or the
    challenge of a second factor: :func:`password_accepted`), else None.

    Raises ``Throttled`` (429) before any work when the name or the address
    failed too often, and ``HashingBusy`` (503) when no hashing slot frees
    in time.  A failure's bookkeeping commits with the 401.
    """
    api_root = request.api_root
    settings = get_config(request.registry).login
    attempt = attempt_of(request, method)
    check_throttle(api_root, settings, login_name, attempt)
    user = api_root.users.find_by_login(login_name)
    reason = refusal(user, verified(request, user, password))
    if reason is not None:
        # Every attempt is logged (ASVS 16.3.1), never the password.
        log.warning("login failed for %r from %s (%s)", login_name[:200], attempt.ip, reason)
        notifier = Notifier.for_request(request)
        record_failure(api_root, user, login_name, attempt, reason, settings, notifier)
        keep_on_error(request)
        return None
    log.info("login of user %s from %s", user.__name__, attempt.ip)
    return password_accepted(request, user, attempt)


def record_refused(request, email: str, method: str):
    """Record a sign-in refused before any password check (``method``
    ``oidc``: an address whose user may not sign in with that provider),
    for a known user, in a transaction of its own: the refusal's own
    transaction is undone."""
    user = request.api_root.users.find_by_email(email)
    if user is None:
        return
    attempt = attempt_of(request, method)
    reason = "not_linked" if user.status == "active" else user.status
    user_id, settings = user.__name__, get_config(request.registry).login
    write_apart(
        request.registry, lambda root: record_refusal(root, user_id, attempt, reason, settings)
    )


def verified(request, user, password: str) -> bool:
    """Whether ``password`` is the user's (a dummy verification for an
    unknown user or one without a password), once per request."""
    key = (user.__name__, user.password_hash) if user is not None else (None, None)
    done = request.environ.setdefault(VERIFIED, {})
    if key not in done:
        done[key] = verify_password(request.registry, key[1], password)
    return done[key]


def password_accepted(request, user, attempt: Attempt) -> str | Issued:
    """The password is proven (throttle, lockout and the one verification
    passed), for the JSON login and the browser's login page alike: a
    session, or for a user with a second factor a challenge
    (:mod:`.second_factor`, which opens the session with ``attempt_of(request,
    "mfa")`` once a code proves it).  The other sign-ins call
    :func:`open_session` directly: OpenID Connect (``views/oidc.py``, the
    provider is the proof, its own second factor applies) and the mailed
    links that set a password (``browser/links``, method ``link``), which
    sign in only users without a second factor."""
    issued = second_factor.challenge(request, user, attempt)
    return issued if issued is not None else open_session(request, user, attempt)


def open_session(request, user, attempt: Attempt) -> str:
    """A new session token for ``user``, who just proved who they are,
    recorded as a successful ``attempt`` (history, last sign-in, failures
    cleared).  Nothing here writes the ``User``: concurrent sign-ins of one
    user merge."""
    config = get_config(request.registry)
    api_root = request.api_root
    record_success(api_root, user, attempt, config.login)
    credentials = api_root.credentials
    credentials.purge_some(api_root.users, attempt.at, config.session_idle)
    client = (attempt.ip, attempt.user_agent[:200] or None)
    lifetime = session_lifetime(api_root, user, config.session_lifetime)
    return credentials.start(user, attempt.at, lifetime, client=client)


def session_cookie_header(request, token: str) -> str:
    """Exactly one cookie, living as long as the session ``token`` just
    opened: host-only, whole site, HttpOnly, SameSite=Lax; ``Secure`` when
    the site says it is served over https."""
    now = get_clock(request.registry).now()
    session = request.api_root.credentials.lookup(token, now)
    max_age = int((session.expires - now).total_seconds())
    return cookie_header(request, COOKIE_NAME, token, max_age)


def cookie_header(request, name: str, value: str, max_age: int, path: str = "/") -> str:
    """A host-only HttpOnly, SameSite=Lax cookie living ``max_age`` seconds
    (no ``Expires``: it would come from the wall clock, not ours)."""
    parts = [f"{name}={value}", f"Max-Age={max_age}", f"Path={path}", "HttpOnly", "SameSite=Lax"]
    if get_config(request.registry).secure_cookies:
        parts.append("Secure")
    return "; ".join(parts)


def logout_cookie_header(request) -> str:
    return f"{COOKIE_NAME}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"


def end_current_session(request):
    token = credential_from(request)
    user = request.identity
    if token and user is not None:
        request.api_root.credentials.end(token, user)
