"""Shoji documents out, Shoji bodies in.

Builders take resources (or ready URLs) for their link members and turn them
into absolute URLs with ``request.resource_url``, so no view ever formats a
URL by hand.  :func:`entity_body` and :func:`catalog_index` accept every body
form real Crunch clients send (reference crunch-api.md §1.5).
"""

import json

from ..domain.exceptions import Invalid

LINK_MEMBERS = ("catalogs", "views", "fragments", "orders", "urls")

#: Top-level keys of a catalog PATCH that are options, not member references.
CATALOG_OPTIONS = (
    "send_notification",
    "send_notifications",
    "url_base",
    "dataset_url",
    "project_url",
    "message",
)


def url(request, target, *elements, query=None) -> str:
    """Absolute URL of a resource (with optional sub-path) or a URL passed through."""
    if isinstance(target, str):
        return target
    if not elements and not query:
        return request.url_of(target)
    kw = {"query": query} if query else {}
    return request.resource_url(target, *elements, **kw)


def _links(request, doc, links):
    for member, mapping in links.items():
        if mapping:
            doc[member] = {name: url(request, target) for name, target in mapping.items()}
    return doc


def entity(request, resource, body, *, description=None, self_url=None, **links):
    doc = {"element": "shoji:entity", "self": self_url or url(request, resource), "body": body}
    if description:
        doc["description"] = description
    for extra in ("index", "graph"):
        if extra in links:
            doc[extra] = links.pop(extra)
    return _links(request, doc, links)


def catalog(request, resource, index, *, description=None, self_url=None, **links):
    doc = {"element": "shoji:catalog", "self": self_url or url(request, resource)}
    if description:
        doc["description"] = description
    for extra in ("body", "graph"):
        if extra in links:
            doc[extra] = links.pop(extra)
    if index is not None:
        doc["index"] = index
    return _links(request, doc, links)


def view(request, self_url, value, **links):
    return _links(request, {"element": "shoji:view", "self": self_url, "value": value}, links)


def order(request, self_url, graph, **links):
    return _links(request, {"element": "shoji:order", "self": self_url, "graph": graph}, links)


#: How deeply a request body may nest arrays and objects.  No Shoji body
#: needs more than a handful of levels; a cap keeps recursive code (json,
#: pickling, size checks) far from Python's recursion limit.
MAX_JSON_DEPTH = 32


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def _too_deep(data, limit: int) -> bool:
    """True when ``data`` nests containers deeper than ``limit`` (iterative,
    so a deep value cannot exhaust the stack while being measured)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


def json_object(request) -> dict:
    """The request body as a JSON object, or a 400 that says what is wrong.

    The body must be UTF-8 (RFC 8259), may not use ``NaN``/``Infinity``
    (not JSON, and nothing could store them faithfully) and may nest at most
    :data:`MAX_JSON_DEPTH` levels.
    """
    if not request.body:
        return {}
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid(None, "The request body must be UTF-8 encoded JSON.") from exc
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise Invalid(None, f"JSON nests deeper than {MAX_JSON_DEPTH} levels.") from exc
    except ValueError as exc:
        raise Invalid(None, f"Malformed JSON body: {exc}") from exc
    if not isinstance(data, dict):
        raise Invalid(None, "The request body must be a JSON object.")
    if _too_deep(data, MAX_JSON_DEPTH):
        raise Invalid(None, f"JSON nests deeper than {MAX_JSON_DEPTH} levels.")
    return data


#: Members of a ``{"body": {...}}`` wrapper sent without ``element``.
WRAPPER_MEMBERS = frozenset({"body", "self", "description"})


def entity_body(data: dict) -> dict:
    """The attributes of an entity write: wrapped (``element`` optional when
    the document is only ``body`` and links, as in the README) or bare."""
    is_wrapper = "body" in data and set(data) <= WRAPPER_MEMBERS
    if data.get("element") == "shoji:entity" or ("element" not in data and is_wrapper):
        body = data.get("body", {})
        if not isinstance(body, dict):
            raise Invalid("body", "'body' must be an object.")
        return body
    if "element" in data:
        raise Invalid("element", "element: expected a shoji:entity document.")
    return data


def catalog_index(data: dict) -> tuple[dict, dict]:
    """Split a catalog PATCH into ``(index, options)``.

    The wrapped form uses ``index``; the bare form is the index itself.  Option
    keys such as ``send_notification`` are lifted out of both levels.
    """
    if data.get("element") == "shoji:catalog":
        index = data.get("index", {})
        if not isinstance(index, dict):
            raise Invalid("index", "'index' must be an object.")
        top = data
    elif "element" in data:
        raise Invalid("element", "element: expected a shoji:catalog document.")
    else:
        index = {k: v for k, v in data.items() if k != "self"}
        top = {}
    options = {}
    for source in (top, index):
        for key in CATALOG_OPTIONS:
            if key in source:
                options[key] = source[key]
    index = {k: v for k, v in index.items() if k not in CATALOG_OPTIONS}
    return index, options
