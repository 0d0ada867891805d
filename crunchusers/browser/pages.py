"""The one place where JSON becomes a page.

A tween just inside the transaction (under ``pyramid_tm``, over the
exception views) sees every answer of the API, errors included.  When the
client prefers HTML (:mod:`.negotiation`) and the answer is a JSON object,
it renders that object — exactly what a JSON client gets — with a template,
keeping the status and the headers that matter (``Set-Cookie``,
``Location``…).  Inside the transaction it may still ask which methods the
caller may use on this URL: those get forms.  Everything else passes
through untouched, so JSON clients see no change but ``Vary: Accept``.
"""

import json

from cornice.util import current_service
from pyramid.security import NO_PERMISSION_REQUIRED

from .document import edit_fields, parts_of
from .negotiation import wants_html
from .render import page, pass_headers, prefix, secure

#: Methods a page offers forms for (a browser edits with PATCH, not PUT).
FORM_METHODS = ("PATCH", "POST", "DELETE")


def page_tween_factory(handler, registry):
    def page_tween(request):
        response = handler(request)
        if response.content_type == "text/html":
            return secure(response)
        if response.content_type != "application/json":
            return response
        response.vary = tuple(dict.fromkeys((*(response.vary or ()), "Accept")))
        if not wants_html(request) or 300 <= response.status_code < 400:
            return response
        doc = document_of(response)
        if doc is None:
            return response
        return pass_headers(response, render(request, doc, response.status_code))

    return page_tween


def document_of(response) -> dict | None:
    try:
        doc = json.loads(response.body)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def render(request, doc: dict, status: int):
    if doc.get("element") == "crunch:error":
        values = {"error": doc, "forms": forms(request, doc) if status == 405 else None}
        values["next"] = request.path_qs if request.method == "GET" else None
        return page(request, "error.jinja2", values, status=status)
    values = {**parts_of(doc), "forms": forms(request, doc)}
    return page(request, "document.jinja2", values, status=status)


def forms(request, doc: dict) -> dict | None:
    """The forms of the methods the caller may use on this URL, or None."""
    methods = allowed_methods(request)
    if not methods:
        return None
    query = f"?{request.query_string}" if request.query_string else ""
    return {
        "action": prefix(request) + request.path_info + query,
        "methods": methods,
        "fields": edit_fields(doc) if "PATCH" in methods else [],
        "here": request.path_qs,
        "parent": parent_path(request.path),
    }


def allowed_methods(request) -> list[str]:
    """The form methods this URL's service has and whose view permission the
    caller holds on the context (the domain may still refuse: a 403 page)."""
    service = current_service(request)
    if service is None:
        return []
    allowed = []
    for method, _view, args in service.definitions:
        if method in FORM_METHODS and method not in allowed and may(request, args):
            allowed.append(method)
    return sorted(allowed, key=FORM_METHODS.index)


def may(request, args: dict) -> bool:
    permission = args.get("permission")
    if permission in (None, NO_PERMISSION_REQUIRED):
        return True
    return bool(request.has_permission(permission, request.context))


def parent_path(path: str) -> str:
    """Where a page goes after its resource was deleted: one level up."""
    return path.rstrip("/").rpartition("/")[0] + "/"
