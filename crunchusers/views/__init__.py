"""Cornice services, one module per area, tied to the resource tree.

:func:`tree_service` is the single place where a URL path meets traversal:
``path`` is what clients call, ``context`` the tree path whose resource the
views receive (the same path for resources, the parent for actions such as
``/users/{id}/invite/``).  Every view declares its permission; the forbidden
view turns a refusal into 401, 403 or 404.

Every request body is read by :func:`read_entity`, :func:`read_document`,
:func:`read_object` or :func:`catalog_patch` (and ``members.member_patches``),
which validate it against its schema in ``bodies``: an unknown or ill-typed
member, anywhere in the document, is a 400 naming it.  A view declares its
body schema on its Cornice decorator (``@team.post(schema=NewTeam(), ...)``):
``read_entity``/``read_object`` validate with it and ``openapi`` describes it.

Each module registers what it has — services, error views, tweens — in its
own ``includeme``; :func:`includeme` here includes them all.
"""

from cornice import Service
from pyramid.response import Response

from ..domain.exceptions import Invalid
from ..infra.storage import root_factory
from ..rendering import shoji
from .bodies import CATALOG_ENVELOPE, ENVELOPE, CatalogOptions
from .errors import cornice_error_handler
from .schemas import validate

#: The modules with an ``includeme``: the endpoints, the error views and
#: the tweens.
MODULES = (
    ".access_log",
    ".errors",
    ".retry",
    ".turns",
    ".limits",
    ".csrf",
    ".read_cache",
    ".root",
    ".auth",
    ".users",
    ".accounts",
    ".roles",
    ".teams",
    ".projects",
    ".datasets",
    ".account_admin",
    ".apikeys",
    ".oidc",
    ".passwords",
    ".emails",
    ".sessions",
    ".second_factor",
    ".sign_ins",
    ".openapi",
)


def declared_body(request, schema=None, **_):
    """A Cornice validator of every service: keeps the ``schema=`` the view
    declared, for ``read_entity``/``read_object`` (no validation here: the
    readers also accept a wrapped document)."""
    request.declared_body = schema


def tree_service(name: str, path: str, context: str | None = None, **kw) -> Service:
    return Service(
        name=name,
        path=path,
        traverse=context or path,
        factory=root_factory,
        error_handler=cornice_error_handler,
        validators=(declared_body,),
        **kw,
    )


def user_action(name: str) -> Service:
    """``/api/users/{id}/<name>/`` (``name`` may have slashes), whose views
    receive the user."""
    return tree_service(
        "user_" + name.replace("/", "_"),
        f"/api/users/{{user_id}}/{name}/",
        context="/api/users/{user_id}/",
    )


def add_views(services, method: str, view, **kw):
    """Register one view on several services (a path and its aliases)."""
    for service in services:
        service.add_view(method, view, **kw)


def view_table(*rows):
    """:func:`add_views` for each row ``(services, method, view, permission)``
    or ``(services, method, view, permission, schema)``: a module's views on
    aliased services, one line each."""
    for services, method, view, permission, *schema in rows:
        kw = {"schema": schema[0]} if schema else {}
        add_views(services, method, view, permission=permission, **kw)


def created(request, resource) -> Response:
    """201 with an absolute ``Location``, as pycrunch's ``create()`` expects
    (it reads only that header); the body is empty, so no Content-Type."""
    response = Response(status=201)
    del response.content_type
    response.location = request.url_of(resource)
    return response


def no_content() -> Response:
    return Response(status=204)


def account_member(request, things: str):
    """The caller, who must be a member of an account to create ``things``
    (teams, projects and datasets belong to an account)."""
    me = request.identity
    if not me.account_id:
        raise Invalid(None, f"Only a member of an account can create {things}.")
    return me


def register(config, *services: Service):
    """Register a module's Services explicitly.

    Not ``config.scan``: venusian only picks up services whose creating frame
    is the scanned module, which services built by helpers are not.
    """
    for service in services:
        config.add_cornice_service(service)


def read_document(request, schema, envelope) -> tuple[dict, dict]:
    """An entity write in any body form: its envelope (empty when the body
    is bare) and its attributes, each validated."""
    data = shoji.json_object(request)
    body = shoji.entity_body(data)
    members = {} if body is data else {k: v for k, v in data.items() if k != "body"}
    return validate(envelope, members), validate(schema, body)


def read_entity(request, schema=None) -> dict:
    """The attributes of an entity write, in any body form, validated
    against ``schema`` or else the one the view declared."""
    return read_document(request, schema or request.declared_body, ENVELOPE)[1]


def read_object(request, schema=None) -> dict:
    """A body that is a plain JSON object (a log-in, an order), validated
    against ``schema`` or else the one the view declared."""
    return validate(schema or request.declared_body, shoji.json_object(request))


def catalog_patch(request) -> tuple[dict, dict]:
    """A catalog PATCH in any body form: ``(index, options)``, the options
    and a wrapped document's other members validated; each tuple is the
    caller's to validate."""
    data = shoji.json_object(request)
    index, options = shoji.catalog_index(data)
    if "element" in data:
        validate(CATALOG_ENVELOPE, {k: v for k, v in data.items() if k not in options})
    return index, validate(CatalogOptions(), options)


def includeme(config):
    """Include every module: each registers its own services (or views,
    or tweens)."""
    for name in MODULES:
        config.include(name)
