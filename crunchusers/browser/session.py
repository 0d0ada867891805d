"""Signing in and out with a browser, and asking for a password reset link.

The same doors as the JSON API (``authz.login``, ``Notifier``), the same
session cookie; the forms post under ``/browse/``, where :mod:`.forms`
checks their CSRF token and Origin first.
"""

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED

from ..authz.login import (
    end_current_session,
    login_with_password,
    logout_cookie_header,
    session_cookie_header,
)
from ..domain.exceptions import Invalid
from ..domain.notifications import Notifier
from ..domain.sign_ins import Throttled
from ..infra.hashing import HashingBusy
from ..views.bodies import Login, PasswordResetRequest
from ..views.pacing import pacer
from ..views.schemas import validate
from .forms import local_path
from .render import PREFIX, page

LOGIN = f"{PREFIX}/login/"
LOGOUT = f"{PREFIX}/logout/"
PASSWORD_RESET = f"{PREFIX}/password_reset/"


def includeme(config):
    for name, path, methods in (
        ("browser_login", LOGIN, {"GET": get_login, "POST": post_login}),
        ("browser_logout", LOGOUT, {"POST": post_logout}),
        ("browser_password_reset", PASSWORD_RESET, {"GET": get_reset, "POST": post_reset}),
    ):
        config.add_route(name, path)
        for method, view in methods.items():
            config.add_view(
                view, route_name=name, request_method=method, permission=NO_PERMISSION_REQUIRED
            )


def landing(request, value) -> str:
    """Where a sign-in ends: ``next`` when it is a path here, else the API root."""
    return local_path(value) or request.script_name + "/api/"


def login_page(request, *, status=200, error=None, email=""):
    next_path = request.params.get("next")
    values = {"error": error, "email": email, "next": local_path(next_path)}
    return page(request, "login.jinja2", values, status=status)


def get_login(request):
    return login_page(request)


def post_login(request):
    """The JSON login's rules (``Login``, ``login_with_password``: the same
    lockout, throttling and history); a refusal shows the form again (a
    throttled or busy one with its status and ``Retry-After``, paced like
    the JSON one), success sets the cookie and goes on."""
    form = request.POST
    email = form.get("email", "")
    try:
        data = validate(Login(), {"email": email, "password": form.get("password", "")})
        login_name, password = data["email"], data["password"]
    except Invalid as exc:
        return login_page(request, status=400, error=exc.message, email=email)
    try:
        token = login_with_password(request, login_name, password)
    except (Throttled, HashingBusy) as exc:
        response = login_page(request, status=exc.status_code, error=exc.message, email=email)
        response.headers["Retry-After"] = str(exc.retry_after)
        return pacer(request.registry).pace(response)
    if token is None:
        return login_page(request, status=401, error="Invalid email or password.", email=email)
    response = HTTPSeeOther(location=landing(request, form.get("next")))
    response.headers.add("Set-Cookie", session_cookie_header(request, token))
    response.cache_control = "no-store"
    return response


def post_logout(request):
    end_current_session(request)
    response = HTTPSeeOther(location=request.script_name + LOGIN)
    response.headers.add("Set-Cookie", logout_cookie_header(request))
    return response


def reset_page(request, *, status=200, error=None, email="", sent=False):
    values = {"error": error, "email": email, "sent": sent}
    return page(request, "password_reset.jinja2", values, status=status)


def get_reset(request):
    return reset_page(request)


def post_reset(request):
    """What ``POST /api/public/password_reset/`` does: the same answer
    whether or not the address has an account."""
    email = request.POST.get("email", "")
    try:
        validate(PasswordResetRequest(), {"email": email})
    except Invalid as exc:
        return reset_page(request, status=400, error=exc.message, email=email)
    Notifier.for_request(request).password_reset(request.api_root, email, None)
    return reset_page(request, sent=True, email=email)
