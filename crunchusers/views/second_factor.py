"""A user's second factors over HTTP, under the user entity.

``/api/users/{id}/second_factor/``:

* ``GET`` — the state (mailed codes on, TOTP active or pending, recovery
  codes left, whether the account requires a factor, the methods a sign-in
  would offer): for the user and the admins of their account;
* ``PATCH {"email": true|false}`` — the user opts in to (or out of, with
  ``"password"``) mailed codes;
* ``DELETE`` — reset: every factor gone (mailed codes off, TOTP, recovery
  codes).  The user may, with ``{"password"}``, and whoever may force a
  reset of their password: admins of the account, never on the owner (only
  the owner, or the superuser); the user is mailed when someone else did it.

The user's own enrolment of an authenticator app:

* ``POST totp/ {"password"}`` — a fresh secret and its ``otpauth://`` URI
  (for a QR code); it signs nobody in until confirmed, and an app confirmed
  before works until then;
* ``POST totp/confirm/ {"code"}`` — the app's first code activates it; the
  answer carries ten recovery codes, shown this once;
* ``POST recovery_codes/ {"code", "password"}`` — ten new recovery codes
  for a fresh app code; the old ones die.

What weakens a factor asks for the current password (``views.reauth``).

Secrets and codes come in answers marked ``no-store``.  Anyone else who may
see the user gets 403, others 404, anonymous callers 401.  Signing in with
a second factor is ``views.auth``'s.
"""

from pyramid.response import Response

from ..authz.grants import account_of
from ..authz.permissions import Permission
from ..authz.rules import may_reset_second_factor, may_see_second_factor
from ..domain import second_factor as mfa
from ..domain.exceptions import NotAllowed
from ..domain.notifications import Notifier
from ..domain.totp import provisioning_uri
from ..infra.clock import get_clock
from ..infra.settings import get_config
from ..rendering import shoji
from ..rendering.renderer import write_json
from . import no_content, read_entity, register, user_action
from .bodies import (
    Reauthentication,
    RecoveryCodesRequest,
    SecondFactorCode,
    SecondFactorPatch,
    TotpEnrolment,
)
from .passwords import only_the_user
from .reauth import refused

state = user_action("second_factor")
totp = user_action("second_factor/totp")
confirm = user_action("second_factor/totp/confirm")
recovery_codes = user_action("second_factor/recovery_codes")

#: Links of the state document, for the user themself.
OWN_ACTIONS = ("totp", "totp/confirm", "recovery_codes")
NOT_YOURS = "Only the user sets up their own second factor."


def includeme(config):
    register(config, state, totp, confirm, recovery_codes)


def secret_answer(request, body: dict) -> Response:
    """200 with ``body``, which holds a secret: never cached."""
    response = Response(content_type="application/json", charset="utf-8")
    write_json(request, response, body)
    response.cache_control = "no-store"
    return response


def own_factor(request):
    """The user, who must be the caller."""
    only_the_user(request, request.context, NOT_YOURS)
    return request.context


@state.get(permission=Permission.VIEW)
def get_second_factor(request):
    target = request.context
    account = account_of(request.api_root, target)
    if not may_see_second_factor(request.identity, target, account):
        raise NotAllowed("Only the user and the admins of their account see this.")
    base = request.resource_url(target, "second_factor", "")
    own = target.__name__ == request.identity.__name__
    views = {name.replace("/", "_"): f"{base}{name}/" for name in OWN_ACTIONS} if own else {}
    return shoji.entity(
        request,
        target,
        mfa.state(target, account),
        self_url=base,
        description="The user's second factors",
        views=views,
    )


@state.patch(permission=Permission.VIEW, schema=SecondFactorPatch())
def patch_second_factor(request):
    user, data = own_factor(request), read_entity(request)
    if not data["email"]:
        wrong = refused(request, user, data.get("password"), "turn mailed codes off")
        if wrong is not None:
            return wrong
    mfa.set_email(user, data["email"])
    return no_content()


@state.delete(permission=Permission.VIEW)
def delete_second_factor(request):
    target, me = request.context, request.identity
    if not may_reset_second_factor(me, target, account_of(request.api_root, target)):
        raise NotAllowed(
            "Only the user or an admin of their account may reset their second factor "
            "(the account owner's is theirs alone)."
        )
    if target.__name__ == me.__name__:
        password = read_entity(request, Reauthentication()).get("password")
        wrong = refused(request, target, password, "reset your second factor")
        if wrong is not None:
            return wrong
    mfa.reset(target)
    if target.__name__ != me.__name__:
        Notifier.for_request(request).second_factor_reset(target)
    return no_content()


@totp.post(permission=Permission.VIEW, schema=TotpEnrolment())
def post_totp(request):
    """Enrol an authenticator app: its secret and ``otpauth://`` URI."""
    user = own_factor(request)
    password = read_entity(request)["password"]
    wrong = refused(request, user, password, "set up an authenticator app")
    if wrong is not None:
        return wrong
    secret = mfa.enrol_totp(user)
    uri = provisioning_uri(secret, user.email, get_config(request.registry).totp_issuer)
    return secret_answer(request, {"secret": secret, "uri": uri})


def code_of(request) -> tuple:
    """The caller's own user, the code sent, and now."""
    return own_factor(request), read_entity(request)["code"], get_clock(request.registry).now()


@confirm.post(permission=Permission.VIEW, schema=SecondFactorCode())
def post_totp_confirm(request):
    """Activate the app with its first code; ten recovery codes, shown once."""
    return secret_answer(request, {"recovery_codes": mfa.confirm_totp(*code_of(request))})


@recovery_codes.post(permission=Permission.VIEW, schema=RecoveryCodesRequest())
def post_recovery_codes(request):
    """Ten new recovery codes for a fresh app code; the old ones die."""
    user, code, now = code_of(request)
    wrong = refused(request, user, read_entity(request)["password"], "get new recovery codes")
    if wrong is not None:
        return wrong
    codes = mfa.regenerate_recovery_codes(user, code, now)
    return secret_answer(request, {"recovery_codes": codes})
