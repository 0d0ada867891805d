"""Projects (reference crunch-api.md §7): nested folders of datasets with
``edit``/``view`` members (users and teams)."""

from ..authz.grants import dataset_flags, project_chain, project_flags, reachable_projects
from ..authz.permissions import Permission
from ..authz.principals import principal
from ..domain.collaboration import (
    create_project,
    delete_project,
    is_project_empty,
    move_into_project,
    personal_project,
    remove_project_member,
    set_project_member,
)
from ..domain.exceptions import Conflict, Invalid, NotAllowed, NotFound
from ..domain.references import id_from_url
from ..domain.resources.projects import PERSONAL
from ..infra.clock import get_clock
from ..rendering import shoji
from ..rendering.representations import dataset_tuple, project_tuple
from . import (
    account_member,
    created,
    no_content,
    read_document,
    read_entity,
    read_object,
    register,
    tree_service,
)
from .bodies import PROJECT_ENVELOPE, PROJECT_MEMBER, PROJECT_PATCH, NewProject, Order
from .datasets import check_placement
from .members import datasets_catalog, member_patches, permission_flag

PROJECT_FIELDS = ("name", "description", "icon_url", "icon")

projects = tree_service("projects", "/api/projects/", description="The caller's projects")
# Before ``project``: its route would take ``personal`` for an id.
personal = tree_service("personal_project", "/api/projects/personal/", context="/api/projects/")
project = tree_service("project", "/api/projects/{project_id}/")
project_members = tree_service("project_members", "/api/projects/{project_id}/members/")
project_users = tree_service("project_users", "/api/projects/{project_id}/users/")
project_datasets = tree_service("project_datasets", "/api/projects/{project_id}/datasets/")
project_order = tree_service(
    "project_order", "/api/projects/{project_id}/order/", context="/api/projects/{project_id}/"
)


def includeme(config):
    register(
        config,
        projects,
        personal,
        project,
        project_members,
        project_users,
        project_datasets,
        project_order,
    )


def new_project(request, parent=None):
    body = read_entity(request)
    owner = account_member(request, "projects")
    now = get_clock(request.registry).now()
    description = body.get("description", "")
    made = create_project(
        request.api_root, owner, body["name"], now, parent=parent, description=description
    )
    made.icon = icon_of(body)
    return created(request, made)


def icon_of(body: dict):
    """``icon_url`` (or ``icon``): a URL or null."""
    return body.get("icon_url") or body.get("icon") or None


@projects.get(permission=Permission.VIEW)
def get_projects(request):
    me = request.identity
    api_root = request.api_root
    index = {
        request.url_of(p): project_tuple(request, p, project_flags(api_root, me, p))
        for p in reachable_projects(api_root, me)
    }
    body = {"name": "Projects catalog", "permissions": {"create": bool(me.account_id)}}
    personal_url = request.resource_url(request.context, PERSONAL, "")
    return shoji.catalog(
        request, request.context, index, body=body, catalogs={"personal": personal_url}
    )


@projects.post(permission=Permission.VIEW, schema=NewProject())
def post_projects(request):
    return new_project(request)


def child_index(request, context, me):
    """The project's children (sub-projects and datasets) as index tuples."""
    api_root = request.api_root
    index = {}
    for child_id in context.graph:
        child = api_root.projects.get(child_id)
        if child is not None:
            perms = project_flags(api_root, me, child)
            index[request.url_of(child)] = project_tuple(request, child, perms)
            continue
        dataset = api_root.datasets.get(child_id)
        if dataset is not None:
            perms = dataset_flags(api_root, me, dataset)
            if not perms["view"]:
                continue  # a draft the caller may not see
            index[request.url_of(dataset)] = {
                **dataset_tuple(request, dataset, perms),
                "type": "dataset",
            }
    return index


def project_document(request, context, self_url=None):
    api_root = request.api_root
    me = request.identity
    index = child_index(request, context, me)
    chain = list(project_chain(api_root, context))
    parent = chain[1] if len(chain) > 1 else api_root.projects
    body = {
        **project_tuple(request, context, project_flags(api_root, me, context)),
        "path": "|".join(p.name for p in reversed(chain)),
    }
    return shoji.entity(
        request,
        context,
        body,
        self_url=self_url,
        index=index,
        graph=list(index),
        catalogs={
            "project": parent,
            "members": context["members"],
            "users": context["users"],
            "datasets": context["datasets"],
        },
        orders={"order": request.resource_url(context, "order", "")},
    )


@project.get(permission=Permission.VIEW)
def get_project(request):
    return project_document(request, request.context)


@project.post(permission=Permission.EDIT, schema=NewProject())
def post_subproject(request):
    return new_project(request, parent=request.context)


def _movable(request, ref, target_project):
    """Resolve an index key to a dataset or project the caller may move in."""
    api_root = request.api_root
    me = request.identity
    dataset_id = id_from_url(ref, "datasets")
    if dataset_id is not None and dataset_id in api_root.datasets:
        dataset = api_root.datasets[dataset_id]
        if not dataset_flags(api_root, me, dataset)["view"]:
            raise Invalid(ref, f"{ref} is not a dataset or project.")
        check_placement(request, target_project, ref, dataset)
        return dataset
    project_id = id_from_url(ref, "projects")
    if project_id is not None and project_id in api_root.projects:
        child = api_root.projects[project_id]
        if child.account_id != target_project.account_id:
            raise Invalid(ref, "The project belongs to another account.")
        if child.personal_of is not None:
            raise Invalid(ref, "A personal project cannot be moved.")
        if not project_flags(api_root, me, child)["edit"]:
            raise NotAllowed("You need edit permission on the project to move it.")
        if any(p.__name__ == child.__name__ for p in project_chain(api_root, target_project)):
            raise Invalid(ref, "A project cannot be moved into itself.")
        return child
    raise Invalid(ref, f"{ref} is not a dataset or project.")


def reorder(context, graph):
    """Replace the child order; the graph must list every child exactly once."""
    ids = [u.rstrip("/").rsplit("/", 1)[-1] for u in graph]
    if sorted(ids) != sorted(context.graph) or len(set(ids)) != len(ids):
        raise Invalid("graph", "graph must contain every child of the project exactly once.")
    context.reorder_children(ids)


def apply_project_patch(request, context):
    """Body changes, ``index`` moves into the project, ``graph`` reorders."""
    moves, body = read_document(request, PROJECT_PATCH, PROJECT_ENVELOPE)
    if "name" in body:
        context.name = body["name"]
    if "description" in body:
        context.description = body["description"]
    if "icon_url" in body or "icon" in body:
        context.icon = icon_of(body)
    for ref in moves.get("index") or ():
        thing = _movable(request, ref, context)
        move_into_project(request.api_root, thing, context)
    if moves.get("graph") is not None:
        reorder(context, moves["graph"])
    return no_content()


@project.patch(permission=Permission.EDIT)
def patch_project(request):
    return apply_project_patch(request, request.context)


# -- the caller's personal project ---------------------------------------------


def my_personal_project(request):
    return personal_project(request.api_root, request.identity)


@personal.get(permission=Permission.VIEW)
def get_personal_project(request):
    """The caller's own project, made on first use; ``self`` stays this URL."""
    return project_document(request, my_personal_project(request), self_url=request.url)


@personal.patch(permission=Permission.VIEW)
def patch_personal_project(request):
    return apply_project_patch(request, my_personal_project(request))


@personal.post(permission=Permission.VIEW, schema=NewProject())
def post_personal_subproject(request):
    return new_project(request, parent=my_personal_project(request))


@project.delete(permission=Permission.DELETE)
def delete_project_view(request):
    context = request.context
    if context.personal_of is not None:
        if context.personal_of != request.identity.__name__:
            raise NotFound()
        raise Invalid(None, "A personal project cannot be deleted.")
    if not is_project_empty(context):
        raise Conflict("The project still holds datasets or sub-projects; move them first.")
    delete_project(request.api_root, context)
    return no_content()


@project_order.get(permission=Permission.VIEW)
def get_project_order(request):
    context = request.context
    api_root = request.api_root
    graph = []
    for child_id in context.graph:
        child = api_root.projects.get(child_id) or api_root.datasets.get(child_id)
        if child is not None:
            graph.append(request.url_of(child))
    return shoji.order(request, request.url, graph)


@project_order.put(permission=Permission.EDIT, schema=Order())
def put_project_order(request):
    order = read_object(request)
    reorder(request.context, order["graph"])
    return no_content()


def _member_tuple(request, context, key, perms):
    kind, ident = key.split(":", 1)
    api_root = request.api_root
    thing = (api_root.users if kind == "user" else api_root.teams).get(ident)
    if thing is None:
        return None, None
    flags = {"edit": bool(perms["edit"]), "view": True}
    entry = {"name": thing.name, "permissions": flags}
    if kind == "user":
        entry["email"] = thing.email
        entry["collaborator"] = thing.account_id != context.account_id
    return request.url_of(thing), entry


@project_members.get(permission=Permission.VIEW)
def get_project_members(request):
    context = request.context.__parent__
    index = {}
    for key, perms in context.members.items():
        url, entry = _member_tuple(request, context, key, perms)
        if url is not None:
            index[url] = entry
    return shoji.catalog(request, request.context, index)


@project_members.patch(permission=Permission.EDIT)
def patch_project_members(request):
    """Users and teams as ``edit``/view members; ``null`` removes (not yourself)."""
    context = request.context.__parent__
    me = request.identity
    if context.personal_of is not None:
        raise Invalid(None, "A personal project has no members: it is yours alone.")
    for ref, kind, target, changes, _options in member_patches(request, PROJECT_MEMBER):
        if changes is not None:
            current = context.members.get(principal(kind, target.__name__), {"edit": False})
            flag = permission_flag(changes, ("edit",), current["edit"])
            set_project_member(context, target, kind, flag)
        elif kind == "user" and target.__name__ == me.__name__:
            raise Invalid(ref, "You cannot remove yourself from a project.")
        else:
            remove_project_member(context, target, kind)
    return no_content()


@project_users.get(permission=Permission.VIEW)
def get_project_users(request):
    """Everyone with access — directly or through a team, on this project or
    an ancestor — and how."""
    context = request.context.__parent__
    api_root = request.api_root
    found = {}
    for node in project_chain(api_root, context):
        for key in node.members.keys():
            kind, ident = key.split(":", 1)
            if kind == "user":
                found.setdefault(ident, [])
            elif (team := api_root.teams.get(ident)) is not None:
                for user_id in team.members.keys():
                    found.setdefault(user_id, []).append(request.url_of(team))
    index = {}
    for user_id, team_urls in found.items():
        user = api_root.users.get(user_id)
        if user is None:
            continue
        index[request.url_of(user)] = {
            "name": user.name,
            "email": user.email,
            "collaborator": user.account_id != context.account_id,
            "teams": sorted(set(team_urls)),
            "permissions": project_flags(api_root, user, context),
        }
    return shoji.catalog(request, request.context, index)


@project_datasets.get(permission=Permission.VIEW)
def get_project_datasets(request):
    """Datasets the project holds."""
    return datasets_catalog(request, request.context.__parent__.ids("dataset_ids"))
