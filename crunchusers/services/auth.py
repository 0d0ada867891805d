"""Logging in and out, and the public catalog of unauthenticated views."""

from pyramid.security import NO_PERMISSION_REQUIRED

from .. import shoji
from ..auth import login_with_password, logout_cookie_header, session_cookie_header
from ..errors import bad_request, unauthorized
from ..security import Permission
from . import no_content, tree_service
from .root import api_link

public = tree_service("public", "/api/public/", context="/api/")
login = tree_service("login", "/api/public/login/", context="/api/")
logout = tree_service("logout", "/api/logout/", context="/api/")


@public.get(permission=NO_PERMISSION_REQUIRED)
def get_public(request):
    names = ("login", "password_reset", "password_change", "change_email", "inquire")
    return shoji.catalog(
        request,
        None,
        {},
        self_url=api_link(request, "public"),
        views={name: api_link(request, "public", name) for name in names},
    )


@login.post(permission=NO_PERMISSION_REQUIRED)
def post_login(request):
    data = shoji.json_object(request)
    login_name = data.get("email", data.get("username"))
    password = data.get("password")
    if not isinstance(login_name, str) or not isinstance(password, str):
        raise bad_request("'email' and 'password' are required strings.", field="email")
    token = login_with_password(request, login_name, password)
    if token is None:
        return unauthorized(request, "Invalid email or password.")
    if data.get("token") is True:
        return {"access_token": token, "token_type": "Bearer"}
    response = no_content()
    response.headers["Set-Cookie"] = session_cookie_header(request, token)
    return response


@logout.get(permission=Permission.VIEW)
def get_logout(request):
    from ..auth import end_current_session

    end_current_session(request)
    response = no_content()
    response.headers["Set-Cookie"] = logout_cookie_header(request)
    return response
