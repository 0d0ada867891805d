"""Signing in and out with a browser, and asking for a password reset link.

The same doors as the JSON API (``authz.login``, ``authz.second_factor``,
``Notifier``), the same session cookie; the forms post under ``/browse/``,
where :mod:`.forms` checks their CSRF token and Origin first.  A user with
a second factor gets a page asking for the code after the password, whose
form carries the challenge to ``/browse/login/second_factor/``.
"""

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED

from ..authz.login import (
    end_current_session,
    login_with_password,
    logout_cookie_header,
    session_cookie_header,
)
from ..authz.second_factor import WRONG_CODE, answer_challenge
from ..domain.exceptions import Invalid
from ..domain.notifications import Notifier
from ..domain.second_factor import Issued
from ..domain.sign_ins import Throttled
from ..infra.hashing import HashingBusy
from ..views.bodies import Login, PasswordResetRequest
from ..views.pacing import pacer
from ..views.schemas import validate
from .forms import local_path
from .render import PREFIX, page

LOGIN = f"{PREFIX}/login/"
SECOND_FACTOR = f"{PREFIX}/login/second_factor/"
LOGOUT = f"{PREFIX}/logout/"
PASSWORD_RESET = f"{PREFIX}/password_reset/"


def includeme(config):
    for name, path, methods in (
        ("browser_login", LOGIN, {"GET": get_login, "POST": post_login}),
        ("browser_second_factor", SECOND_FACTOR, {"POST": post_second_factor}),
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
    if isinstance(token, Issued):
        return code_page(request, token.token, token.methods, form.get("next"))
    return signed_in(request, token, form.get("next"))


def signed_in(request, token: str, next_path):
    """The session cookie, and on to ``next`` (or the API root)."""
    response = HTTPSeeOther(location=landing(request, next_path))
    response.headers.add("Set-Cookie", session_cookie_header(request, token))
    response.cache_control = "no-store"
    return response


def code_page(request, challenge: str, methods=(), next_path=None, *, status=200, error=None):
    """The form asking for the second factor's code (it holds the challenge)."""
    values = {
        "challenge": challenge,
        "methods": methods,
        "next": local_path(next_path),
        "error": error,
    }
    response = page(request, "second_factor.jinja2", values, status=status)
    response.cache_control = "no-store"
    return response


def post_second_factor(request):
    """The code for the challenge the page holds: signed in, or the page
    again with the JSON exchange's one refusal."""
    form = request.POST
    challenge, next_path = form.get("challenge", ""), form.get("next")
    try:
        done = answer_challenge(request, challenge, form.get("code", "")[:64])
    except Throttled as exc:
        response = code_page(
            request, challenge, (), next_path, status=exc.status_code, error=exc.message
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return pacer(request.registry).pace(response)
    if done is None:
        return code_page(request, challenge, (), next_path, status=401, error=WRONG_CODE)
    return signed_in(request, done[0], next_path)


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
