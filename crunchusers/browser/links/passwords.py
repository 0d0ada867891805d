"""The pages of invitation and password reset links.

Both set a password through ``domain.credentials.set_password_with_link``,
the function behind ``POST /api/public/password_change/``, and both live at
the path of ``crunchusers.default_url_base`` (``/password/change/${token}/``).
"""

import re
from urllib.parse import urlsplit

from ...domain.credentials import password_link_user, set_password_with_link
from ...domain.notifications import Notifier
from . import LinkPage

#: Served when ``default_url_base`` names no path of ours (see below).
DEFAULT_PATTERN = "/password/change/{token}/"


def password_link_pattern(default_url_base: str) -> str:
    """The route pattern of the mailed password links: the path of
    ``crunchusers.default_url_base`` (relative or absolute) when ``${token}``
    is one whole segment of it, else :data:`DEFAULT_PATTERN`.  A template on
    another site (a ``link_origins`` web app) is that site's to serve; the
    same path here does no harm."""
    path = urlsplit(default_url_base).path
    if re.fullmatch(r"(/[^/{}$]+)*/\$\{token\}/?", path):
        return path.replace("${token}", "{token}")
    return DEFAULT_PATTERN


def set_password(request, token, form):
    return set_password_with_link(
        request.registry,
        request.api_root,
        token,
        form.get("password", ""),
        field="password",
        notifier=Notifier.for_request(request),
    )


def holder(api_root, token, now):
    return password_link_user(api_root, token, now, consume=False)


def password_page(purpose: str, title: str, lead: str, button: str) -> LinkPage:
    return LinkPage(purpose, title, lead, button, set_password, holder, asks_password=True)


INVITATION = password_page(
    "invite",
    "Accept your invitation",
    "Choose a password to activate your account; you are signed in right after.",
    "Set my password and sign in",
)

PASSWORD_RESET = password_page(
    "password_reset",
    "Reset your password",
    "Choose a new password. Every other session and API key of yours ends.",
    "Set my new password and sign in",
)
