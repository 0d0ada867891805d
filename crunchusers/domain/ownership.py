"""Handing things to a new owner: an account, a dataset, or everything a
user owns (expropriation).

:func:`hand_over` is the one write of an ownership change, whichever door
asks for it — the account PATCH, the dataset PATCH or expropriation — so
ownership changes alike everywhere: both sides of an owned kind's
relationship (``domain.kinds``), and the kind's maker grant for the new
owner (a team's admin, a project's editor), so that ownership comes with
the means to use it.  Who may hand over, and to whom, differs by door: each
rule is a function here (:func:`account_heir`, :func:`dataset_heir`,
:func:`check_new_owner`).  Notifying the new owner is the caller's.

Expropriation moves teams, projects and datasets in one transaction: the
request's.  If any step fails the transaction aborts and nothing has moved.
"""

from ..authz.rules import (
    can_create_datasets,
    can_own_datasets,
    is_account_admin,
    is_account_owner,
)
from .collaboration import discard, empty_personal_project, grant
from .exceptions import Invalid, NotAllowed
from .kinds import kind_of, owned_kinds
from .references import resolve_user


def hand_over(api_root, thing, new_owner):
    """Make ``new_owner`` the owner of ``thing``, both sides at once."""
    spec = kind_of(thing)
    if spec.owned:
        old = api_root.users.get(thing.owner_id) if thing.owner_id else None
        if old is not None:
            discard(old, spec.owned_ids, thing.__name__)
        new_owner.id_set(spec.owned_ids).add(thing.__name__)
    thing.owner_id = new_owner.__name__
    if spec.grantable is not None and spec.grantable.maker_grant is not None:
        grant(thing, new_owner, "user", spec.grantable.maker_grant)


def account_heir(api_root, actor, account, ref):
    """The new owner ``ref`` names for ``account``: only the owner (or a
    superuser) hands an account over, and only to an active admin of it."""
    if not (actor.is_superuser or is_account_owner(actor, account)):
        raise NotAllowed("Only the account owner may hand over ownership.")
    new_owner = resolve_user(api_root, ref)
    if (
        new_owner is None
        or new_owner.account_id != account.__name__
        or not new_owner.is_active
        or not is_account_admin(new_owner, account)
    ):
        raise Invalid("owner", "The new owner must be an active admin of this account.")
    return new_owner


def dataset_heir(api_root, actor, dataset, ref):
    """The new owner ``ref`` names for ``dataset``: only the owner (or a
    superuser) hands a dataset over, to a user of its account who may own
    datasets (``authz.rules.can_own_datasets``)."""
    new_owner = resolve_user(api_root, ref)
    if new_owner is None:
        raise Invalid("owner", "owner must be a user URL, an email or a project URL.")
    if dataset.owner_id != actor.__name__ and not actor.is_superuser:
        raise NotAllowed("Only the owner may hand the dataset to another user.")
    if not can_own_datasets(new_owner) or new_owner.account_id != dataset.account_id:
        raise Invalid(
            "owner",
            "The new owner must be an active (or invited) user of the dataset's account "
            "who can create datasets.",
        )
    return new_owner


# -- expropriation: everything a user owns ------------------------------------


def check_new_owner(api_root, actor, user, ref):
    """The new owner for ``user``'s things, or a 400/403 saying why not:
    another user of the same account (active, or invited and not yet logged
    in) who may create datasets, chosen by an admin of the account."""
    account = api_root.accounts.get(user.account_id) if user.account_id else None
    if not is_account_admin(actor, account):
        raise NotAllowed("Only an admin of the user's account may reassign their things.")
    new_owner = resolve_user(api_root, ref)
    if new_owner is None or new_owner.account_id != user.account_id:
        raise Invalid("owner", "The new owner must be a user of the same account.")
    if new_owner.__name__ == user.__name__:
        raise Invalid("owner", "The new owner must be another user.")
    if not can_create_datasets(new_owner):
        raise Invalid("owner", "The new owner needs the create_datasets permission.")
    if not can_own_datasets(new_owner):
        raise Invalid("owner", "The new owner must be an active user or an invited one.")
    return new_owner


def owned_things(api_root, user) -> dict:
    """What ``user`` owns, by container: ``{"teams": [...], "projects": [...],
    "datasets": [...]}``."""
    found = {}
    for spec in owned_kinds():
        container = spec.container_of(api_root)
        found[spec.container] = [
            container[i] for i in sorted(user.ids(spec.owned_ids)) if i in container
        ]
    return found


def expropriate(api_root, user, new_owner) -> dict:
    """Hand every owned thing to ``new_owner``; returns what moved.  Each
    thing hears that ``user`` lost a grant (a dataset releases the edit lock
    the user held).  What the user's personal
    project holds goes into the new owner's: a personal project is never
    handed over (each user has exactly one, seen by them)."""
    things = owned_things(api_root, user)
    for owned in things.values():
        for thing in owned:
            hand_over(api_root, thing, new_owner)
            thing.grant_revoked("user", user.__name__)
    empty_personal_project(api_root, user, new_owner)
    return things
