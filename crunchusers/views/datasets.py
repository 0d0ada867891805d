"""Datasets (reference crunch-api.md §8): metadata, ownership, the current
editor lock, sharing and its explanation.  No statistical data lives here;
``variables`` and ``folders`` exist only so Crunch clients can open one."""

from persistent.mapping import PersistentMapping

from ..authz.grants import (
    FLAGS,
    ceiling,
    dataset_flags,
    dataset_grants,
    normalize_flags,
    project_chain,
    project_flags,
    users_behind,
    visible_datasets,
)
from ..authz.permissions import Permission
from ..authz.principals import principal
from ..domain.bounds import check_object_size
from ..domain.collaboration import (
    create_dataset,
    delete_dataset,
    move_into_project,
    personal_project,
    share_dataset,
    unshare_dataset,
)
from ..domain.exceptions import Conflict, Invalid, NotAllowed
from ..domain.kinds import kind_named
from ..domain.notifications import Notifier
from ..domain.ownership import dataset_heir, hand_over
from ..domain.references import id_from_url, resolve_user
from ..domain.resources.datasets import DEFAULT_SETTINGS, FOLDERS
from ..domain.resources.projects import PERSONAL
from ..domain.sharing import check_ceiling
from ..infra.clock import get_clock, isoformat
from ..rendering import shoji
from ..rendering.representations import dataset_entries, dataset_tuple
from . import (
    account_member,
    catalog_patch,
    created,
    no_content,
    read_entity,
    register,
    tree_service,
)
from .bodies import (
    ANY_OBJECT,
    PREFERENCES,
    SHARE,
    DatasetPatch,
    DatasetTuple,
    NewDataset,
    Settings,
)
from .members import member_patches
from .schemas import validate

datasets = tree_service("datasets", "/api/datasets/", description="Datasets you can see")
by_name = tree_service(
    "datasets_by_name", "/api/datasets/by_name/{name}/", context="/api/datasets/"
)
dataset = tree_service("dataset", "/api/datasets/{dataset_id}/")
permissions = tree_service("dataset_permissions", "/api/datasets/{dataset_id}/permissions/")
explain = tree_service(
    "dataset_permissions_explain",
    "/api/datasets/{dataset_id}/permissions/explain/",
    context="/api/datasets/{dataset_id}/permissions/",
)
dataset_users = tree_service("dataset_users", "/api/datasets/{dataset_id}/users/")
settings = tree_service("dataset_settings", "/api/datasets/{dataset_id}/settings/")
preferences = tree_service("dataset_preferences", "/api/datasets/{dataset_id}/preferences/")
variables = tree_service("dataset_variables", "/api/datasets/{dataset_id}/variables/")
folders = tree_service("dataset_folders", "/api/datasets/{dataset_id}/folders/")
folder = tree_service("dataset_folder", "/api/datasets/{dataset_id}/folders/{folder}/")


def includeme(config):
    register(
        config,
        datasets,
        by_name,
        dataset,
        permissions,
        explain,
        dataset_users,
        settings,
        preferences,
        variables,
        folders,
        folder,
    )


#: The members of a dataset body stored as attributes of the same name
#: (``owner``, ``project`` and ``current_editor`` are references).
ATTRIBUTES = (*(node.name for node in DatasetTuple().children), "notes", "streaming")


def project_from(request, ref, field):
    """The project a reference names: a project URL, or ``.../projects/personal/``
    for the caller's personal project."""
    project_id = id_from_url(ref, "projects") if isinstance(ref, str) else None
    if project_id == PERSONAL:
        return personal_project(request.api_root, request.identity)
    project = request.api_root.projects.get(project_id) if project_id else None
    if project is None:
        raise Invalid(field, f"{ref} is not a project.")
    return project


def lock_holder(api_root, dataset):
    """The user whose edit lock (``current_editor``) binds others, if any: a
    lock held by someone who can no longer log in or edit binds nobody."""
    holder_id = dataset.current_editor_id
    holder = api_root.users.get(holder_id) if holder_id else None
    if holder is None or not holder.is_active:
        return None
    return holder if dataset_flags(api_root, holder, dataset)["edit"] else None


def check_lock(request, dataset):
    """409 when someone else holds the dataset's edit lock: every path that
    changes a dataset asks this."""
    holder = lock_holder(request.api_root, dataset)
    if holder is not None and holder.__name__ != request.identity.__name__:
        raise Conflict(
            f"You are not the current editor of {dataset.name}; "
            "take the edit lock (current_editor) first."
        )


def check_placement(request, project, field, dataset=None):
    """The one rule for putting a dataset into a project, whichever way is
    used (``project`` or ``owner`` on the dataset, the project's ``index``,
    creation with a ``project``).

    The project's editors gain edit and change_permissions on what it holds,
    so the caller must already have change_permissions on the dataset (a new
    dataset is the caller's own), must edit the project, and the project must
    belong to the dataset's account.  Moving a dataset edits it: the edit
    lock holds too.
    """
    api_root = request.api_root
    me = request.identity
    account_id = dataset.account_id if dataset is not None else me.account_id
    if project.account_id != account_id:
        raise Invalid(field, "The project belongs to another account than the dataset.")
    if not project_flags(api_root, me, project)["edit"]:
        raise NotAllowed("You need edit permission on the project.")
    if dataset is not None:
        if not dataset_flags(api_root, me, dataset)["change_permissions"]:
            raise NotAllowed(
                "Moving a dataset into a project shares it with the project's editors: "
                "you need change_permissions on the dataset."
            )
        check_lock(request, dataset)


def place_dataset(request, dataset, ref, field):
    """Move a dataset into the project ``ref`` names, under the placement rule."""
    project = project_from(request, ref, field)
    check_placement(request, project, field, dataset)
    move_into_project(request.api_root, dataset, project)


def catalog_of(request, context, pairs, **links):
    index = dataset_entries(request, pairs)
    return shoji.catalog(request, context, index, self_url=request.url, **links)


@datasets.get(permission=Permission.VIEW)
def get_datasets(request):
    pairs = visible_datasets(request.api_root, request.identity)
    return catalog_of(
        request,
        request.context,
        pairs,
        catalogs={"by_name": request.application_url + "/api/datasets/by_name/{name}/"},
    )


@by_name.get(permission=Permission.VIEW)
def get_datasets_by_name(request):
    name = request.matchdict["name"]
    pairs = [
        (d, p) for d, p in visible_datasets(request.api_root, request.identity) if d.name == name
    ]
    return catalog_of(request, request.context, pairs)


@datasets.post(permission=Permission.CREATE_DATASET, schema=NewDataset())
def post_datasets(request):
    body = read_entity(request)
    me = account_member(request, "datasets")
    project_ref = body.get("project", body.get("owner"))
    project = project_from(request, project_ref, "project") if project_ref else None
    if project is not None:
        check_placement(request, project, "project")
    fields = {k: body[k] for k in ATTRIBUTES if k in body and k != "name"}
    made = create_dataset(
        request.api_root,
        me,
        body["name"],
        get_clock(request.registry).now(),
        project=project,
        current_editor_id=me.__name__,
        **fields,
    )
    return created(request, made)


@datasets.patch(permission=Permission.VIEW)
def patch_datasets(request):
    """Catalog PATCH of catalog-editable attributes; all or nothing: every
    tuple is checked (400, then 403, then the edit lock's 409) before any
    change is made."""
    index, _ = catalog_patch(request)
    api_root = request.api_root
    me = request.identity
    edits = []
    for ref, changes in index.items():
        dataset_id = id_from_url(ref, "datasets")
        target = api_root.datasets.get(dataset_id) if dataset_id else None
        if target is None or not dataset_flags(api_root, me, target)["view"]:
            raise Invalid(ref, f"{ref} is not a dataset in this catalog.")
        if changes is None:
            raise Invalid(ref, "Datasets are removed with DELETE, not a null tuple.")
        # A tuple that is no object is named by its key, a bad member by its name.
        changes = validate(DatasetTuple(), validate(ANY_OBJECT, changes, at=ref))
        if not dataset_flags(api_root, me, target)["edit"]:
            raise NotAllowed(f"You may not edit {target.name}.")
        edits.append((target, changes))
    for target, _ in edits:
        check_lock(request, target)
    now = get_clock(request.registry).now()
    for target, changes in edits:
        for key, value in changes.items():
            setattr(target, key, value)
        target.modified = now
    return no_content()


def dataset_entity(request, context):
    api_root = request.api_root
    me = request.identity
    users = api_root.users
    perms = dataset_flags(api_root, me, context)
    account = api_root.accounts.get(context.account_id)
    project = api_root.projects.get(context.project_id) if context.project_id else None
    owner = users.get(context.owner_id)
    body = {
        **dataset_tuple(request, context, perms),
        "type": "dataset",
        "notes": context.notes,
        "account": request.url_of(account) if account is not None else None,
        "owner": request.url_of(owner) if owner is not None else None,
        "project_name": project.name if project is not None else None,
        "access_time": isoformat(get_clock(request.registry).now()),
        "app_settings": {},
        "view_of": None,
    }
    catalogs = {name: context[name] for name in ("permissions", "users", "variables", "folders")}
    catalogs["parent"] = project["datasets"] if project is not None else api_root.datasets
    if project is not None:
        catalogs["project"] = project
    urls = {"user_url": request.url_of(me)}
    if owner is not None:
        urls["owner_url"] = request.url_of(owner)
    editor = users.get(context.current_editor_id) if context.current_editor_id else None
    if editor is not None:
        urls["editor_url"] = request.url_of(editor)
    return shoji.entity(
        request,
        context,
        body,
        description="Detail for a given dataset",
        catalogs=catalogs,
        fragments={name: context[name] for name in ("settings", "preferences")},
        urls=urls,
    )


@dataset.get(permission=Permission.VIEW)
def get_dataset(request):
    return dataset_entity(request, request.context)


def change_editor(request, context, ref):
    """Take, hand over or release the edit lock (``current_editor``)."""
    if ref is None:
        context.current_editor_id = None
        return
    editor = resolve_user(request.api_root, ref)
    if editor is None or not dataset_flags(request.api_root, editor, context)["edit"]:
        raise Invalid("current_editor", "The current editor must be an editor of the dataset.")
    context.current_editor_id = editor.__name__


def change_owner(request, context, ref):
    """Ownership to a user (``domain.ownership.dataset_heir``) or, with a
    project URL, into a project under the placement rule."""
    if isinstance(ref, str) and id_from_url(ref, "projects"):
        place_dataset(request, context, ref, "owner")
        return
    new_owner = dataset_heir(request.api_root, request.identity, context, ref)
    hand_over(request.api_root, context, new_owner)
    Notifier.for_request(request).ownership_received(new_owner, f'the dataset "{context.name}"')


@dataset.patch(permission=Permission.EDIT, schema=DatasetPatch())
def patch_dataset(request):
    context = request.context
    body = read_entity(request)
    if set(body) - {"current_editor"}:
        check_lock(request, context)
    if "current_editor" in body:
        change_editor(request, context, body["current_editor"])
    if "owner" in body:
        change_owner(request, context, body["owner"])
    if "project" in body:
        place_dataset(request, context, body["project"], "project")
    for key in ATTRIBUTES:
        if key in body:
            setattr(context, key, body[key])
    context.modified = get_clock(request.registry).now()
    return no_content()


@dataset.delete(permission=Permission.DELETE)
def delete_dataset_view(request):
    check_lock(request, request.context)
    delete_dataset(request.api_root, request.context)
    return no_content()


# -- sharing ----------------------------------------------------------------


def share_tuple(request, context, key, flags):
    kind, ident = key.split(":", 1)
    api_root = request.api_root
    if kind == "user":
        user = api_root.users.get(ident)
        if user is None:
            return None, None
        coalesced = dataset_flags(api_root, user, context)
        return request.url_of(user), {
            "name": user.name,
            "email": user.email,
            "is_owner": context.owner_id == user.__name__,
            "dataset_permissions": normalize_flags(flags),
            "coalesced_permissions": coalesced,
        }
    team = api_root.teams.get(ident)
    if team is None:
        return None, None
    return request.url_of(team), {
        "name": team.name,
        "dataset_permissions": normalize_flags(flags),
        "coalesced_permissions": normalize_flags(flags),
    }


@permissions.get(permission=Permission.VIEW)
def get_permissions(request):
    context = request.context.__parent__
    index = {}
    entries = dict(context.shares.items())
    entries.setdefault(principal("user", context.owner_id), {f: True for f in FLAGS})
    for key, flags in entries.items():
        url, entry = share_tuple(request, context, key, flags)
        if url is not None:
            index[url] = entry
    return shoji.catalog(
        request,
        request.context,
        index,
        views={"explain": request.resource_url(request.context, "explain", "")},
    )


def grant_flags(changes) -> dict:
    """The flags a validated share tuple grants (``add_users`` and
    ``change_weight`` are accepted and not kept)."""
    return {k: v for k, v in changes.get("dataset_permissions", {}).items() if k in FLAGS}


@permissions.patch(permission=Permission.SHARE)
def patch_permissions(request):
    """Grant, modify and revoke in one request, in any of the body forms."""
    context = request.context.__parent__
    notifier = Notifier.for_request(request)
    for ref, kind, target, changes, options in member_patches(request, SHARE):
        if changes is None:
            if kind == "user" and target.__name__ == context.owner_id:
                raise Invalid(ref, "The owner's access cannot be revoked.")
            unshare_dataset(context, target, kind)
            continue
        flags = grant_flags(changes)
        key = principal(kind, target.__name__)
        current = dict(context.shares.get(key, {}))
        check_ceiling(ref, target, kind, flags, current)
        share_dataset(context, target, kind, flags)
        if kind == "user" and options.get("send_notification") and not current:
            notifier.dataset_shared(
                target,
                context,
                request.identity,
                options.get("dataset_url"),
                options.get("message"),
            )
    return no_content()


@explain.get(permission=Permission.VIEW)
def get_explain(request):
    """For one user, each permission flag and the grants that give it.

    Anyone who can see the dataset may ask about themselves; asking about
    another user needs ``change_permissions``.
    """
    context = request.context.__parent__
    api_root = request.api_root
    me = request.identity
    ref = request.params.get("user")
    subject = me if ref is None else resolve_user(api_root, ref)
    if subject is None:
        raise Invalid("user", "user must be a user URL or email.")
    if (
        subject.__name__ != me.__name__
        and not dataset_flags(api_root, me, context)["change_permissions"]
    ):
        raise NotAllowed("You may only explain your own access.")
    grants = dataset_grants(api_root, subject, context)
    cap = ceiling(subject)
    value = {
        "user": request.url_of(subject),
        "permissions": dataset_flags(api_root, subject, context),
        "ceiling": cap,
        "grants": {
            flag: [
                {"source": g.source, "ref": _grant_ref(request, g)}
                for g in grants
                if g.flags.get(flag)
            ]
            for flag in FLAGS
        },
    }
    return shoji.view(request, request.url, value)


def _grant_ref(request, grant):
    """A grant's reference (``kind:id``, or ``project:id|team:id`` for a
    project reached through a team) as the URL(s) of what it names."""
    base = request.application_url + "/api/"
    parts = []
    for piece in grant.ref.split("|"):
        kind, _, ident = piece.partition(":")
        parts.append(f"{base}{kind_named(kind).container}/{ident}/")
    return parts[0] if len(parts) == 1 else parts


@dataset_users.get(permission=Permission.VIEW)
def get_dataset_users(request):
    """Every user with access and how: direct, teams, project, admin."""
    context = request.context.__parent__
    api_root = request.api_root
    candidates = {context.owner_id} | users_behind(api_root, context.shares.keys())
    if context.project_id and (project := api_root.projects.get(context.project_id)):
        for node in project_chain(api_root, project):
            candidates |= users_behind(api_root, node.members.keys())
    index = {}
    for user_id in sorted(candidates):
        user = api_root.users.get(user_id)
        if user is None or user.status == "deleted":
            continue
        grants = dataset_grants(api_root, user, context)
        coalesced = dataset_flags(api_root, user, context)
        if not coalesced["view"]:
            continue
        index[request.url_of(user)] = {
            "name": user.name,
            "email": user.email,
            "teams": sorted(
                request.application_url + f"/api/teams/{g.ref.split(':', 1)[1]}/"
                for g in grants
                if g.source == "team"
            ),
            "project_member": any(g.source == "project" for g in grants),
            "collaborator": user.account_id != context.account_id,
            "coalesced_permissions": coalesced,
        }
    return shoji.catalog(request, request.context, index)


# -- stubs clients need to open a dataset -------------------------------------


@settings.get(permission=Permission.VIEW)
def get_settings(request):
    context = request.context.__parent__
    return shoji.entity(request, request.context, {**DEFAULT_SETTINGS, **context.settings})


@settings.patch(permission=Permission.EDIT, schema=Settings())
def patch_settings(request):
    context = request.context.__parent__
    body = read_entity(request)
    check_lock(request, context)
    context.settings.update(body)
    return no_content()


@preferences.get(permission=Permission.VIEW)
def get_preferences(request):
    context = request.context.__parent__
    mine = dict(context.user_preferences.get(request.identity.__name__, {}))
    return shoji.entity(request, request.context, mine)


@preferences.patch(permission=Permission.VIEW, schema=PREFERENCES)
def patch_preferences(request):
    """Per-user key/value store; ``null`` deletes a key."""
    context = request.context.__parent__
    body = read_entity(request)
    me = request.identity.__name__
    mine = PersistentMapping(context.user_preferences.get(me, {}))
    for key, value in body.items():
        if value is None:
            mine.pop(key, None)
        else:
            mine[key] = value
    check_object_size(dict(mine), "preferences")
    context.user_preferences[me] = mine
    return no_content()


@variables.get(permission=Permission.VIEW)
def get_variables(request):
    """No variables are stored here: an honest, empty catalog."""
    return shoji.catalog(
        request, request.context, {}, orders={"hier": request.url_of(request.context)}
    )


def visible_folders(request, dataset) -> tuple:
    """Viewers see the public and personal folders; editors also the hidden
    and secure ones (as Crunch exposes them)."""
    if dataset_flags(request.api_root, request.identity, dataset)["edit"]:
        return tuple(FOLDERS)
    return ("public", "personal")


@folders.get(permission=Permission.VIEW)
def get_folders(request):
    """The folder roots, each its own document (scrunch reads their names)."""
    context = request.context
    return shoji.catalog(
        request,
        context,
        {},
        body={"name": "Root"},
        catalogs={name: context[name] for name in visible_folders(request, context.__parent__)},
        graph=[],
    )


@folder.get(permission=Permission.VIEW)
def get_folder(request):
    """One folder root: a name and no variables (none are stored here)."""
    context = request.context
    if context.__name__ not in visible_folders(request, context.__parent__.__parent__):
        raise NotAllowed("Only editors of the dataset see this folder.")
    return shoji.catalog(request, context, {}, body={"name": FOLDERS[context.__name__]}, graph=[])
