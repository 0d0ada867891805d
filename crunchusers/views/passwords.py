"""Passwords over HTTP: change, reset (public and per user), links that set
one, an admin's forced reset, and the password policy views.

Every door that sets a password goes through ``domain.credentials``; this
module only reads bodies (colander schemas) and says who may knock.
"""

from pyramid.security import NO_PERMISSION_REQUIRED

from ..authz.permissions import Permission
from ..authz.policy import credential_from
from ..authz.rules import may_force_password_reset
from ..domain.credentials import (
    change_own_password,
    check_current_password,
    force_password_reset,
    password_link_user,
    set_password_with_link,
)
from ..domain.email_address import request_email_change
from ..domain.exceptions import Invalid, NotAllowed
from ..domain.notifications import Notifier
from ..domain.password_policy import PasswordPolicy
from ..infra.clock import get_clock
from ..rendering import shoji
from . import add_views, no_content, read_entity, register, tree_service, user_action
from .bodies import LinkRequest, OwnPassword, PasswordChange, PasswordResetRequest, PasswordSet
from .reauth import counted_check
from .schemas import validate

password = user_action("password")
password_reset = user_action("password_reset")
force_reset = user_action("force_password_reset")
public_password_reset = tree_service(
    "password_reset", "/api/public/password_reset/", context="/api/"
)
public_password_change = tree_service(
    "password_change", "/api/public/password_change/", context="/api/"
)
public_policy = tree_service(
    "public_password_policy", "/api/public/password_policy/", context="/api/"
)
account_policy = tree_service(
    "account_password_policy",
    "/api/accounts/{account_id}/password_policy/",
    context="/api/accounts/{account_id}/",
)
my_account_policy = tree_service(
    "my_account_password_policy", "/api/account/password_policy/", context="/api/account/"
)


def includeme(config):
    register(
        config,
        password,
        password_reset,
        force_reset,
        public_password_reset,
        public_password_change,
        public_policy,
        account_policy,
        my_account_policy,
    )


def body_of(request, schema=None) -> dict:
    return read_entity(request, schema)


ONLY_THE_USER = (
    "Only the user may change their password; an admin may force a reset (force_password_reset)."
)


def only_the_user(request, target, message=ONLY_THE_USER):
    """403 (404 if they cannot see the user) unless the caller is ``target``."""
    if target.__name__ != request.identity.__name__:
        raise NotAllowed(message)


def change_password_as_caller(request, target, old, new, fields):
    """The signed-in user's own change, keeping the session it came in with."""
    only_the_user(request, target)
    change_own_password(
        request.registry,
        request.api_root,
        target,
        old,
        new,
        fields=fields,
        notifier=Notifier.for_request(request),
        keep=credential_from(request),
    )


def wrong_own_password(request, target, members: dict):
    """The own-account edit's ``old_password``, checked before anything of
    the edit changes: the 400 when it is wrong (counted like a failed
    sign-in, ``views.reauth``), else None."""
    if "old_password" not in members:
        return None
    only_the_user(request, target)
    return counted_check(request, target, members["old_password"], "old_password")


def own_account_password(request, target, members: dict):
    """The own-account edit (seed 001's ``useraccount``): ``password`` with
    ``old_password`` is the password change above, ``email`` with it the
    email change (``domain.email_address.request_email_change``: a link to
    the new address, no change yet); ``old_password`` alone (with a name
    change, say) must still be right."""
    data = validate(OwnPassword(), members)
    only_the_user(request, target)
    secret_change = {"password", "email"} & set(data)
    if secret_change and "old_password" not in data:
        name = "password" if "password" in data else "email"
        raise Invalid("old_password", f"old_password is required to change the {name}.")
    if "password" in data:
        fields = ("old_password", "password")
        change_password_as_caller(request, target, data["old_password"], data["password"], fields)
    if "email" in data:
        request_email_change(
            request.registry,
            request.api_root,
            target,
            # after a password change in this same edit, the new one is current
            data.get("password", data["old_password"]),
            data["email"],
            notifier=Notifier.for_request(request),
            fields=("old_password", "email"),
        )
    if not secret_change and "old_password" in data:
        check_current_password(
            request.registry, target, data["old_password"], field="old_password"
        )


@password.post(permission=Permission.VIEW, schema=PasswordChange())
def post_password(request):
    """Old and new password: 204; a wrong old one or a policy rule: 400
    naming it; another user's password: 403.  Every other session and API
    token of the user ends."""
    data = body_of(request)
    only_the_user(request, request.context)
    wrong = counted_check(request, request.context, data["old_pw"], "old_pw")
    if wrong is not None:
        return wrong
    change_password_as_caller(
        request, request.context, data["old_pw"], data["new_pw"], ("old_pw", "new_pw")
    )
    return no_content()


@password_reset.get(permission=Permission.VIEW)
def get_password_reset(request):
    """Always 204 and does nothing (reference §4.3): a GET must not mail,
    or any page could make a browser send resets."""
    return no_content()


@password_reset.post(permission=Permission.VIEW, schema=LinkRequest())
def post_password_reset(request):
    """Mail the user a reset link, exactly as the public form does for
    their address (same budget, same job): 204 whatever the user's state."""
    data = body_of(request)
    Notifier.for_request(request).password_reset(
        request.api_root, request.context.email or "", data.get("url_base")
    )
    return no_content()


@force_reset.post(permission=Permission.ADMIN, schema=LinkRequest())
def post_force_password_reset(request):
    """An admin ends the user's sessions and API tokens and mails a reset
    link; until it is used the user cannot sign in."""
    target = request.context
    api_root = request.api_root
    account = api_root.accounts.get(target.account_id) if target.account_id else None
    if not may_force_password_reset(request.identity, target, account):
        raise NotAllowed(
            "Only an admin of the user's account may force a reset, never on themselves, "
            "and the account owner's password is theirs alone."
        )
    data = body_of(request)
    force_password_reset(api_root, target, Notifier.for_request(request), data.get("url_base"))
    return no_content()


@public_password_reset.post(permission=NO_PERMISSION_REQUIRED, schema=PasswordResetRequest())
def post_public_password_reset(request):
    """Queue a reset link for the address; always 204, and the same work in
    the request whatever the address (the delivery worker looks it up), so
    neither the answer nor its timing says which addresses exist."""
    data = body_of(request)
    Notifier.for_request(request).password_reset(
        request.api_root, data["email"], data.get("url_base")
    )
    return no_content()


@public_password_change.post(permission=NO_PERMISSION_REQUIRED, schema=PasswordSet())
def post_public_password_change(request):
    """Set a password with a mailed token (reset or invitation): activates a
    pending user and marks the email verified.  Unknown, used and expired
    tokens get one message; a refused password keeps the token (the failed
    request's transaction is vetoed)."""
    data = body_of(request, PasswordSet())
    set_password_with_link(
        request.registry,
        request.api_root,
        data["token"],
        data["password"],
        field="password",
        notifier=Notifier.for_request(request),
    )
    return no_content()


def policy_view(request, policy):
    """The rules; ``self`` without the query, which may hold a token."""
    return shoji.view(request, request.path_url, policy.describe())


@public_policy.get(permission=NO_PERMISSION_REQUIRED)
def get_public_policy(request):
    """The default rules; with ``?token=`` of a live password link, the
    rules of that user's account (what the page behind the link needs).
    The token is a secret, so this tells nobody which addresses exist; a
    dead token gets the defaults."""
    token = request.params.get("token")
    api_root = request.api_root
    user = None
    if token:
        user = password_link_user(
            api_root, token, get_clock(request.registry).now(), consume=False
        )
    account = api_root.accounts.get(user.account_id) if user and user.account_id else None
    return policy_view(request, PasswordPolicy.of_account(account))


def get_account_policy(request):
    return policy_view(request, PasswordPolicy.of_account(request.context))


add_views(
    (account_policy, my_account_policy), "GET", get_account_policy, permission=Permission.VIEW
)
