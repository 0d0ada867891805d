"""The members and datasets catalogs of teams and projects, and the walk
of every members or permissions catalog PATCH (dataset permissions too)."""

from ..authz.grants import dataset_flags, reach_of
from ..domain.exceptions import Invalid
from ..domain.invitations import invite_by_email
from ..domain.references import resolve_member
from ..rendering import shoji
from ..rendering.representations import dataset_entries
from . import catalog_patch
from .bodies import EMAIL_ADDRESS, MEMBER_REFERENCE
from .schemas import validate


def member_patches(request, tuple_schema, *, teams=True):
    """Walk a members or permissions catalog PATCH, in any body form.

    Yields ``(ref, kind, target, changes, options)`` with ``kind`` ``"user"``
    or ``"team"``; ``changes`` is None for a removal, else the tuple
    validated by ``tuple_schema`` (a 400 naming ``ref``).
    A key naming nobody is a 400; an email nobody uses is invited into the
    caller's account (reference §6/§7/§8.4), except when it is being removed.
    """
    index, options = catalog_patch(request)
    for ref, changes in index.items():
        validate(MEMBER_REFERENCE, ref)
        member = resolve_member(request.api_root, ref)
        if member is None or (member[0] == "team" and not teams):
            raise Invalid(ref, f"{ref} is not a user{' or team' if teams else ''}.")
        kind, target = member
        if changes is not None:
            changes = validate(tuple_schema, changes, at=ref)
        if kind == "email":
            if changes is None:
                raise Invalid(ref, f"{ref} is not a member.")
            validate(EMAIL_ADDRESS, target, at=ref)
            target, kind = invite_by_email(request, target, options.get("url_base")), "user"
        yield ref, kind, target, changes, options


def permission_flag(changes, names, current) -> bool:
    """A flag from a validated member tuple's ``permissions``: the first of
    ``names`` present (current names before old ones), else ``current``."""
    flags = changes.get("permissions", {})
    return next((flags[name] for name in names if name in flags), current)


def datasets_catalog(request, dataset_ids):
    """A catalog of those of the datasets the caller can view (a draft is
    invisible to non-editors), each with the caller's permissions."""
    api_root = request.api_root
    me = request.identity
    reach = reach_of(api_root, me)
    pairs = []
    for dataset_id in sorted(dataset_ids):
        dataset = api_root.datasets.get(dataset_id)
        if dataset is not None:
            perms = dataset_flags(api_root, me, dataset, reach)
            if perms["view"]:
                pairs.append((dataset, perms))
    return shoji.catalog(request, request.context, dataset_entries(request, pairs))
