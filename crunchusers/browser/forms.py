"""The browser's form posts: one guard for all of them, and the API's forms
turned into the JSON requests the API already understands.

A tween just above the CSRF tween (:mod:`crunchusers.views.csrf`).  Every
``POST`` to a path under ``/browse/`` must be a form
(``application/x-www-form-urlencoded``, else 415), must not name a foreign
``Origin`` and must repeat the page's synchronizer token in ``_csrf``
(:mod:`.csrf`), else 403 — a page, as the browser expects.  A form that
passes is marked :data:`~crunchusers.views.csrf.FORM_CHECKED`, the one
exemption from the JSON-only rule.

``POST /browse/api/<path>`` is a form of the API page ``/api/<path>``:
``_method`` (``PATCH``, ``POST``, ``PUT`` or ``DELETE``) and either ``_json``
(the body, sent as it is; the API judges it) or ``f.<name>`` fields of an
entity (with ``t.<name>``, the JSON type, and ``o.<name>``, the value the
page showed), of which only the changed ones are sent.  The request goes on
as that JSON request, through every check an API call passes, and its
answer comes back as a page: a ``201`` becomes ``303`` to the new
``Location``; a successful ``DELETE`` or another success without a body
``303`` to ``_next`` (a path on this site); anything else with a body — a
refusal, a dry run — is shown.

pyramid_retry re-runs a request from its environ, so the translation is
written into the environ once (:data:`FORM`) and a retried attempt only
reuses it.
"""

import json

from pyramid.csrf import check_csrf_token
from pyramid.httpexceptions import HTTPSeeOther
from webob.util import status_reasons

from ..views.csrf import FORM_CHECKED, is_foreign_origin, trusted_origins
from .render import BACK, PREFIX, page

FORM_TYPE = "application/x-www-form-urlencoded"
API_FORMS = f"{PREFIX}/api/"
METHODS = ("PATCH", "POST", "PUT", "DELETE")

#: environ: the translated API form's ``{"next": path}``; see the docstring.
FORM = "crunchusers.browser.form"


def form_tween_factory(handler, registry):
    trusted = trusted_origins(registry)

    def form_tween(request):
        environ = request.environ
        if FORM_CHECKED not in environ:
            if request.method != "POST" or not request.path_info.startswith(PREFIX + "/"):
                return handler(request)
            refusal = guard(request, trusted)
            if refusal is not None:
                return refusal
            environ[FORM_CHECKED] = True
            if request.path_info.startswith(API_FORMS):
                refusal = translate(request)
                if refusal is not None:
                    return refusal
        response = handler(request)
        form = environ.get(FORM)
        return response if form is None else answer(request, response, form)

    return form_tween


def guard(request, trusted):
    """A refusal page for a post that is no form of this site, else None."""
    if request.content_type != FORM_TYPE:
        return refuse(request, 415, f"Forms are posted as {FORM_TYPE}.")
    if is_foreign_origin(request, trusted):
        return refuse(request, 403, "Cross-site requests are not allowed.")
    if not check_csrf_token(request, token="_csrf", header=None, raises=False):
        return refuse(
            request,
            403,
            "This form has expired or did not come from this site "
            "(its CSRF token is missing or wrong). Reload the page and try again.",
        )
    return None


def refuse(request, status: int, message: str):
    """An error page outside the transaction (so without the viewer)."""
    error = {"status": f"{status} {status_reasons[status]}", "message": message}
    return page(request, "error.jinja2", {"error": error}, status=status, signed_in=False)


def translate(request):
    """Turn the form into its JSON request, in place; a refusal page for a
    form no API page makes."""
    form = request.POST
    method = form.get("_method", "POST").upper()
    if method not in METHODS:
        return refuse(request, 400, f"_method must be one of {', '.join(METHODS)}.")
    try:
        body = body_of(form)
    except ValueError as exc:
        return refuse(request, 400, str(exc))
    target = request.path_info[len(PREFIX) :]
    next_path = local_path(form.get("_next")) or target
    request.environ[FORM] = {"next": next_path}
    request.environ[BACK] = next_path
    request.method = method
    request.path_info = target
    if body is None:
        request.body = b""
        request.environ.pop("CONTENT_TYPE", None)
    else:
        request.body = body.encode("utf-8")
        request.content_type = "application/json"
    return None


def body_of(form) -> str | None:
    """The JSON text the form stands for: ``_json`` as it is, else an object
    of the changed ``f.<name>`` fields; None for no body at all."""
    if "_json" in form:
        text = form["_json"].strip()
        return text or None
    changed = {}
    for key, text in form.items():
        if key.startswith("f."):
            name = key[2:]
            value = typed(text, form.get(f"t.{name}", "str"))
            if json.dumps(value) != form.get(f"o.{name}"):
                changed[name] = value
    return json.dumps(changed) if changed else None


def typed(text: str, kind: str):
    """The submitted text as the JSON type the page showed; text that is
    not of that type is sent as a string, for the API to refuse."""
    if kind == "null" and text == "":
        return None
    if kind == "bool" and text in ("true", "false"):
        return text == "true"
    if kind in ("int", "float"):
        try:
            return json.loads(text) if text.strip() else None
        except ValueError:
            return text
    return text


def local_path(value) -> str | None:
    """``value`` when it is a path on this site (not ``//host``), else None."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith(("//", "/\\")):
        if value.isprintable() and len(value) <= 2048:
            return value
    return None


def answer(request, response, form: dict):
    """The page a translated form ends on (see the module docstring)."""
    status = response.status_code
    if status == 201:
        location = response.location or form["next"]
    elif status < 300 and (request.method == "DELETE" or not response.body):
        location = form["next"]
    else:
        return response
    redirect = HTTPSeeOther(location=location)
    for value in response.headers.getall("Set-Cookie"):
        redirect.headers.add("Set-Cookie", value)
    return redirect
