"""Cornice services, one module per area, tied to the resource tree.

:func:`tree_service` is the single place where a URL path meets traversal:
``path`` is what clients call, ``context`` the tree path whose resource the
views receive (the same path for resources, the parent for actions such as
``/users/{id}/invite/``).  Every view declares its permission; the forbidden
view turns a refusal into 401, 403 or 404.
"""

import importlib

import colander
from cornice import Service
from pyramid.response import Response

from ..authz.grants import dataset_flags, reach_of
from ..domain.bounds import TEXT_MAX, check_name, check_text
from ..domain.exceptions import Invalid
from ..domain.invitations import invite_by_email
from ..domain.references import resolve_member
from ..infra.storage import root_factory
from ..rendering import shoji
from ..rendering.representations import dataset_tuple
from .errors import cornice_error_handler
from .schemas import email_address, only_fields  # noqa: F401  (only_fields: re-exported)

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
    "oidc",
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


#: Catalog PATCH options that are free text or URLs, and their limits.
OPTION_TEXTS = {
    "message": TEXT_MAX,
    "url_base": TEXT_MAX,
    "dataset_url": TEXT_MAX,
    "project_url": TEXT_MAX,
}


def check_options(options: dict):
    """The options of a catalog PATCH have bounded strings (400 naming one)."""
    for key, limit in OPTION_TEXTS.items():
        if options.get(key) is not None:
            check_text(options[key], key, limit, multiline=key == "message")


#: Members a catalog GET shows in a tuple, which a client may send back
#: (reference §8.4: "other tuple keys ignored").  They are ignored, but only
#: beside the permissions member: alone they would answer 204 doing nothing.
READ_ONLY_TUPLE_KEYS = ("name", "email", "is_owner", "collaborator", "coalesced_permissions")


def check_tuple_keys(ref, changes: dict, grant: str, extra: tuple[str, ...] = ()):
    """A member tuple holds ``grant`` (this catalog's permissions member),
    ``extra`` and read-only members; anything else — a flat ``{"view": true}``,
    a misspelt ``{"perms": …}`` — is a 400 naming it, never a 204 that
    grants nothing."""
    unknown = sorted(set(changes) - {grant, *extra, *READ_ONLY_TUPLE_KEYS})
    if unknown:
        raise Invalid(
            ref, f"unknown key(s) {', '.join(unknown)} in the tuple of {ref}; expected {grant}."
        )
    if grant not in changes and set(changes) & set(READ_ONLY_TUPLE_KEYS):
        raise Invalid(
            ref, f"Tuple members other than {grant} are read-only; this would change nothing."
        )


def check_email(field: str, address: str):
    """A 400 naming ``field`` unless ``address`` passes the one email rule."""
    try:
        email_address(colander.SchemaNode(colander.String(), name=field), address)
    except colander.Invalid as exc:
        raise Invalid(field, f"{address!r} is not a valid email address.") from exc


def member_patches(request, *, teams=True, grant="permissions", extra=()):
    """Walk a members or permissions catalog PATCH, in any body form.

    Yields ``(ref, kind, target, changes, options)`` with ``kind`` ``"user"``
    or ``"team"``; ``changes`` is None for a removal, else an object checked
    by :func:`check_tuple_keys`.  Option strings and keys are bounded.
    A key naming nobody is a 400; an email nobody uses is invited into the
    caller's account (reference §6/§7/§8.4), except when it is being removed.
    """
    index, options = shoji.catalog_index(shoji.json_object(request))
    check_options(options)
    for ref, changes in index.items():
        check_text(ref, "member reference", TEXT_MAX, multiline=False)
        member = resolve_member(request.api_root, ref)
        if member is None or (member[0] == "team" and not teams):
            raise Invalid(ref, f"{ref} is not a user{' or team' if teams else ''}.")
        kind, target = member
        if changes is not None and not isinstance(changes, dict):
            raise Invalid(ref, "Each tuple must be an object or null.")
        if changes is not None:
            check_tuple_keys(ref, changes, grant, extra)
        if kind == "email":
            if changes is None:
                raise Invalid(ref, f"{ref} is not a member.")
            check_email(ref, target)
            target, kind = invite_by_email(request, target, options.get("url_base")), "user"
        yield ref, kind, target, changes, options


def permission_flag(ref, changes, names, current, implied=()) -> bool:
    """A boolean from a member tuple's ``permissions``: the first of ``names``
    present (current names before old ones), else ``current``.

    ``implied`` flags hold for every member (a project member always views):
    they may be sent, but only as true.  Any other flag is a 400, so that
    nothing answers 204 without doing what was asked.
    """
    permissions = changes.get("permissions", {})
    if not isinstance(permissions, dict):
        raise Invalid(ref, "permissions must be an object.")
    unknown = sorted(set(permissions) - set(names) - set(implied))
    if unknown:
        raise Invalid(ref, f"unknown permission(s) {', '.join(unknown)}")
    if any(permissions.get(flag, True) is not True for flag in implied):
        raise Invalid(
            ref, f"{', '.join(implied)} cannot be revoked alone; remove the member with null."
        )
    flag = next((permissions[n] for n in names if n in permissions), current)
    if not isinstance(flag, bool):
        raise Invalid(ref, f"{names[0]} must be a boolean.")
    return flag


def datasets_catalog(request, dataset_ids):
    """A catalog of those of the datasets the caller can view (a draft is
    invisible to non-editors), each with the caller's permissions."""
    api_root = request.api_root
    me = request.identity
    reach = reach_of(api_root, me)
    index = {}
    for dataset_id in sorted(dataset_ids):
        dataset = api_root.datasets.get(dataset_id)
        if dataset is not None:
            perms = dataset_flags(api_root, me, dataset, reach)
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
