"""Password login, session cookies and logout.

A successful login starts a new session (a fresh 256-bit token every time)
that lives ``crunchusers.session_lifetime_seconds`` (24 h by default) on the
injectable clock.  A failed login answers the same whether the login name is
unknown, the password wrong or the user not active, and spends the same
argon2 time in every case.
"""

import logging

from ..infra.clock import get_clock
from ..infra.passwords import verify_password
from ..infra.settings import get_config
from .policy import credential_from

COOKIE_NAME = "token"

log = logging.getLogger(__name__)


def login_with_password(request, login_name: str, password: str) -> str | None:
    """A new session token for valid credentials of an active user, else None."""
    api_root = request.api_root
    user = api_root.users.find_by_login(login_name)
    valid = verify_password(request.registry, user.password_hash if user else None, password)
    if not valid or not user.is_active:
        # Every attempt is logged (ASVS 16.3.1), never the password.
        log.warning("login failed for %r from %s", login_name[:200], request.client_addr)
        return None
    log.info("login of user %s from %s", user.__name__, request.client_addr)
    now = get_clock(request.registry).now()
    user.last_login = now
    config = get_config(request.registry)
    return api_root.credentials.start(user, now, config.session_lifetime)


def session_cookie_header(request, token: str) -> str:
    """Exactly one cookie: host-only, whole site, HttpOnly, SameSite=Lax;
    ``Secure`` when the site says it is served over https."""
    config = get_config(request.registry)
    max_age = int(config.session_lifetime.total_seconds())
    parts = [f"{COOKIE_NAME}={token}", f"Max-Age={max_age}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if config.secure_cookies:
        parts.append("Secure")
    return "; ".join(parts)


def logout_cookie_header(request) -> str:
    return f"{COOKIE_NAME}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"


def end_current_session(request):
    token = credential_from(request)
    user = request.identity
    if token and user is not None:
        request.api_root.credentials.end(token, user)
