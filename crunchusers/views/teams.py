"""Teams (reference crunch-api.md §6): catalog, entity, members, datasets."""

from ..authz.permissions import Permission
from ..domain.collaboration import create_team, delete_team, remove_team_member, set_team_member
from ..infra.clock import get_clock
from ..rendering import shoji
from ..rendering.representations import team_tuple
from . import account_member, created, no_content, read_entity, register, tree_service
from .bodies import TEAM_MEMBER, TEAM_PATCH, NewTeam
from .members import datasets_catalog, member_patches, permission_flag

teams = tree_service("teams", "/api/teams/", description="The caller's teams")
team = tree_service("team", "/api/teams/{team_id}/")
team_members = tree_service("team_members", "/api/teams/{team_id}/members/")
team_datasets = tree_service("team_datasets", "/api/teams/{team_id}/datasets/")


def includeme(config):
    register(config, teams, team, team_members, team_datasets)


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


@teams.post(permission=Permission.VIEW, schema=NewTeam())
def post_teams(request):
    body = read_entity(request)
    me = account_member(request, "teams")
    new = create_team(request.api_root, me, body["name"], get_clock(request.registry).now())
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


@team.patch(permission=Permission.EDIT, schema=TEAM_PATCH)
def patch_team(request):
    body = read_entity(request)
    if "name" in body:
        request.context.name = body["name"]
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


@team_members.patch(permission=Permission.EDIT)
def patch_team_members(request):
    """Add (``{}``), promote (``team_admin``, formerly ``manage_members``) or
    remove (``null``) members, keyed by user URL or email."""
    team_ = request.context.__parent__
    for _ref, _kind, user, changes, _options in member_patches(request, TEAM_MEMBER, teams=False):
        if changes is None:
            remove_team_member(team_, user)
            continue
        current = team_.is_team_admin(user.__name__)
        flag = permission_flag(changes, ("team_admin", "manage_members"), current)
        set_team_member(team_, user, flag)
    return no_content()


@team_datasets.get(permission=Permission.VIEW)
def get_team_datasets(request):
    """Datasets shared with the team."""
    team_ = request.context.__parent__
    return datasets_catalog(request, team_.ids("dataset_ids"))
