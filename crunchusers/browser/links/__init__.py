"""The pages behind mailed links, one registration per purpose.

A mailed link is a path with a one-time token (``/password/change/<token>/``
for invitations and resets, ``/email/verify/<token>/``,
``/email/change/<token>/``).  ``GET`` on it looks the token up without
using it: its purpose picks the :class:`LinkPage` (a live invitation shows
the invitation's page, a live reset token the reset's), which shows what
the link does, the account's password rules when it asks for a password,
and a form.  The form posts to ``/browse/link/`` (CSRF-checked like every
form, :mod:`..forms`), which runs the page's domain call, then signs the
user in and lands on the browsable root (or, for a page that does not sign
in, or a user with a second factor, whom a mailbox alone does not sign in,
says it is done).  A token that is unknown, used or expired gets a 410
page saying so, with the way to ask for a new link that its path
(:class:`LinkPath`) names.

Adding a page is one registration (as :mod:`.emails` does for email
verification and change)::

    add_link_path(config, "verify_email_link", "/email/verify/{token}/",
                  renew="verify_renew.jinja2")
    add_link_page(config, LinkPage(
        purpose="verify_email", title="Verify your email", lead=..., button="Verify",
        complete=..., holder=..., signs_in=False, done="Your email address is verified."))

where ``complete(request, token, form)`` calls the domain function, raises
``Invalid`` (``field="token"`` for a dead token; any other refusal shows
the form again with its message and status) and returns the user, and
``holder(api_root, token, now)`` finds that user without using the token.
A path may serve several purposes (invitations and resets share one); its
dead-link page is ``renew`` (by default ``link_renew.jinja2``).
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED

from ...authz.grants import account_of
from ...authz.login import attempt_of, open_session, session_cookie_header
from ...domain.credentials import policy_for
from ...domain.exceptions import DomainError, Invalid
from ...domain.second_factor import methods as second_factor_methods
from ...infra.clock import get_clock
from ..render import PREFIX, page

SUBMIT = f"{PREFIX}/link/"

#: What a link that would sign in says to a user with a second factor.
SIGN_IN = "Done. Sign in with your password and your second factor."

#: The longest token looked up; ours are 43 characters.
TOKEN_MAX = 256


@dataclass(frozen=True)
class LinkPage:
    """What a live link of one ``purpose`` shows and does."""

    purpose: str
    title: str
    lead: str  # one sentence: what following this link does
    button: str
    #: ``complete(request, token, form) -> user``: the domain call.
    complete: Callable
    #: ``holder(api_root, token, now) -> user | None``: whom a live token
    #: serves, without using it (None: the page says the link is dead).
    holder: Callable
    asks_password: bool = False
    #: ``detail(api_root, token, now) -> str``: one more line the page shows
    #: (the new address of an email change), or None.
    detail: Callable | None = None
    #: After ``complete``: sign the user in and go to ``/api/``, or else
    #: show ``done`` (and a way to sign in).
    signs_in: bool = True
    done: str = "Done."


@dataclass(frozen=True)
class LinkPath:
    """A mailed link's path and what its page offers once the link is dead."""

    route: str
    pattern: str
    renew: str  # template of the dead link's page


class LinkRegistry:
    """The link paths served and the page of each purpose (on the registry)."""

    def __init__(self):
        self.paths: dict[str, LinkPath] = {}
        self.pages: dict[str, LinkPage] = {}

    def renewal(self, route) -> str:
        """The dead-link page of ``route``, or of the first path served."""
        path = self.paths.get(route) or next(iter(self.paths.values()))
        return path.renew


def links_of(registry) -> LinkRegistry:
    if not hasattr(registry, "crunchusers_links"):
        registry.crunchusers_links = LinkRegistry()
    return registry.crunchusers_links


def add_link_path(config, route: str, pattern: str, *, renew: str = "link_renew.jinja2"):
    """Serve ``GET pattern`` (with a ``{token}``) as the page of its link."""
    links_of(config.registry).paths[route] = LinkPath(route, pattern, renew)
    config.add_route(route, pattern)
    config.add_view(
        show_link, route_name=route, request_method="GET", permission=NO_PERMISSION_REQUIRED
    )


def add_link_page(config, link_page: LinkPage):
    """Register what live links of ``link_page.purpose`` show."""
    links_of(config.registry).pages[link_page.purpose] = link_page


def includeme(config):
    config.add_route("browser_link", SUBMIT)
    config.add_view(
        submit_link,
        route_name="browser_link",
        request_method="POST",
        permission=NO_PERMISSION_REQUIRED,
    )


def live_page(request, token) -> tuple[LinkPage, object] | None:
    """``(page, user)`` of a live token, without using it; else None."""
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX:
        return None
    now = get_clock(request.registry).now()
    purpose = request.api_root.link_tokens.purpose_of(token, now)
    link_page = links_of(request.registry).pages.get(purpose)
    if link_page is None:
        return None
    user = link_page.holder(request.api_root, token, now)
    return (link_page, user) if user is not None else None


def show_link(request):
    token = request.matchdict["token"]
    found = live_page(request, token)
    if found is None:
        return dead_link(request, request.matched_route.name)
    route = request.matched_route.name
    return link_form(request, *found, token, route, detail=detail_of(request, found[0], token))


def detail_of(request, link_page: LinkPage, token: str) -> str | None:
    """The page's extra line, found while the token is live (before it is used)."""
    if link_page.detail is None:
        return None
    return link_page.detail(request.api_root, token, get_clock(request.registry).now())


def link_form(request, link_page, user, token, route, *, detail, status=200, error=None):
    rules = None
    if link_page.asks_password:
        rules = policy_for(request.api_root, user).describe()["rules"]
    values = {
        "link": link_page,
        "detail": detail,
        "user": {"name": user.name, "email": user.email},
        "token": token,
        "rules": rules,
        "error": error,
        "action": request.script_name + SUBMIT,
        "route": route if route in links_of(request.registry).paths else None,
    }
    response = page(request, "link.jinja2", values, status=status)
    response.cache_control = "no-store"
    return response


def dead_link(request, route):
    """410: the link is unknown, used or expired (one answer for all three:
    used tokens are forgotten), with the way to a new one."""
    template = links_of(request.registry).renewal(route)
    response = page(request, template, {}, status=410)
    response.cache_control = "no-store"
    return response


def submit_link(request):
    """Run the live link's domain call; sign the user in and go to the root."""
    form = request.POST
    token, route = form.get("token"), form.get("route")
    found = live_page(request, token)
    if found is None:
        return dead_link(request, route)
    link_page, user = found
    again = partial(link_form, request, link_page, user, token, route)
    detail = detail_of(request, link_page, token)
    if link_page.asks_password and form.get("password") != form.get("password_confirm"):
        return again(detail=detail, status=400, error="The two passwords differ.")
    try:
        user = link_page.complete(request, token, form)
    except DomainError as exc:
        if isinstance(exc, Invalid) and exc.field == "token":
            return dead_link(request, route)
        # A refusal keeps the link: the failed transaction is vetoed.
        return again(detail=detail, status=exc.status_code, error=exc.message)
    if not link_page.signs_in:
        return page(request, "link_done.jinja2", {"link": link_page})
    if second_factor_methods(user, account_of(request.api_root, user)):
        # a mailed link proves the mailbox only: the second factor still applies
        return page(request, "link_done.jinja2", {"link": replace(link_page, done=SIGN_IN)})
    response = HTTPSeeOther(location=request.script_name + "/api/")
    token = open_session(request, user, attempt_of(request, "link"))
    response.headers.add("Set-Cookie", session_cookie_header(request, token))
    response.cache_control = "no-store"
    return response
