"""How each resource looks on the wire: a catalog tuple and an entity body.

Persistent classes know nothing about JSON or requests; these functions do.
"""

from .clock import isoformat
from .roles import ROLES, account_permissions_for


def user_tuple(request, user) -> dict:
    return {
        "id": user.__name__,
        "name": user.name,
        "email": user.email,
        "username": user.username,
        "status": user.status,
        "id_method": user.id_method,
        "id_provider": user.id_provider,
    }


def roles_of(user) -> list[str]:
    return [role for role in user.roles if role in ROLES]


def user_body(request, user) -> dict:
    address = dict(user.address or {})
    manager_url = None
    if user.manager_id and user.manager_id in request.api_root.users:
        manager_url = request.resource_url(request.api_root.users[user.manager_id])
    return {
        "id": user.__name__,
        "username": user.username,
        "name": user.name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "id_method": user.id_method,
        "id_provider": user.id_provider,
        "account_permissions": account_permissions_for(user),
        "roles": roles_of(user),
        "status": user.status,
        "title": user.title,
        "mobile": user.mobile,
        "address": address,
        "manager": manager_url,
        "avatar": user.avatar,
        "email_verified": user.email_verified,
        "is_superuser": user.is_superuser,
        "created": isoformat(user.created),
        "last_login": isoformat(user.last_login),
        "preferences": dict(user.preferences),
    }
