"""Logging in and out, and the public catalog of unauthenticated views."""

from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED

from ..authz.login import (
    end_current_session,
    login_with_password,
    logout_cookie_header,
    session_cookie_header,
)
from ..authz.permissions import Permission
from ..domain.bounds import NAME_MAX, check_text
from ..domain.exceptions import Invalid
from ..domain.sign_ins import Throttled
from ..infra.hashing import HashingBusy
from ..infra.passwords import LOGIN_MAX_LENGTH
from ..rendering import shoji
from . import no_content, tree_service
from .errors import domain_error_view, hashing_busy_view, unauthorized
from .oidc import login_links
from .pacing import pacer
from .root import api_link

public = tree_service("public", "/api/public/", context="/api/")
login = tree_service("login", "/api/public/login/", context="/api/")
logout = tree_service("logout", "/api/logout/", context="/api/")


@public.get(permission=NO_PERMISSION_REQUIRED)
def get_public(request):
    """The public views, and in the body the OpenID providers one may sign
    in with (``oauth_providers``: id, name, login_url; see views/oidc.py)."""
    names = (
        "login",
        "password_reset",
        "password_change",
        "password_policy",
    )  # only those that exist
    return shoji.catalog(
        request,
        None,
        {},
        self_url=api_link(request, "public"),
        views={name: api_link(request, "public", name) for name in names},
        body={"oauth_providers": login_links(request)},
    )


def login_fields(data: dict) -> tuple[str, str]:
    """``email`` (or ``username``) and ``password``, bounded: no valid login is
    longer than a name, no valid password longer than the policy allows."""
    login_name = data.get("email", data.get("username"))
    password = data.get("password")
    if not isinstance(login_name, str) or not isinstance(password, str):
        raise Invalid("email", "'email' and 'password' are required strings.")
    check_text(login_name, "email", NAME_MAX, multiline=False)
    if len(password) > LOGIN_MAX_LENGTH:
        raise Invalid("password", f"password is longer than {LOGIN_MAX_LENGTH} characters.")
    return login_name, password


@login.post(permission=NO_PERMISSION_REQUIRED)
def post_login(request):
    """Start a session: a cookie, or with ``"token": true`` a bearer token in
    the body.  The answer carries a credential, so it is never cached."""
    data = shoji.json_object(request)
    method = "token" if data.get("token") is True else "password"
    try:
        token = login_with_password(request, *login_fields(data), method=method)
    except Throttled as exc:
        return pacer(request.registry).pace(domain_error_view(exc, request))
    except HashingBusy as exc:
        return pacer(request.registry).pace(hashing_busy_view(exc, request))
    if token is None:
        return unauthorized(request, "Invalid email or password.")
    if data.get("token") is True:
        response = Response(content_type="application/json", charset="utf-8")
        response.json_body = {"access_token": token, "token_type": "Bearer"}
    else:
        response = no_content()
        response.headers["Set-Cookie"] = session_cookie_header(request, token)
    response.cache_control = "no-store"
    return response


@logout.get(permission=Permission.VIEW)
def get_logout(request):
    end_current_session(request)
    response = no_content()
    response.headers["Set-Cookie"] = logout_cookie_header(request)
    return response
