"""Cornice services, one module per area, tied to the resource tree.

:func:`tree_service` is the single place where a URL path meets traversal:
``path`` is what clients call, ``context`` the tree path whose resource the
views receive (the same path for resources, the parent for actions such as
``/users/{id}/invite/``).  Every view declares its permission; the forbidden
view turns a refusal into 401, 403 or 404.
"""

import importlib

from cornice import Service
from pyramid.response import Response

from .. import shoji
from ..access import dataset_permissions
from ..bounds import check_name
from ..db import root_factory
from ..errors import bad_request, cornice_error_handler
from ..invitations import invite_by_email
from ..references import resolve_member
from ..representations import dataset_tuple
from ..schemas import only_fields  # noqa: F401  (one wording for unknown fields)

MODULES = (
    "root",
    "auth",
    "users",
    "accounts",
    "roles",
    "teams",
    "projects",
    "datasets",
    "account_admin",
    "apikeys",
)


def tree_service(name: str, path: str, context: str | None = None, **kw) -> Service:
    return Service(
        name=name,
        path=path,
        traverse=context or path,
        factory=root_factory,
        error_handler=cornice_error_handler,
        **kw,
    )


def add_views(services, method: str, view, **kw):
    """Register one view on several services (a path and its aliases)."""
    for service in services:
        service.add_view(method, view, **kw)


def created(request, resource) -> Response:
    """201 with an absolute ``Location``, as pycrunch's ``create()`` expects."""
    response = Response(status=201, content_type="application/json", charset="utf-8")
    response.location = request.url_of(resource)
    return response


def no_content() -> Response:
    return Response(status=204)


def required_name(body: dict) -> str:
    """A non-empty ``name`` from an entity body, stripped and bounded."""
    return check_name(body.get("name"))


def member_patches(request, *, teams=True):
    """Walk a members or permissions catalog PATCH, in any body form.

    Yields ``(ref, kind, target, changes, options)`` with ``kind`` ``"user"``
    or ``"team"``; ``changes`` is None for a removal.  A key naming nobody
    is a 400; an email nobody uses is invited into the caller's account
    (reference §6/§7/§8.4), except when it is being removed.
    """
    index, options = shoji.catalog_index(shoji.json_object(request))
    for ref, changes in index.items():
        member = resolve_member(request.api_root, ref)
        if member is None or (member[0] == "team" and not teams):
            raise bad_request(f"{ref} is not a user{' or team' if teams else ''}.", field=ref)
        kind, target = member
        if changes is not None and not isinstance(changes, dict):
            raise bad_request("Each tuple must be an object or null.", field=ref)
        if kind == "email":
            if changes is None:
                raise bad_request(f"{ref} is not a member.", field=ref)
            target, kind = invite_by_email(request, target, options.get("url_base")), "user"
        yield ref, kind, target, changes, options


def permission_flag(ref, changes, names, current) -> bool:
    """A boolean from a member tuple's ``permissions``: the first of ``names``
    present (current names before old ones), else ``current``."""
    permissions = changes.get("permissions", {})
    if not isinstance(permissions, dict):
        raise bad_request("permissions must be an object.", field=ref)
    flag = next((permissions[n] for n in names if n in permissions), current)
    if not isinstance(flag, bool):
        raise bad_request(f"{names[0]} must be a boolean.", field=ref)
    return flag


def datasets_catalog(request, dataset_ids):
    """A catalog of those of the datasets the caller can view (a draft is
    invisible to non-editors), each with the caller's permissions."""
    api_root = request.api_root
    me = request.identity
    index = {}
    for dataset_id in sorted(dataset_ids):
        dataset = api_root.datasets.get(dataset_id)
        if dataset is not None:
            perms = dataset_permissions(api_root, me, dataset)
            if perms["view"]:
                index[request.url_of(dataset)] = dataset_tuple(request, dataset, perms)
    return shoji.catalog(request, request.context, index)


def includeme(config):
    """Register every Service of every module explicitly.

    Not ``config.scan``: venusian only picks up services whose creating frame
    is the scanned module, which services built by helpers are not.
    """
    registered = set()
    for name in MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        for obj in vars(module).values():
            if isinstance(obj, Service) and id(obj) not in registered:
                registered.add(id(obj))
                config.add_cornice_service(obj)
