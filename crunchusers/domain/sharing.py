"""Sharing limits: how far a grant may go, and whom an account's sharing
reaches outside it.

* A grant to a user may not exceed that user's dataset ceiling, set by the
  admins of the user's account (``authz.grants.ceiling``): the dataset
  permissions PATCH asks :func:`check_ceiling` before every share.
* An account's collaborators are the users of other accounts granted
  something on its teams, projects or datasets (:func:`collaborator_ids`),
  whatever kinds ``domain.kinds`` declares grantable.
"""

from ..authz.grants import FLAGS, ceiling, normalize_flags, users_behind
from .exceptions import Invalid
from .kinds import all_kinds


def check_ceiling(ref, grantee, grantee_kind: str, flags: dict, current: dict):
    """A 400 naming ``ref`` if the share ``current`` changed by ``flags``
    gives a user more than their ceiling (a team has no ceiling: each of its
    members is capped when their permissions are computed)."""
    if grantee_kind != "user":
        return
    merged = normalize_flags({**current, **flags})
    cap = ceiling(grantee)
    too_much = [f for f in FLAGS if merged[f] and not cap[f]]
    if too_much:
        raise Invalid(ref, f"{', '.join(too_much)} exceeds what {ref} may be granted.")


def collaborator_ids(api_root, account) -> set:
    """Ids of the users outside ``account`` with a grant on one of its
    things, directly or through a team."""
    found = set()
    for spec in all_kinds():
        if not (spec.in_account and spec.grantable):
            continue
        container = spec.container_of(api_root)
        for ident in account.ids(spec.ids):
            thing = container.get(ident)
            if thing is not None:
                found |= users_behind(api_root, spec.grantable.principals(thing))
    return {u for u in found if u not in account.user_ids}
