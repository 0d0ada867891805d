"""Synchronizer tokens for the browser's forms (Pyramid's CSRF storage policy).

A signed-in browser's token is derived from its session cookie — SHA-256 of
a label and the cookie's secret — so nothing is stored, every session has
its own, and it is worthless without the HttpOnly cookie no other site can
read.  Before signing in (the login page, the pages behind mailed links) the
token is a random value kept in a ``csrf`` cookie that the form must repeat
(a double-submit cookie).  Every form post is also refused from a foreign
``Origin`` (:mod:`.forms`), and the session cookie is ``SameSite=Lax``.
"""

import hashlib
import re
import secrets

from pyramid.interfaces import ICSRFStoragePolicy
from zope.interface import implementer

from ..authz.login import COOKIE_NAME, cookie_header
from ..infra.settings import get_config

CSRF_COOKIE = "csrf"
LABEL = b"crunchusers browser csrf\0"
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
FRESH = "crunchusers.browser.fresh_csrf"  # environ: a token minted in this request


def derived(session: str) -> str:
    return hashlib.sha256(LABEL + session.encode("utf-8", "surrogatepass")).hexdigest()


@implementer(ICSRFStoragePolicy)
class BrowserCSRF:
    def new_csrf_token(self, request) -> str:
        """A fresh double-submit token, set as the ``csrf`` cookie."""
        token = request.environ[FRESH] = secrets.token_urlsafe(32)
        # Nobody is signed in yet, so no account says otherwise: the default.
        max_age = int(get_config(request.registry).session_lifetime.total_seconds())
        header = cookie_header(request, CSRF_COOKIE, token, max_age)
        request.add_response_callback(
            lambda _, response: response.headers.add("Set-Cookie", header)
        )
        return token

    def get_csrf_token(self, request) -> str:
        return self.current(request) or self.new_csrf_token(request)

    def current(self, request) -> str | None:
        """The token this browser holds, without minting one."""
        session = request.cookies.get(COOKIE_NAME)
        if session:
            return derived(session)
        cookie = request.environ.get(FRESH) or request.cookies.get(CSRF_COOKIE, "")
        return cookie if TOKEN.fullmatch(cookie) else None

    def check_csrf_token(self, request, supplied) -> bool:
        expected = self.current(request)
        return bool(expected and isinstance(supplied, str)) and secrets.compare_digest(
            expected.encode(), supplied.encode("utf-8", "surrogatepass")
        )
