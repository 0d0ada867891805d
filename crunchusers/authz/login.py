"""Password login, session cookies and logout.

A successful login starts a new session (a fresh 256-bit token every time)
that lives as long as the user's account says (``domain.session_lifetime``:
24 h unless its admins chose otherwise) on the injectable clock; the cookie's
``Max-Age`` is the same.  A failed login answers the same whether the login name is
unknown, the password wrong, the user not active or made to reset their
password by an admin, and spends the same argon2 time in every case.
"""

import logging

from ..domain.federation import uses_external_identity
from ..domain.session_lifetime import session_lifetime
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
    if not valid or not user.may_sign_in or uses_external_identity(user):
        # Every attempt is logged (ASVS 16.3.1), never the password.
        log.warning("login failed for %r from %s", login_name[:200], request.client_addr)
        return None
    log.info("login of user %s from %s", user.__name__, request.client_addr)
    return open_session(request, user)


def open_session(request, user) -> str:
    """A new session token for ``user``, who just proved who they are
    (password here, a provider in ``views/oidc.py``)."""
    now = get_clock(request.registry).now()
    user.last_login = now
    config = get_config(request.registry)
    credentials = request.api_root.credentials
    credentials.purge_some(request.api_root.users, now, config.session_idle)
    client = (request.client_addr, (request.user_agent or "")[:200] or None)
    lifetime = session_lifetime(request.api_root, user, config.session_lifetime)
    return credentials.start(user, now, lifetime, client=client)


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
