"""The users catalog and user entities."""

from .. import shoji
from ..representations import user_body, user_tuple
from ..security import Permission
from . import tree_service

users = tree_service("users", "/api/users/", description="Users visible to the caller")
user = tree_service("user", "/api/users/{user_id}/", description="A user")


def candidate_users(request):
    """Users a listing may show, narrowed through indexes — never all users.

    ``?email=`` and ``?id=`` go through the email index and the container;
    without them the candidates are the caller, the caller's account and
    the members of the caller's teams.
    """
    api_root = request.api_root
    container = api_root.users
    email = request.params.get("email")
    user_id = request.params.get("id")
    if email is not None or user_id is not None:
        found = container.find_by_email(email) if email is not None else container.get(user_id)
        if found is not None and user_id is not None and found.__name__ != user_id:
            found = None
        return [found] if found is not None else []
    me = request.identity
    ids = {me.__name__}
    account = api_root.accounts.get(me.account_id) if me.account_id else None
    if account is not None:
        ids.update(account.user_ids)
    for team_id in me.team_ids:
        team = getattr(api_root, "teams", {}).get(team_id)
        if team is not None:
            ids.update(team.members.keys())
    return [u for u in (container.get(i) for i in sorted(ids)) if u is not None]


@users.get(permission=Permission.VIEW)
def get_users(request):
    index = {
        request.resource_url(u): user_tuple(request, u)
        for u in candidate_users(request)
        if request.has_permission(Permission.VIEW, u)
    }
    return shoji.catalog(request, request.context, index, self_url=request.url)


@user.get(permission=Permission.VIEW)
def get_user(request):
    target = request.context
    return shoji.entity(
        request,
        target,
        user_body(request, target),
        description="Detail for a given user",
        urls={"account_url": request.application_url + "/api/account/"},
    )
