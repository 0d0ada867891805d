"""ACLs derived from data, never stored.

Each function turns a resource's current data into ACEs, ending in
``DENY_ALL`` so nothing leaks in from parents.  Resources expose them as
``__acl__`` properties; Pyramid's ACLHelper calls them per permission check.
"""

from pyramid.authorization import ALL_PERMISSIONS, DENY_ALL, Allow, Authenticated

from .security import (
    SUPERUSER,
    Permission,
    account_admin_principal,
    account_owner_principal,
    account_principal,
    team_principal,
    user_principal,
)

SUPERUSER_ACE = (Allow, SUPERUSER, ALL_PERMISSIONS)


def root_acl(root) -> list:
    return [SUPERUSER_ACE, (Allow, Authenticated, Permission.VIEW)]


def user_acl(user) -> list:
    acl = [SUPERUSER_ACE]
    if user.status != "deleted":
        acl.append((Allow, user_principal(user.__name__), (Permission.VIEW, Permission.EDIT)))
    if user.account_id:
        admin = account_admin_principal(user.account_id)
        acl.append((Allow, admin, (Permission.VIEW, Permission.EDIT, Permission.ADMIN)))
        acl.append((Allow, account_principal(user.account_id), Permission.VIEW))
    acl.extend((Allow, team_principal(team_id), Permission.VIEW) for team_id in user.team_ids)
    acl.append(DENY_ALL)
    return acl


def account_acl(account) -> list:
    account_id = account.__name__
    return [
        SUPERUSER_ACE,
        (Allow, account_owner_principal(account_id), ALL_PERMISSIONS),
        (Allow, account_admin_principal(account_id), (Permission.VIEW, Permission.ADMIN)),
        (Allow, account_principal(account_id), Permission.VIEW),
        DENY_ALL,
    ]
