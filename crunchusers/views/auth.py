"""Logging in and out, and the public catalog of unauthenticated views."""

from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED

from ..authz import login as authn
from ..authz.permissions import Permission
from ..domain.sign_ins import Throttled
from ..infra.hashing import HashingBusy
from ..rendering import shoji
from . import no_content, read_object, register, tree_service
from .bodies import Login
from .errors import domain_error_view, hashing_busy_view, unauthorized
from .oidc import login_links
from .pacing import pacer
from .root import api_link, description_urls

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
        "change_email",
        "verify_email",
    )  # only those that exist
    return shoji.catalog(
        request,
        None,
        {},
        self_url=api_link(request, "public"),
        views={name: api_link(request, "public", name) for name in names},
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
    if data.get("token"):
        response = Response(content_type="application/json", charset="utf-8")
        response.json_body = {"access_token": token, "token_type": "Bearer"}
    else:
        response = no_content()
        response.headers["Set-Cookie"] = authn.session_cookie_header(request, token)
    response.cache_control = "no-store"
    return response


@logout.get(permission=Permission.VIEW)
def get_logout(request):
    authn.end_current_session(request)
    response = no_content()
    response.headers["Set-Cookie"] = authn.logout_cookie_header(request)
    return response


def includeme(config):
    register(config, public, login, logout)
