"""ACLs derived from data, never stored.

Each function turns a resource's current data into ACEs, ending in
``DENY_ALL`` so nothing leaks in from parents.  Resources expose them as
``__acl__`` properties; Pyramid's ACLHelper calls them per permission check.
"""

from pyramid.authorization import ALL_PERMISSIONS, DENY_ALL, Allow, Authenticated

from .grants import account_of, can_manage_team, can_view_team, dataset_flags, project_flags
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


#: The permissions each flag gives, on a project and on a dataset.
PROJECT_FLAG_PERMISSIONS = {"view": {Permission.VIEW}, "edit": {Permission.EDIT}}
DATASET_FLAG_PERMISSIONS = {
    "view": {Permission.VIEW},
    "edit": {Permission.EDIT, Permission.DELETE},
    "change_permissions": {Permission.SHARE},
}


def granted_by(flags: dict, meaning: dict) -> set:
    """The permissions the true ``flags`` give, by ``meaning`` (flag → set)."""
    return {p for flag, permissions in meaning.items() if flags[flag] for p in permissions}


def project_permissions(api_root, user, project) -> set:
    """Editors edit; only the owner or an account admin deletes."""
    granted = granted_by(project_flags(api_root, user, project), PROJECT_FLAG_PERMISSIONS)
    admin = user.is_superuser or is_account_admin(user, account_of(api_root, project))
    if project.owner_id == user.__name__ or admin:
        granted.add(Permission.DELETE)
    return granted


def dataset_permissions(api_root, user, dataset) -> set:
    """Editors also delete, and so does the account owner."""
    granted = granted_by(dataset_flags(api_root, user, dataset), DATASET_FLAG_PERMISSIONS)
    if is_account_owner(user, account_of(api_root, dataset)):
        granted.add(Permission.DELETE)
    return granted
