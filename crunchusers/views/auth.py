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
from ..domain.federation import refuse_password
from ..domain.notifications import Notifier
from ..infra.clock import get_clock
from ..infra.passwords import MAX_LENGTH, hash_password, policy_problem
from ..rendering import shoji
from ..rendering.renderer import write_json
from . import no_content, tree_service
from .errors import unauthorized
from .oidc import login_links
from .root import api_link

public = tree_service("public", "/api/public/", context="/api/")
login = tree_service("login", "/api/public/login/", context="/api/")
logout = tree_service("logout", "/api/logout/", context="/api/")


@public.get(permission=NO_PERMISSION_REQUIRED)
def get_public(request):
    """The public views, and in the body the OpenID providers one may sign
    in with (``oauth_providers``: id, name, login_url; see views/oidc.py)."""
    names = ("login", "password_reset", "password_change")  # only views that exist
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
    if len(password) > MAX_LENGTH:
        raise Invalid("password", f"password is longer than {MAX_LENGTH} characters.")
    return login_name, password


@login.post(permission=NO_PERMISSION_REQUIRED)
def post_login(request):
    """Start a session: a cookie, or with ``"token": true`` a bearer token in
    the body.  The answer carries a credential, so it is never cached."""
    data = shoji.json_object(request)
    token = login_with_password(request, *login_fields(data))
    if token is None:
        return unauthorized(request, "Invalid email or password.")
    if data.get("token") is True:
        response = Response(content_type="application/json", charset="utf-8")
        write_json(request, response, {"access_token": token, "token_type": "Bearer"})
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


password_change = tree_service("password_change", "/api/public/password_change/", context="/api/")
password_reset = tree_service("password_reset", "/api/public/password_reset/", context="/api/")

INVALID_LINK = "This link is invalid or has expired."


@password_change.post(permission=NO_PERMISSION_REQUIRED)
def post_password_change(request):
    """Set a password with a mailed token: activates a pending user and marks
    the email verified.  Unknown, used and expired tokens get one message."""
    data = shoji.json_object(request)
    token, password = data.get("token"), data.get("password")
    if problem := policy_problem(password):
        raise Invalid("password", problem)
    api_root = request.api_root
    now = get_clock(request.registry).now()
    user_id = api_root.link_tokens.redeem(token, ("invite", "password_reset"), now)
    user = api_root.users.get(user_id) if user_id else None
    if user is None or user.status in ("deleted", "inactive", "locked"):
        raise Invalid("token", INVALID_LINK)
    refuse_password(user)
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
    data = shoji.json_object(request)
    email, url_base = data.get("email"), data.get("url_base")
    if not isinstance(email, str) or (url_base is not None and not isinstance(url_base, str)):
        raise Invalid("email", "'email' (and 'url_base' if given) must be strings.")
    Notifier.for_request(request).password_reset(email, url_base)
    return no_content()
