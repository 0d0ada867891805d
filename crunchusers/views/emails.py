"""Email addresses over HTTP: change (reference §4.3) and verification
(seed 003).  The rules are ``domain.email_address``'s; this module reads
bodies (colander schemas) and says who may knock.

* ``POST /api/users/{id}/change_email/`` ``{"pw", "email"[, "url_base"]}``
  and ``POST /api/public/change_email/`` ``{"token"}``;
* ``POST /api/users/{id}/verify_email/`` ``[{"url_base"}]`` (a new link)
  and ``POST /api/public/verify_email/`` ``{"token"}``.

Only the user acts on their own address: anyone else who can see the user
gets 403, others 404 (the server's rule for what one cannot see).
"""

from pyramid.security import NO_PERMISSION_REQUIRED

from ..authz.permissions import Permission
from ..domain.email_address import (
    ask_for_verification,
    confirm_email_change,
    confirm_verification,
    request_email_change,
)
from ..domain.notifications import Notifier
from ..infra.clock import get_clock
from . import no_content, register, tree_service, user_action
from .bodies import EmailChange, LinkRequest, MailedToken
from .passwords import body_of, only_the_user
from .reauth import counted_check

change_email = user_action("change_email")
verify_email = user_action("verify_email")
public_change_email = tree_service("change_email", "/api/public/change_email/", context="/api/")
public_verify_email = tree_service("verify_email", "/api/public/verify_email/", context="/api/")

NOT_YOURS = "Only the user may change or verify their email address."


def includeme(config):
    register(config, change_email, verify_email, public_change_email, public_verify_email)


@change_email.post(permission=Permission.VIEW)
def post_change_email(request):
    """204 and a link to the new address; the old one stays until it is
    used.  Wrong password 400, an oauth user 409, an address in use the same
    204 changing nothing."""
    only_the_user(request, request.context, NOT_YOURS)
    data = body_of(request, EmailChange())
    wrong = counted_check(request, request.context, data["pw"], "pw")
    if wrong is not None:
        return wrong
    request_email_change(
        request.registry,
        request.api_root,
        request.context,
        data["pw"],
        data["email"],
        notifier=Notifier.for_request(request),
        url_base=data.get("url_base"),
    )
    return no_content()


@verify_email.post(permission=Permission.VIEW)
def post_verify_email(request):
    """Mail the user a new verification link (within the mail budget)."""
    only_the_user(request, request.context, NOT_YOURS)
    data = body_of(request, LinkRequest())
    ask_for_verification(
        request.api_root, request.context, Notifier.for_request(request), data.get("url_base")
    )
    return no_content()


@public_change_email.post(permission=NO_PERMISSION_REQUIRED)
def post_public_change_email(request):
    """Use a change link: 204; unknown, used or expired 400 (one message);
    the address taken meanwhile 409."""
    data = body_of(request, MailedToken())
    now = get_clock(request.registry).now()
    confirm_email_change(request.api_root, data["token"], now, Notifier.for_request(request))
    return no_content()


@public_verify_email.post(permission=NO_PERMISSION_REQUIRED)
def post_public_verify_email(request):
    """Use a verification link: 204; unknown, used or expired 400 (one message)."""
    data = body_of(request, MailedToken())
    confirm_verification(request.api_root, data["token"], get_clock(request.registry).now())
    return no_content()
