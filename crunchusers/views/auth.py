"""Logging in and out, and the public catalog of unauthenticated views.

A user with a second factor signs in in two steps: ``POST
/api/public/login/`` with the right password answers 401 with
``second_factor`` (``methods``, ``challenge``, ``url``) and no session;
``POST`` of ``{"challenge", "code"}`` to that ``url``
(``/api/public/login/second_factor/``) answers exactly as the login would
have (``authz.second_factor``).
"""

from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED

from ..authz import login as authn
from ..authz.permissions import Permission
from ..authz.second_factor import WRONG_CODE, answer_challenge
from ..domain.second_factor import Issued
from ..domain.sign_ins import Throttled
from ..infra.hashing import HashingBusy
from ..rendering import shoji
from ..rendering.renderer import write_json
from . import no_content, read_object, register, tree_service
from .bodies import Login, SecondFactorAnswer
from .errors import (
    domain_error_view,
    error_response,
    hashing_busy_view,
    public_urls,
    unauthorized,
)
from .oidc import login_links
from .pacing import pacer
from .root import api_link, description_urls

public = tree_service("public", "/api/public/", context="/api/")
login = tree_service("login", "/api/public/login/", context="/api/")
logout = tree_service("logout", "/api/logout/", context="/api/")
second_factor = tree_service(
    "login_second_factor", "/api/public/login/second_factor/", context="/api/"
)


@public.get(permission=NO_PERMISSION_REQUIRED)
def get_public(request):
    """The public views, and in the body the OpenID providers one may sign
    in with (``oauth_providers``: id, name, login_url; see views/oidc.py)."""
    names = (
        "login",
        "password_reset",
        "password_change",
        "password_policy",
        "change_email",
        "verify_email",
    )  # only those that exist
    return shoji.catalog(
        request,
        None,
        {},
        self_url=api_link(request, "public"),
        views={
            **{name: api_link(request, "public", name) for name in names},
            "second_factor": api_link(request, "public", "login", "second_factor"),
        },
        urls=description_urls(request),
        body={"oauth_providers": login_links(request)},
    )


@login.post(permission=NO_PERMISSION_REQUIRED, schema=Login())
def post_login(request):
    """Start a session: a cookie, or with ``"token": true`` a bearer token in
    the body.  The answer carries a credential, so it is never cached."""
    data = read_object(request)
    login_name = data["email"] if "email" in data else data["username"]
    method = "token" if data.get("token") else "password"
    try:
        token = authn.login_with_password(request, login_name, data["password"], method=method)
    except Throttled as exc:
        return pacer(request.registry).pace(domain_error_view(exc, request))
    except HashingBusy as exc:
        return pacer(request.registry).pace(hashing_busy_view(exc, request))
    if token is None:
        return unauthorized(request, "Invalid email or password.")
    if isinstance(token, Issued):
        return second_factor_needed(request, token)
    return session_answer(request, token, bool(data.get("token")))


def session_answer(request, token: str, as_bearer: bool):
    """A new session as the login answers it: a cookie (204), or a bearer
    token in the body; never cached."""
    if as_bearer:
        response = Response(content_type="application/json", charset="utf-8")
        write_json(request, response, {"access_token": token, "token_type": "Bearer"})
    else:
        response = no_content()
        response.headers["Set-Cookie"] = authn.session_cookie_header(request, token)
    response.cache_control = "no-store"
    return response


def second_factor_needed(request, issued: Issued):
    """401 with the challenge: no session yet, the code comes next."""
    challenge = {
        "methods": list(issued.methods),
        "challenge": issued.token,
        "url": api_link(request, "public", "login", "second_factor"),
    }
    message = (
        f"A second factor is needed ({', '.join(issued.methods)}): POST the challenge "
        "and a code to second_factor.url."
    )
    extra = {"urls": public_urls(request), "second_factor": challenge}
    response = error_response(request, 401, message, extra=extra)
    response.cache_control = "no-store"
    return response


@second_factor.post(permission=NO_PERMISSION_REQUIRED, schema=SecondFactorAnswer())
def post_second_factor(request):
    """The second step of a sign-in: the challenge and a code (mailed, from
    an authenticator app, or a recovery code); answered as the login."""
    data = read_object(request)
    try:
        done = answer_challenge(request, data["challenge"], data["code"])
    except Throttled as exc:
        return pacer(request.registry).pace(domain_error_view(exc, request))
    if done is None:
        return unauthorized(request, WRONG_CODE)
    return session_answer(request, *done)


@logout.get(permission=Permission.VIEW)
def get_logout(request):
    authn.end_current_session(request)
    response = no_content()
    response.headers["Set-Cookie"] = authn.logout_cookie_header(request)
    return response


def includeme(config):
    register(config, public, login, logout, second_factor)
