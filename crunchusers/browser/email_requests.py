"""Asking for a new email link with a form: a new verification link
(``/browse/verify_email/``) or an email change (``/browse/change_email/``).

Where the page of a dead verification or change link sends you.  The same
domain calls as ``POST /api/users/{id}/verify_email/`` and
``/change_email/``, for the signed-in user only (anyone else is sent to
the sign-in page, which comes back here); the posts are CSRF-checked like
every form under ``/browse/`` (:mod:`.forms`).
"""

from urllib.parse import urlencode

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED

from ..domain.email_address import ask_for_verification, request_email_change
from ..domain.exceptions import DomainError
from ..domain.notifications import Notifier
from ..views.bodies import EmailChange
from ..views.schemas import validate
from .render import PREFIX, page
from .session import LOGIN

VERIFY = f"{PREFIX}/verify_email/"
CHANGE = f"{PREFIX}/change_email/"


def includeme(config):
    for name, path, view in (
        ("browser_verify_email", VERIFY, verification),
        ("browser_change_email", CHANGE, change),
    ):
        config.add_route(name, path)
        config.add_view(
            view,
            route_name=name,
            request_method=("GET", "POST"),
            permission=NO_PERMISSION_REQUIRED,
        )


def signed_in_only(view):
    """The view for a signed-in user; anyone else signs in first."""

    def guarded(request):
        if request.identity is None:
            query = urlencode({"next": request.script_name + request.path_info})
            return HTTPSeeOther(location=f"{request.script_name}{LOGIN}?{query}")
        return view(request, request.identity)

    guarded.__doc__ = view.__doc__
    return guarded


def request_page(request, kind, *, status=200, error=None, sent=False, email=""):
    verified = request.identity.email_verified
    values = {"kind": kind, "error": error, "sent": sent, "email": email, "verified": verified}
    return page(request, "email_request.jinja2", values, status=status)


@signed_in_only
def verification(request, user):
    """Mail the signed-in user a new verification link."""
    if request.method == "GET":
        return request_page(request, "verify")
    try:
        ask_for_verification(request.api_root, user, Notifier.for_request(request))
    except DomainError as exc:
        return request_page(request, "verify", status=exc.status_code, error=exc.message)
    return request_page(request, "verify", sent=True, email=user.email)


@signed_in_only
def change(request, user):
    """Start an email change: the current password and the new address."""
    if request.method == "GET":
        return request_page(request, "change")
    email = request.POST.get("email", "")
    try:
        data = validate(EmailChange(), {"pw": request.POST.get("password", ""), "email": email})
        request_email_change(
            request.registry,
            request.api_root,
            user,
            data["pw"],
            data["email"],
            notifier=Notifier.for_request(request),
            fields=("password", "email"),
        )
    except DomainError as exc:
        status, error = exc.status_code, exc.message
        return request_page(request, "change", status=status, error=error, email=email)
    return request_page(request, "change", sent=True, email=email)
