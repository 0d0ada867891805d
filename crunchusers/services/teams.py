"""Teams (reference crunch-api.md §6): catalog, entity, members, datasets."""

from .. import shoji
from ..clock import get_clock
from ..collaboration import create_team, delete_team, remove_team_member, set_team_member
from ..errors import bad_request
from ..invitations import invite_by_email
from ..references import resolve_member
from ..representations import team_tuple
from ..security import Permission
from . import created, datasets_catalog, no_content, only_fields, required_name, tree_service

teams = tree_service("teams", "/api/teams/", description="The caller's teams")
team = tree_service("team", "/api/teams/{team_id}/")
team_members = tree_service("team_members", "/api/teams/{team_id}/members/")
team_datasets = tree_service("team_datasets", "/api/teams/{team_id}/datasets/")


@teams.get(permission=Permission.VIEW)
def get_teams(request):
    me = request.identity
    container = request.api_root.teams
    index = {
        request.url_of(t): team_tuple(request, t, me)
        for t in (container.get(i) for i in me.team_ids)
        if t is not None
    }
    return shoji.catalog(request, request.context, index)


@teams.post(permission=Permission.VIEW)
def post_teams(request):
    body = shoji.entity_body(shoji.json_object(request))
    only_fields(body, ("name",))
    me = request.identity
    if not me.account_id:
        raise bad_request("Only a member of an account can create teams.")
    new = create_team(request.api_root, me, required_name(body), get_clock(request.registry).now())
    return created(request, new)


@team.get(permission=Permission.VIEW)
def get_team(request):
    context = request.context
    owner = request.api_root.users.get(context.owner_id)
    owner_url = request.url_of(owner) if owner is not None else None
    body = {"id": context.__name__, "name": context.name, "creator": owner_url, "owner": owner_url}
    return shoji.entity(
        request,
        context,
        body,
        catalogs={"members": context["members"], "datasets": context["datasets"]},
    )


@team.patch(permission=Permission.EDIT)
def patch_team(request):
    body = shoji.entity_body(shoji.json_object(request))
    only_fields(body, ("name",))
    if "name" in body:
        request.context.name = required_name(body)
    return no_content()


@team.delete(permission=Permission.DELETE)
def delete_team_view(request):
    delete_team(request.api_root, request.context)
    return no_content()


@team_members.get(permission=Permission.VIEW)
def get_team_members(request):
    context = request.context.__parent__
    users = request.api_root.users
    index = {}
    for user_id, is_admin in context.members.items():
        member = users.get(user_id)
        if member is not None:
            index[request.url_of(member)] = {
                "name": member.name,
                "email": member.email,
                "permissions": {"team_admin": bool(is_admin)},
            }
    return shoji.catalog(request, request.context, index)


def team_admin_flag(ref, changes, current) -> bool:
    """``team_admin`` (or its old name ``manage_members``) from a tuple."""
    if not isinstance(changes, dict):
        raise bad_request("Each member tuple must be an object or null.", field=ref)
    permissions = changes.get("permissions", {})
    if not isinstance(permissions, dict):
        raise bad_request("permissions must be an object.", field=ref)
    flag = permissions.get("team_admin", permissions.get("manage_members", current))
    if not isinstance(flag, bool):
        raise bad_request("team_admin must be a boolean.", field=ref)
    return flag


@team_members.patch(permission=Permission.EDIT)
def patch_team_members(request):
    context = request.context.__parent__
    index, options = shoji.catalog_index(shoji.json_object(request))
    api_root = request.api_root
    for ref, changes in index.items():
        member = resolve_member(api_root, ref)
        if member is None or member[0] == "team":
            raise bad_request(f"{ref} is not a user.", field=ref)
        kind, target = member
        if changes is None:
            if kind == "email":
                raise bad_request(f"{ref} is not a member.", field=ref)
            remove_team_member(context, target)
            continue
        if kind == "email":
            target = invite_by_email(request, target, options.get("url_base"))
        current = context.is_team_admin(target.__name__)
        set_team_member(context, target, team_admin_flag(ref, changes, current))
    return no_content()


@team_datasets.get(permission=Permission.VIEW)
def get_team_datasets(request):
    """Datasets shared with the team."""
    team_ = request.context.__parent__
    return datasets_catalog(request, team_.ids("dataset_ids"))
