"""One JSON error envelope for every failure, and the views that render it.

Every 4xx/5xx body is ``{"element": "crunch:error", "status": "403 Forbidden",
"message": ...}`` (pycrunch reads ``message``); validation errors add
``errors`` naming the field.  The forbidden view decides 401/403/404:
401 only without valid credentials (pycrunch re-logs in forever on a 401),
403 saying why for a user who must verify their email first, 404 when the
caller may not even see the resource, 403 otherwise.
"""

import logging

from pyramid.httpexceptions import HTTPException
from pyramid.interfaces import IRoutesMapper
from pyramid.response import Response
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config
from pyramid_retry import IRetryableError, is_error_retryable

from ..authz.permissions import Permission
from ..authz.verification import VerifyEmailFirst
from ..domain.exceptions import DomainError, NotAllowed
from ..infra.hashing import HashingBusy
from ..rendering.renderer import write_json

log = logging.getLogger(__name__)

#: The public views a 401 points at: only those that exist.
PUBLIC_URLS = {
    "login_url": "login",
    "password_reset_url": "password_reset",
    "public_url": None,
    "password_change_url": "password_change",
    "email_change_url": "change_email",
    "verify_email_url": "verify_email",
}


def public_urls(request) -> dict:
    base = request.application_url + "/api/public/"
    return {key: base + (f"{name}/" if name else "") for key, name in PUBLIC_URLS.items()}


def error_response(request, status_code, message, *, field=None, headers=None, extra=None):
    response = Response(status=status_code, headers=headers or {})
    body = {"element": "crunch:error", "status": response.status, "message": message}
    if field:
        body["errors"] = [{"location": "body", "name": field, "description": message}]
    if extra:
        body.update(extra)
    response.content_type = "application/json"
    response.charset = "utf-8"
    write_json(request, response, body)
    return response


def unauthorized(request, message="Authentication required."):
    return error_response(request, 401, message, extra={"urls": public_urls(request)})


def _passed_headers(exc):
    keep = ("Allow", "Location", "Retry-After")
    return {k: v for k, v in exc.headers.items() if k in keep}


@exception_view_config(HTTPException)
def http_exception_view(exc, request):
    if exc.status_code < 400:
        return exc
    message = exc.explanation or exc.title
    if exc.status_code == 405:
        message = (
            f"Method {request.method} is not allowed here; allowed: {exc.headers.get('Allow')}."
        )
    return error_response(
        request,
        exc.status_code,
        message,
        headers=_passed_headers(exc),
    )


@forbidden_view_config()
def forbidden_view(exc, request):
    if request.identity is None:
        return unauthorized(request)
    refusal = getattr(exc, "result", None)
    if isinstance(refusal, VerifyEmailFirst):  # whatever the resource: verify first
        return error_response(request, 403, str(refusal))
    if not request.has_permission(Permission.VIEW, request.context):
        return error_response(request, 404, "Not found.")
    if isinstance(exc, NotAllowed):
        return error_response(request, 403, exc.message)
    return error_response(request, 403, "You are not allowed to do this.")


@exception_view_config(DomainError)
def domain_error_view(exc, request):
    """A domain refusal in the envelope; NotAllowed decides 401/403/404 like
    a refused view permission."""
    if isinstance(exc, NotAllowed):
        return forbidden_view(exc, request)
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return error_response(request, exc.status_code, exc.message, field=exc.field, headers=headers)


@exception_view_config(HashingBusy)
def hashing_busy_view(exc, request):
    """Every password-hashing slot and queue place is taken (infra.hashing)."""
    headers = {"Retry-After": str(exc.retry_after)}
    return error_response(request, exc.status_code, exc.message, headers=headers)


def slash_redirect(request):
    """301 to the same URL with a trailing slash when a route has that form
    (scrunch builds ``projects/<id>`` without one; pycrunch follows 301 but
    not 307/308), with a JSON body like every other answer; else None."""
    path = request.path_info
    if path.endswith("/"):
        return None
    mapper = request.registry.getUtility(IRoutesMapper)
    if not any(route.match(path + "/") is not None for route in mapper.get_routes()):
        return None
    query = f"?{request.query_string}" if request.query_string else ""
    location = f"{request.application_url}{path}/{query}"
    response = Response(
        status=301, location=location, content_type="application/json", charset="utf-8"
    )
    write_json(request, response, {"element": "shoji:view", "self": location, "value": location})
    return response


@notfound_view_config()
def notfound_view(exc, request):
    redirect = slash_redirect(request)
    if redirect is not None:
        return redirect
    if request.identity is None and not request.path.startswith("/api/public/"):
        # Anonymous callers learn nothing about which URLs exist.
        return unauthorized(request)
    return error_response(request, 404, "Not found.")


@exception_view_config(Exception)
def server_error_view(exc, request):
    """500 in our envelope.  A ZODB conflict lands here too; pyramid_retry
    still retries it (it reads ``request.exception``), so it is no error yet.
    On the last attempt a conflict is load, not a bug: 503 with Retry-After."""
    if is_error_retryable(request, exc):
        log.info("Retryable %s on %s %s", type(exc).__name__, request.method, request.path)
    elif IRetryableError.providedBy(exc):
        log.warning("Conflicts outlasted every retry on %s %s", request.method, request.path)
        return error_response(
            request,
            503,
            "The server is busy with concurrent changes to the same data; "
            "nothing was changed. Retry the request.",
            headers={"Retry-After": "1"},
        )
    else:
        log.exception("Unhandled error on %s %s", request.method, request.path)
    return error_response(request, 500, "Internal server error.")


def cornice_error_handler(request):
    """Render Cornice validation errors in our envelope (first error leads)."""
    first = request.errors[0] if request.errors else {}
    message = first.get("description") or "Invalid request."
    return error_response(request, request.errors.status, message, field=first.get("name"))


def includeme(config):
    """The error views above are ``*_view_config`` decorated: scan them."""
    config.scan(__name__)
