"""The built-in roles catalog (``/api/roles/``) and role entities."""

from ..authz.permissions import Permission
from ..authz.roles import ROLES
from ..domain.exceptions import NotFound
from ..rendering import shoji
from . import register, tree_service
from .root import api_link

roles = tree_service("roles", "/api/roles/", context="/api/")
role = tree_service("role", "/api/roles/{role_id}/", context="/api/")


def includeme(config):
    register(config, roles, role)


def role_body(role_obj) -> dict:
    return {
        "id": role_obj.id,
        "title": role_obj.title,
        "description": role_obj.description,
        "account_permissions": {
            "alter_users": role_obj.alter_users,
            "admin_account": role_obj.alter_users,
            "create_datasets": role_obj.create_datasets,
        },
    }


@roles.get(permission=Permission.VIEW)
def get_roles(request):
    index = {api_link(request, "roles", r.id): role_body(r) for r in ROLES.values()}
    return shoji.catalog(request, None, index, self_url=api_link(request, "roles"))


@role.get(permission=Permission.VIEW)
def get_role(request):
    role_obj = ROLES.get(request.matchdict["role_id"])
    if role_obj is None:
        raise NotFound("No such role.")
    return shoji.entity(
        request, None, role_body(role_obj), self_url=api_link(request, "roles", role_obj.id)
    )
