"""The OpenAPI 3.1 description of the API, made from the Cornice services.

Nothing here lists endpoints: :func:`describe` walks every registered Cornice
service (its ``path``, its ``definitions``), so a new service is described
as soon as it is registered.  A request body is described by the colander
schema its view validates with: the ``schema=`` a view declares on its Cornice
decorator, which ``read_entity``/``read_object`` then use (one source).
``cornice_swagger`` is not used: it writes Swagger 2.0 and knows colander's
own types, not our strict ones.

Served, with no credentials needed (it says only what the public code does),
at ``/api/openapi.json``; ``/api/docs/`` shows it with the Swagger UI files of
the ``openapi-ui-bundles`` package, nothing loaded from the internet.
"""

import re

import colander
from cornice.service import get_services
from openapi_ui_bundles import swagger_ui
from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import FileResponse, Response
from pyramid.security import NO_PERMISSION_REQUIRED

from ..rendering.renderer import write_json
from ..rendering.urls import application_url
from .schemas import Bool, Int, JsonObject, Str, StrictMapping, StrList

#: The statuses any operation may answer with the error envelope.
ERROR_STATUSES = (400, 401, 403, 404, 405, 409, 413, 415, 429, 503)

_TYPES = {
    Str: {"type": "string"},
    Bool: {"type": "boolean"},
    Int: {"type": "integer"},
    StrList: {"type": "array", "items": {"type": "string"}},
    JsonObject: {"type": "object"},
}

ERROR = {
    "type": "object",
    "required": ["element", "status", "message"],
    "properties": {
        "element": {"const": "crunch:error"},
        "status": {"type": "string"},
        "message": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}

#: Every 200 document: a Shoji entity, catalog, view or order, its links
#: absolute URIs; or a plain object (a token login's answer).
SHOJI = {
    "type": "object",
    "properties": {
        "element": {"enum": ["shoji:entity", "shoji:catalog", "shoji:view", "shoji:order"]},
        "self": {"type": "string", "format": "uri"},
        **{
            member: {"type": "object", "additionalProperties": {"type": "string"}}
            for member in ("catalogs", "views", "fragments", "orders", "urls")
        },
    },
}


def _validators(node) -> list:
    validator = node.validator
    if isinstance(validator, colander.All):
        return list(validator.validators)
    return [validator] if validator else []


def _constraints(node) -> dict:
    out = {}
    for validator in _validators(node):
        if isinstance(validator, colander.OneOf):
            out["enum"] = list(validator.choices)
        elif isinstance(validator, colander.Length):
            if validator.max is not None:
                out["maxLength"] = validator.max
            if validator.min is not None:
                out["minLength"] = validator.min
        elif isinstance(validator, colander.Range):
            out.update(minimum=validator.min, maximum=validator.max)
    return out


def json_schema(node: colander.SchemaNode) -> dict:
    """A colander schema as JSON Schema (2020-12, as OpenAPI 3.1 uses).

    What the custom validators check (control characters, known time zones)
    is not described; the server answers those with a 400 naming the field.
    """
    if isinstance(node.typ, colander.Mapping):
        out = {
            "type": "object",
            "properties": {child.name: json_schema(child) for child in node.children},
        }
        required = [c.name for c in node.children if c.required]
        if required:
            out["required"] = required
        if isinstance(node.typ, StrictMapping):
            out["additionalProperties"] = False
    else:
        out = {**_TYPES.get(type(node.typ), {}), **_constraints(node)}
    if node.description:
        out["description"] = node.description
    if getattr(node, "nullable", False):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def _request_body(schema, method: str) -> dict:
    """Bodies are JSON objects; an entity write may also come wrapped in a
    ``shoji:entity`` document (``read_entity``)."""
    body = json_schema(schema)
    if method in ("POST", "PATCH", "PUT") and "element" not in body.get("properties", {}):
        wrapped = {
            "type": "object",
            "required": ["body"],
            "properties": {"element": {"const": "shoji:entity"}, "body": body},
        }
        body = {"anyOf": [body, wrapped]}
    return {"required": True, "content": {"application/json": {"schema": body}}}


def _responses(method: str) -> dict:
    error = {
        "description": "The error envelope",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    ok = {
        "200": {
            "description": "A Shoji document",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Shoji"}}},
        },
        "204": {"description": "Done; no content"},
    }
    if method == "POST":
        ok["201"] = {
            "description": "Created; Location is the new resource",
            "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
        }
    return {**ok, **{str(status): error for status in ERROR_STATUSES}}


#: A route pattern's placeholder, ``{name}`` or ``{name:regex}``.
PLACEHOLDER = re.compile(r"{(\w+)(?::[^}]*)?}")


def _operation(service, method: str, view, args: dict) -> dict:
    params = PLACEHOLDER.findall(service.path)
    operation = {
        "operationId": f"{service.name}_{method.lower()}",
        "summary": (view.__doc__ or service.description or service.name).strip().split("\n")[0],
        "parameters": [
            {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
            for p in params
        ],
        "responses": _responses(method),
    }
    if args.get("permission") == NO_PERMISSION_REQUIRED:
        operation["security"] = []
    if args.get("schema") is not None:
        operation["requestBody"] = _request_body(args["schema"], method)
    return operation


def describe(registry=None) -> dict:
    """The OpenAPI document of every registered Cornice service."""
    paths = {}
    for service in get_services():
        for method, view, args in service.definitions:
            if method in ("HEAD", "OPTIONS"):
                continue
            path = paths.setdefault(PLACEHOLDER.sub(r"{\1}", service.path), {})
            path[method.lower()] = _operation(service, method, view, args)
    return {
        "openapi": "3.1.0",
        "info": {"title": "crunchusers", "version": "1", "description": __doc__.split("\n")[0]},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {"Error": ERROR, "Shoji": SHOJI},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "token"},
            },
        },
        "security": [{"bearer": []}, {"cookie": []}],
    }


DOCS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>crunchusers API</title>
<link rel="stylesheet" href="swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<noscript>This page needs JavaScript; the description itself is
<a href="../openapi.json">openapi.json</a>.</noscript>
<script src="swagger-ui-bundle.js"></script>
<script src="init.js"></script></body></html>
"""

#: In a file of its own: the CSP-friendly way (no inline script).
DOCS_INIT = 'SwaggerUIBundle({url: "../openapi.json", dom_id: "#swagger-ui"});\n'


def get_openapi(request):
    """The description; cached per process (services do not change)."""
    registry = request.registry
    if not hasattr(registry, "crunchusers_openapi"):
        registry.crunchusers_openapi = describe()
    document = dict(registry.crunchusers_openapi)
    document["servers"] = [{"url": application_url(request)}]
    response = Response(content_type="application/json", charset="utf-8")
    write_json(request, response, document)
    return response


def get_docs(request):
    return Response(DOCS_PAGE, content_type="text/html", charset="utf-8")


def get_docs_init(request):
    return Response(DOCS_INIT, content_type="text/javascript", charset="utf-8")


def get_docs_asset(request):
    name = request.matchdict["name"]
    if name not in ("swagger-ui.css", "swagger-ui-bundle.js"):
        raise HTTPNotFound()
    return FileResponse(swagger_ui.static_path / name, request=request)


def includeme(config):
    """Plain Pyramid routes, not Cornice services: they are not part of the
    API they describe."""
    routes = {
        "openapi": ("/api/openapi.json", get_openapi),
        "api_docs": ("/api/docs/", get_docs),
        "api_docs_init": ("/api/docs/init.js", get_docs_init),
        "api_docs_asset": ("/api/docs/{name}", get_docs_asset),
    }
    for name, (pattern, view) in routes.items():
        config.add_route(name, pattern)
        config.add_view(
            view, route_name=name, request_method="GET", permission=NO_PERMISSION_REQUIRED
        )
