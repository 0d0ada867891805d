"""Cross-site request forgery: JSON-only bodies and an Origin check.

A browser sends a cross-site ``POST`` with ``Content-Type: text/plain`` (or a
form type) without asking first, carrying our session cookie.  Two rules,
in a tween before any work, stop it:

* Every ``POST``/``PUT``/``PATCH``/``DELETE`` with a body must declare a JSON
  media type — ``application/json`` or ``application/<x>+json``, parameters
  such as ``charset`` allowed — else 415.  Browsers cannot send those
  cross-site without a CORS preflight, which this server never grants.  A
  request without a body (an action ``POST``, a ``DELETE``) needs none.
* A state-changing request authenticated by the ``token`` cookie, and every
  login (a forged login would sign the victim into the attacker's account),
  is refused with 403 when its ``Origin`` — or, lacking one, its
  ``Referer`` — is not this server's own origin, ``crunchusers.public_url``
  or one of ``crunchusers.link_origins``.  A request with neither header is
  allowed: browsers always send ``Origin`` on a cross-site ``POST``, while
  curl and pycrunch send neither.  ``Authorization: Bearer`` requests carry
  no ambient credential and are not checked.

The one exemption from the JSON rule: the HTML forms of the browser pages
(``crunchusers/browser/``, every one posting to a path under ``/browse/``).
The browser's form tween, just above this one, lets a form post through
only with a valid synchronizer token and no foreign ``Origin``
(:func:`is_foreign_origin`), and marks it with :data:`FORM_CHECKED` — an
environ key, which no client can set.  Posts to the API's own paths never
carry it; the browser turns its API forms into JSON requests first.
"""

from ..authz.login import COOKIE_NAME
from ..authz.policy import credential_from
from ..infra.origins import origin_of
from ..infra.settings import get_config
from .errors import error_response

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOGIN_PATH = "/api/public/login/"
FORM_CHECKED = "crunchusers.form_checked"


def is_json_media_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    kind, _, subtype = media.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


def has_body(request) -> bool:
    length = request.content_length
    return bool(length) if length is not None else bool(request.body)


def is_cookie_authenticated(request) -> bool:
    """The ``token`` cookie is the credential (a Bearer header wins over it)."""
    cookie = request.cookies.get(COOKIE_NAME)
    return bool(cookie) and credential_from(request) == cookie


def claimed_origin(request) -> str | None:
    """``Origin``, else the origin of ``Referer``; '' when neither is sent."""
    raw = request.headers.get("Origin") or request.headers.get("Referer")
    if not raw:
        return ""
    return origin_of(raw)


def trusted_origins(registry) -> frozenset:
    return frozenset(get_config(registry).allowed_origins)


def is_foreign_origin(request, trusted: frozenset) -> bool:
    """The request names an origin (``Origin``, else ``Referer``) that is
    neither this server's nor a ``trusted`` one."""
    origin = claimed_origin(request)
    return origin != "" and origin not in trusted | {origin_of(request.application_url)}


def csrf_tween_factory(handler, registry):
    trusted = trusted_origins(registry)

    def csrf_tween(request):
        if request.method not in STATE_CHANGING:
            return handler(request)
        json_only = not request.environ.get(FORM_CHECKED)
        if json_only and has_body(request) and not is_json_media_type(request.content_type or ""):
            message = "Request bodies must be JSON (Content-Type: application/json)."
            return error_response(request, 415, message)
        if is_cookie_authenticated(request) or request.path_info == LOGIN_PATH:
            if is_foreign_origin(request, trusted):
                return error_response(request, 403, "Cross-site requests are not allowed.")
        return handler(request)

    return csrf_tween


def includeme(config):
    """Under the body limit, over the transaction: a refused request opens none."""
    config.add_tween(
        f"{__name__}.csrf_tween_factory",
        under="crunchusers.views.limits.body_limit_tween_factory",
        over="pyramid_tm.tm_tween_factory",
    )
