"""Account admin views (seed 004): the account's datasets, projects, teams
and collaborators, one user's owned and reachable datasets, and
expropriation (``reassign``/``expropriate``)."""

from ..authz.grants import (
    access_type,
    dataset_grants,
    project_flags,
    visible_datasets,
)
from ..authz.permissions import Permission
from ..domain.notifications import Notifier
from ..domain.ownership import check_new_owner, expropriate, owned_things
from ..domain.sharing import collaborator_ids
from ..rendering import shoji
from ..rendering.representations import project_tuple
from . import no_content, read_entity, register, tree_service, view_table
from .accounts import aliased
from .bodies import Reassign
from .members import datasets_catalog

account_datasets, my_account_datasets = account_datasets_services = aliased(
    "account_datasets", "datasets/"
)
account_projects, my_account_projects = account_projects_services = aliased(
    "account_projects", "projects/"
)
account_teams, my_account_teams = account_teams_services = aliased("account_teams", "teams/")
account_collaborators, my_account_collaborators = account_collaborators_services = aliased(
    "account_collaborators", "collaborators/"
)
member_datasets, my_member_datasets = member_datasets_services = aliased(
    "account_member_datasets", "users/{user_id}/datasets/"
)


def on_user(name: str):
    """``/api/users/{user_id}/<name>/``, acting on that user."""
    return tree_service(name, f"/api/users/{{user_id}}/{name}/", context="/api/users/{user_id}/")


visible = on_user("visible_datasets")
reassign = on_user("reassign")
expropriate_service = on_user("expropriate")


def _items(container, ids):
    return [container[i] for i in sorted(ids) if i in container]


def get_account_datasets(request):
    """Every dataset of the account; admins have implicit edit on all."""
    return datasets_catalog(request, request.context.account.ids("dataset_ids"))


def _owned_tuple(request, thing):
    owner = request.api_root.users.get(thing.owner_id)
    return {
        "id": thing.__name__,
        "name": thing.name,
        "owner": request.url_of(owner) if owner is not None else None,
    }


def get_account_projects(request):
    account = request.context.account
    api_root = request.api_root
    index = {
        request.url_of(p): {
            **project_tuple(request, p, project_flags(api_root, request.identity, p)),
            **_owned_tuple(request, p),
        }
        for p in _items(api_root.projects, account.ids("project_ids"))
    }
    return shoji.catalog(request, request.context, index)


def get_account_teams(request):
    account = request.context.account
    index = {
        request.url_of(t): _owned_tuple(request, t)
        for t in _items(request.api_root.teams, account.ids("team_ids"))
    }
    return shoji.catalog(request, request.context, index)


def get_account_collaborators(request):
    account = request.context.account
    users = request.api_root.users
    index = {}
    for user_id in sorted(collaborator_ids(request.api_root, account)):
        user = users.get(user_id)
        if user is not None:
            index[request.url_of(user)] = {
                "name": user.name,
                "email": user.email,
                "active": user.is_active,
            }
    return shoji.catalog(request, request.context, index)


def get_member_datasets(request):
    """Datasets the user owns (admins only)."""
    user = request.api_root.users[request.context.__parent__.__name__]
    return datasets_catalog(request, user.ids("owned_dataset_ids"))


view_table(
    (account_datasets_services, "GET", get_account_datasets, Permission.ADMIN),
    (account_projects_services, "GET", get_account_projects, Permission.ADMIN),
    (account_teams_services, "GET", get_account_teams, Permission.ADMIN),
    (account_collaborators_services, "GET", get_account_collaborators, Permission.ADMIN),
    (member_datasets_services, "GET", get_member_datasets, Permission.ADMIN),
)


@visible.get(permission=Permission.ADMIN)
def get_visible_datasets(request):
    """Every dataset the user can reach, how, and with which final permissions."""
    user = request.context
    api_root = request.api_root
    index = {}
    for dataset, perms in visible_datasets(api_root, user):
        how = access_type(dataset_grants(api_root, user, dataset))
        base = request.application_url + "/api/"
        index[request.url_of(dataset)] = {
            "name": dataset.name,
            "archived": dataset.archived,
            "last_access_time": None,
            "access_type": {
                "teams": [f"{base}teams/{t}/" for t in how["teams"]],
                "project": f"{base}projects/{how['project']}/" if how["project"] else None,
                "direct": how["direct"],
            },
            "permissions": perms,
        }
    return shoji.catalog(request, request.context, index, self_url=request.url)


def post_reassign(request):
    """Move everything the user owns to ``owner``; ``?dry_run=true`` only tells."""
    user = request.context
    api_root = request.api_root
    body = read_entity(request)
    new_owner = check_new_owner(api_root, request.identity, user, body.get("owner"))
    if request.params.get("dry_run", "").lower() in ("true", "1", "yes"):
        things = owned_things(api_root, user)
        value = {
            "owner": request.url_of(new_owner),
            **{kind: [request.url_of(t) for t in items] for kind, items in things.items()},
        }
        return shoji.view(request, request.url, value)
    moved = expropriate(api_root, user, new_owner)
    count = sum(len(items) for items in moved.values())
    notifier = Notifier.for_request(request)
    notifier.ownership_received(new_owner, f"{count} teams, projects and datasets of {user.name}")
    if user.is_active:
        notifier.ownership_lost(user, f"Your {count} teams, projects and datasets", new_owner)
    return no_content()


view_table(((reassign, expropriate_service), "POST", post_reassign, Permission.ADMIN, Reassign()))


def includeme(config):
    register(
        config,
        *account_datasets_services,
        *account_projects_services,
        *account_teams_services,
        *account_collaborators_services,
        *member_datasets_services,
        visible,
        reassign,
        expropriate_service,
    )
