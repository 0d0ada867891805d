"""Logging in and out, and the public catalog of unauthenticated views."""

from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED

from ..authz import login as authn
from ..authz.permissions import Permission
from ..domain.exceptions import Invalid
from ..domain.notifications import Notifier
from ..infra.clock import get_clock
from ..infra.passwords import hash_password, policy_problem
from ..rendering import shoji
from . import no_content, read_object, register, tree_service
from .bodies import LinkPassword, Login, PasswordReset
from .errors import unauthorized
from .root import api_link

public = tree_service("public", "/api/public/", context="/api/")
login = tree_service("login", "/api/public/login/", context="/api/")
logout = tree_service("logout", "/api/logout/", context="/api/")


@public.get(permission=NO_PERMISSION_REQUIRED)
def get_public(request):
    names = ("login", "password_reset", "password_change")  # only views that exist
    return shoji.catalog(
        request,
        None,
        {},
        self_url=api_link(request, "public"),
        views={name: api_link(request, "public", name) for name in names},
    )


@login.post(permission=NO_PERMISSION_REQUIRED)
def post_login(request):
    """Start a session: a cookie, or with ``"token": true`` a bearer token in
    the body.  The answer carries a credential, so it is never cached."""
    data = read_object(request, Login())
    login_name = data["email"] if "email" in data else data["username"]
    token = authn.login_with_password(request, login_name, data["password"])
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


password_change = tree_service("password_change", "/api/public/password_change/", context="/api/")
password_reset = tree_service("password_reset", "/api/public/password_reset/", context="/api/")


def includeme(config):
    register(config, public, login, logout, password_change, password_reset)


INVALID_LINK = "This link is invalid or has expired."


@password_change.post(permission=NO_PERMISSION_REQUIRED)
def post_password_change(request):
    """Set a password with a mailed token: activates a pending user and marks
    the email verified.  Unknown, used and expired tokens get one message."""
    data = read_object(request, LinkPassword())
    token, password = data.get("token"), data.get("password")
    if problem := policy_problem(password):
        raise Invalid("password", problem)
    api_root = request.api_root
    now = get_clock(request.registry).now()
    user_id = api_root.link_tokens.redeem(token, ("invite", "password_reset"), now)
    user = api_root.users.get(user_id) if user_id else None
    if user is None or user.status in ("deleted", "inactive", "locked"):
        raise Invalid("token", INVALID_LINK)
    user.password_hash = hash_password(request.registry, password)
    user.email_verified = True
    if user.status == "pending":
        user.status = "active"
    api_root.sessions.end_all(user, kind="session")
    Notifier.for_request(request).password_changed(user)
    return no_content()


@password_reset.post(permission=NO_PERMISSION_REQUIRED)
def post_password_reset(request):
    """Queue a reset link for the address; always 204, and the same work in
    the request whatever the address (the delivery worker looks it up), so
    neither the answer nor its timing says which addresses exist."""
    data = read_object(request, PasswordReset())
    Notifier.for_request(request).password_reset(data["email"], data.get("url_base"))
    return no_content()
