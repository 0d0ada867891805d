"""The pages of email verification and email change links.

Both run the domain function behind their JSON twin
(``POST /api/public/verify_email/``, ``POST /api/public/change_email/``)
and neither signs in: following a link proves a mailbox, not a password.
They live at the paths the mails link to when a request names no
``url_base`` (``domain.email_address.VERIFY_PAGE`` and ``CHANGE_PAGE``);
a dead link's page offers a new one (:mod:`..email_requests`).
"""

from ...domain.email_address import (
    CHANGE,
    CHANGE_PAGE,
    VERIFY,
    VERIFY_PAGE,
    confirm_email_change,
    confirm_verification,
    link_holder,
)
from ...domain.notifications import Notifier
from ...infra.clock import get_clock
from . import LinkPage, add_link_page, add_link_path


def verify(request, token, form):
    return confirm_verification(request.api_root, token, get_clock(request.registry).now())


def change(request, token, form):
    now = get_clock(request.registry).now()
    return confirm_email_change(request.api_root, token, now, Notifier.for_request(request))


def holder_of(purpose: str):
    def holder(api_root, token, now):
        found = link_holder(api_root, token, purpose, now)
        return found[0] if found else None

    return holder


def new_address(api_root, token, now) -> str:
    _, address = link_holder(api_root, token, CHANGE, now)
    return f"New address: {address}"


VERIFICATION = LinkPage(
    VERIFY,
    "Verify your email address",
    "Confirm that this address is yours; until you do, you may sign in but not "
    "use the application.",
    "Verify my email address",
    complete=verify,
    holder=holder_of(VERIFY),
    signs_in=False,
    done="Your email address is verified.",
)

EMAIL_CHANGE = LinkPage(
    CHANGE,
    "Confirm your new email address",
    "Make this address the one you sign in with; the old one stops working and "
    "is told of the change. Your sessions and API keys stay.",
    "Confirm my new email address",
    complete=change,
    holder=holder_of(CHANGE),
    detail=new_address,
    signs_in=False,
    done="Your email address is changed: sign in with the new one from now on.",
)


def includeme(config):
    for route, template, renew, link_page in (
        ("verify_email_link", VERIFY_PAGE, "verify_renew.jinja2", VERIFICATION),
        ("change_email_link", CHANGE_PAGE, "change_renew.jinja2", EMAIL_CHANGE),
    ):
        add_link_path(config, route, template.replace("${token}", "{token}"), renew=renew)
        add_link_page(config, link_page)
