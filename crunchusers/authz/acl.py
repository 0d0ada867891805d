"""ACLs derived from data, never stored.

Each function turns a resource's current data into ACEs, ending in
``DENY_ALL`` so nothing leaks in from parents.  Resources expose them as
``__acl__`` properties; Pyramid's ACLHelper calls them per permission check.
"""

from pyramid.authorization import ALL_PERMISSIONS, DENY_ALL, Allow, Authenticated

from .grants import can_manage_team, can_view_team, dataset_flags, project_flags
from .permissions import Permission
from .principals import (
    CAN_CREATE_DATASETS,
    SUPERUSER,
    account_admin_principal,
    account_owner_principal,
    account_principal,
    principal,
)
from .rules import is_account_admin, is_account_owner

SUPERUSER_ACE = (Allow, SUPERUSER, ALL_PERMISSIONS)


def root_acl(root) -> list:
    return [
        SUPERUSER_ACE,
        (Allow, CAN_CREATE_DATASETS, Permission.CREATE_DATASET),
        (Allow, Authenticated, Permission.VIEW),
    ]


def user_acl(user, collaborator_of=lambda: ()):
    """ACEs for a user entity, yielded lazily: ACLHelper stops at the first
    match, so the costly last part — ``collaborator_of()``, the accounts
    whose datasets, projects or teams the user works on, whose admins may
    see the user (seed 004) — runs only when nothing cheaper decided.

    A removed user's tombstone is seen by the admins of its account only.
    What each viewer reads of a user is ``rendering.representations.profile_tier``."""
    yield SUPERUSER_ACE
    if user.account_id:
        admin = account_admin_principal(user.account_id)
        yield (Allow, admin, (Permission.VIEW, Permission.EDIT, Permission.ADMIN))
    if user.status == "deleted":
        yield DENY_ALL
        return
    yield (Allow, principal("user", user.__name__), (Permission.VIEW, Permission.EDIT))
    if user.account_id:
        yield (Allow, account_principal(user.account_id), Permission.VIEW)
    for team_id in user.team_ids:
        yield (Allow, principal("team", team_id), Permission.VIEW)
    for account_id in collaborator_of():
        if account_id != user.account_id:
            yield (Allow, account_admin_principal(account_id), Permission.VIEW)
    yield DENY_ALL


def apikey_acl(key) -> list:
    """An API key (a stored ``Session``): its owner views and revokes it, and
    so may the superuser (an operator revoking a leaked key; the secret is
    stored by no one).  Account admins may not: locking, deactivating or
    removing the user ends all of its keys at once."""
    return [
        SUPERUSER_ACE,
        (Allow, principal("user", key.user_id), (Permission.VIEW, Permission.DELETE)),
        DENY_ALL,
    ]


def account_acl(account) -> list:
    account_id = account.__name__
    return [
        SUPERUSER_ACE,
        (Allow, account_owner_principal(account_id), ALL_PERMISSIONS),
        (Allow, account_admin_principal(account_id), (Permission.VIEW, Permission.ADMIN)),
        (Allow, account_principal(account_id), Permission.VIEW),
        DENY_ALL,
    ]


# Teams, projects and datasets: permission sets per user, from access rules.


def team_permissions(api_root, user, team) -> set:
    if user.is_superuser or can_manage_team(api_root, user, team):
        return {Permission.VIEW, Permission.EDIT, Permission.DELETE}
    return {Permission.VIEW} if can_view_team(api_root, user, team) else set()


def project_permissions(api_root, user, project) -> set:
    """Editors edit; only the owner or an account admin deletes."""
    flags = project_flags(api_root, user, project)
    granted = set()
    if flags["view"]:
        granted.add(Permission.VIEW)
    if flags["edit"]:
        granted.add(Permission.EDIT)
    account = api_root.accounts.get(project.account_id) if project.account_id else None
    if project.owner_id == user.__name__ or user.is_superuser or is_account_admin(user, account):
        granted.add(Permission.DELETE)
    return granted


def dataset_permissions(api_root, user, dataset) -> set:
    flags = dataset_flags(api_root, user, dataset)
    granted = set()
    if flags["view"]:
        granted.add(Permission.VIEW)
    if flags["edit"]:
        granted |= {Permission.EDIT, Permission.DELETE}
    if flags["change_permissions"]:
        granted.add(Permission.SHARE)
    account = api_root.accounts.get(dataset.account_id) if dataset.account_id else None
    if is_account_owner(user, account):
        granted.add(Permission.DELETE)
    return granted
