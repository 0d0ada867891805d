"""Mutations of teams, projects and datasets, free of HTTP.

Every relationship is stored on both sides and changed only here:

=========================  ==========================================
forward                    reverse
=========================  ==========================================
``Team.members``           ``User.team_ids``
``Project.members``        ``User.project_ids`` / ``Team.project_ids``
``Dataset.shares``         ``User.dataset_ids`` / ``Team.dataset_ids``
``Dataset.project_id``     ``Project.dataset_ids``
``Project.parent_id``      ``Project.child_project_ids``
``*.owner_id``             ``User.owned_{team,project,dataset}_ids``
``*.account_id``           ``Account.{team,project,dataset}_ids``
=========================  ==========================================
"""

from persistent.mapping import PersistentMapping

from ..authz.grants import normalize_flags
from ..authz.principals import principal
from .resources.datasets import Dataset
from .resources.projects import Project
from .resources.teams import Team

OWNED = {Team: "owned_team_ids", Project: "owned_project_ids", Dataset: "owned_dataset_ids"}
IN_ACCOUNT = {Team: "team_ids", Project: "project_ids", Dataset: "dataset_ids"}


def _attach(api_root, thing, owner, account_id=None):
    """Put ``thing`` in an account (the owner's unless given) under its owner."""
    account = api_root.accounts[account_id or owner.account_id]
    thing.account_id = account.__name__
    thing.owner_id = owner.__name__
    account.id_set(IN_ACCOUNT[type(thing)]).add(thing.__name__)
    owner.id_set(OWNED[type(thing)]).add(thing.__name__)


def set_owner(api_root, thing, new_owner):
    """Move ownership of a team, project or dataset, both sides at once."""
    old = api_root.users.get(thing.owner_id) if thing.owner_id else None
    if old is not None and thing.__name__ in old.ids(OWNED[type(thing)]):
        old.id_set(OWNED[type(thing)]).remove(thing.__name__)
    thing.owner_id = new_owner.__name__
    new_owner.id_set(OWNED[type(thing)]).add(thing.__name__)


def _detach(api_root, thing):
    account = api_root.accounts.get(thing.account_id)
    if account is not None and thing.__name__ in account.ids(IN_ACCOUNT[type(thing)]):
        account.id_set(IN_ACCOUNT[type(thing)]).remove(thing.__name__)
    owner = api_root.users.get(thing.owner_id) if thing.owner_id else None
    if owner is not None and thing.__name__ in owner.ids(OWNED[type(thing)]):
        owner.id_set(OWNED[type(thing)]).remove(thing.__name__)


def _discard(id_set_owner, name, value):
    ids = id_set_owner.ids(name)
    if value in ids:
        id_set_owner.id_set(name).remove(value)


# -- teams ------------------------------------------------------------------


def create_team(api_root, creator, name, now) -> Team:
    team = api_root.teams.add(Team(name, created=now))
    _attach(api_root, team, creator)
    set_team_member(team, creator, team_admin=True)
    return team


def set_team_member(team, user, team_admin: bool):
    team.members[user.__name__] = bool(team_admin)
    user.team_ids.add(team.__name__)


def remove_team_member(team, user):
    team.members.pop(user.__name__, None)
    _discard(user, "team_ids", team.__name__)


def delete_team(api_root, team):
    for user_id in list(team.members.keys()):
        user = api_root.users.get(user_id)
        if user is not None:
            remove_team_member(team, user)
    for dataset_id in list(team.ids("dataset_ids")):
        dataset = api_root.datasets.get(dataset_id)
        if dataset is not None:
            unshare_dataset(dataset, team, "team")
    for project_id in list(team.ids("project_ids")):
        project = api_root.projects.get(project_id)
        if project is not None:
            remove_project_member(project, team, "team")
    _detach(api_root, team)
    api_root.teams.remove(team.__name__)


# -- projects ---------------------------------------------------------------


def create_project(api_root, creator, name, now, parent=None, description="") -> Project:
    """A project owned by its creator, who is its first editor.

    A sub-project belongs to its parent's account, whoever made it, so that
    it does not escape that account's admins.  One made by a collaborator
    from another account is owned by the parent's owner: the collaborator is
    only an editor member, whom removal from the project shuts out (an owner
    keeps edit whatever the members say).
    """
    project = api_root.projects.add(Project(name, created=now))
    project.description = description
    owner, account_id = creator, creator.account_id
    if parent is not None:
        account_id = parent.account_id
        if creator.account_id != account_id:
            owner = api_root.users[parent.owner_id]
    _attach(api_root, project, owner, account_id)
    set_project_member(project, creator, "user", edit=True)
    if parent is not None:
        move_into_project(api_root, project, parent)
    return project


def set_project_member(project, member, kind: str, edit: bool):
    project.members[principal(kind, member.__name__)] = PersistentMapping({"edit": bool(edit)})
    member.id_set("project_ids").add(project.__name__)


def remove_project_member(project, member, kind: str):
    project.members.pop(principal(kind, member.__name__), None)
    _discard(member, "project_ids", project.__name__)


def is_project_empty(project) -> bool:
    return not project.ids("dataset_ids") and not project.ids("child_project_ids")


def delete_project(api_root, project):
    """Remove an empty project (callers check emptiness: 409 otherwise)."""
    for key in list(project.members.keys()):
        kind, ident = key.split(":", 1)
        member = (api_root.users if kind == "user" else api_root.teams).get(ident)
        if member is not None:
            remove_project_member(project, member, kind)
    move_into_project(api_root, project, None)
    _detach(api_root, project)
    api_root.projects.remove(project.__name__)


#: How each kind of child points at its containing project, and the
#: project's reverse set of such children.
CONTAINMENT = {Dataset: ("project_id", "dataset_ids"), Project: ("parent_id", "child_project_ids")}


def move_into_project(api_root, thing, project):
    """Make ``project`` (or None: no project) the container of a dataset or
    sub-project, updating both sides and the projects' child order."""
    pointer, children = CONTAINMENT[type(thing)]
    old_id = getattr(thing, pointer)
    old = api_root.projects.get(old_id) if old_id else None
    if old is not None:
        _discard(old, children, thing.__name__)
        old.remove_child(thing.__name__)
    setattr(thing, pointer, project.__name__ if project is not None else None)
    if project is not None:
        project.id_set(children).add(thing.__name__)
        project.append_child(thing.__name__)


def personal_project(api_root, user) -> Project:
    """The user's personal project, made on first use.

    It is in no account catalog and has no members: only its user reaches it
    (``authz.grants.project_flags``).  It lives in the user's account so the
    user's datasets may be put in it.  Two first uses at once both write the
    user, so one of them conflicts and is retried: there is only ever one.
    """
    project = api_root.projects.get(getattr(user, "personal_project_id", None) or "")
    if project is None:
        project = api_root.projects.add(Project("Personal Project", created=user.created))
        project.personal_of = project.owner_id = user.__name__
        project.account_id = user.account_id
        user.personal_project_id = project.__name__
    return project


def empty_personal_project(api_root, user, heir):
    """Move what ``user``'s personal project holds into ``heir``'s (used when
    everything ``user`` owns is handed to ``heir``)."""
    project = api_root.projects.get(getattr(user, "personal_project_id", None) or "")
    if project is None or not project.graph:
        return
    target = personal_project(api_root, heir)
    for child_id in project.graph:
        child = api_root.projects.get(child_id) or api_root.datasets.get(child_id)
        if child is not None:
            move_into_project(api_root, child, target)


# -- datasets ---------------------------------------------------------------


def create_dataset(api_root, creator, name, now, project=None, **fields) -> Dataset:
    dataset = api_root.datasets.add(Dataset(name, created=now))
    for key, value in fields.items():
        setattr(dataset, key, value)
    _attach(api_root, dataset, creator)
    if project is not None:
        move_into_project(api_root, dataset, project)
    return dataset


def share_dataset(dataset, grantee, kind: str, flags: dict):
    """Grant (or change) a share; partial flag sets merge into the existing one."""
    key = principal(kind, grantee.__name__)
    current = dict(dataset.shares.get(key, {}))
    current.update({k: bool(v) for k, v in flags.items()})
    dataset.shares[key] = PersistentMapping(normalize_flags(current))
    grantee.id_set("dataset_ids").add(dataset.__name__)


def unshare_dataset(dataset, grantee, kind: str):
    key = principal(kind, grantee.__name__)
    dataset.shares.pop(key, None)
    _discard(grantee, "dataset_ids", dataset.__name__)
    if kind == "user" and dataset.current_editor_id == grantee.__name__:
        dataset.current_editor_id = None


def delete_dataset(api_root, dataset):
    for key in list(dataset.shares.keys()):
        kind, ident = key.split(":", 1)
        grantee = (api_root.users if kind == "user" else api_root.teams).get(ident)
        if grantee is not None:
            unshare_dataset(dataset, grantee, kind)
    move_into_project(api_root, dataset, None)
    _detach(api_root, dataset)
    api_root.datasets.remove(dataset.__name__)
