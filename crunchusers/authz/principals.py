"""Principals: who a request acts as, derived from the user's data on every
request (account, admin flag, teams), so role and membership changes take
effect at once."""

from pyramid.authorization import Authenticated, Everyone

from .roles import account_permissions_for

CAN_CREATE_DATASETS = "can:create_datasets"


SUPERUSER = "group:superusers"


def principal(kind: str, ident: str) -> str:
    """The one key for a user or team: ``user:<id>`` or ``team:<id>``.  ACLs
    name principals with it, and dataset shares and project members are keyed
    by it, so a grant and the principal it serves always match."""
    return f"{kind}:{ident}"


def account_principal(account_id: str) -> str:
    return f"account:{account_id}"


def account_admin_principal(account_id: str) -> str:
    return f"account-admin:{account_id}"


def account_owner_principal(account_id: str) -> str:
    return f"account-owner:{account_id}"


def principals_for(user, api_root) -> list[str]:
    """Everything ``user`` acts as, derived from its current data."""
    principals = [Everyone, Authenticated, principal("user", user.__name__)]
    if user.is_superuser:
        principals.append(SUPERUSER)
    account_id = user.account_id
    if account_id:
        principals.append(account_principal(account_id))
        account = api_root.accounts.get(account_id)
        is_owner = account is not None and account.owner_id == user.__name__
        if is_owner:
            principals.append(account_owner_principal(account_id))
        if is_owner or account_permissions_for(user)["alter_users"]:
            principals.append(account_admin_principal(account_id))
    if user.is_superuser or account_permissions_for(user)["create_datasets"]:
        principals.append(CAN_CREATE_DATASETS)
    principals.extend(principal("team", team_id) for team_id in user.team_ids)
    return principals
