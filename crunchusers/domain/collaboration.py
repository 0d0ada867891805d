"""What users share: teams, projects and datasets — making them, granting
and revoking access to them, placing them in projects and deleting them.
(People — accounts and their users — are :mod:`.users`.)

Every relationship is stored on both sides and changed only here, by
generic functions that read each kind's declaration (:mod:`.kinds`):

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

The named operations below (``create_team``, ``share_dataset`` …) are the
generic ones with each kind's own rules on top.
"""

from persistent.mapping import PersistentMapping

from ..authz.grants import normalize_flags
from ..authz.principals import principal
from .kinds import granted_to, kind_named, kind_of, placement_of
from .resources.datasets import Dataset
from .resources.projects import Project
from .resources.teams import Team


def discard(holder, name, value):
    """Remove ``value`` from ``holder``'s id-set ``name`` if it is there."""
    if value in holder.ids(name):
        holder.id_set(name).remove(value)


def attach(api_root, thing, owner, account_id=None):
    """Put ``thing`` in an account (the owner's unless given) under its owner."""
    spec = kind_of(thing)
    account = api_root.accounts[account_id or owner.account_id]
    thing.account_id = account.__name__
    thing.owner_id = owner.__name__
    account.id_set(spec.ids).add(thing.__name__)
    owner.id_set(spec.owned_ids).add(thing.__name__)


def detach(api_root, thing):
    """Take ``thing`` out of its account and its owner's possessions."""
    spec = kind_of(thing)
    account = api_root.accounts.get(thing.account_id)
    if account is not None:
        discard(account, spec.ids, thing.__name__)
    owner = api_root.users.get(thing.owner_id) if thing.owner_id else None
    if owner is not None:
        discard(owner, spec.owned_ids, thing.__name__)


def make(api_root, cls, name, now, maker, *, owner=None, account_id=None, within=None, **fields):
    """A new thing of kind ``cls``: in the account (the owner's unless given),
    owned by ``owner`` (the maker unless given), with the kind's maker grant
    for the maker, and inside ``within`` if given."""
    spec = kind_of(cls)
    thing = spec.container_of(api_root).add(cls(name, created=now))
    for key, value in fields.items():
        setattr(thing, key, value)
    attach(api_root, thing, owner or maker, account_id)
    if spec.grantable is not None and spec.grantable.maker_grant is not None:
        grant(thing, maker, "user", spec.grantable.maker_grant)
    if within is not None:
        move_into_project(api_root, thing, within)
    return thing


def grant(thing, grantee, grantee_kind: str, value):
    """Store a grant on ``thing`` and its reverse on the grantee (a dict is
    stored as a PersistentMapping)."""
    spec = kind_of(thing)
    if isinstance(value, dict):
        value = PersistentMapping(value)
    getattr(thing, spec.grantable.on)[spec.grantable.key(grantee_kind, grantee.__name__)] = value
    grantee.id_set(spec.ids).add(thing.__name__)


def revoke(thing, grantee, grantee_kind: str):
    """Drop a grant on ``thing``, both sides; the thing may react
    (``Item.grant_revoked``: a dataset releases its edit lock)."""
    spec = kind_of(thing)
    getattr(thing, spec.grantable.on).pop(spec.grantable.key(grantee_kind, grantee.__name__), None)
    discard(grantee, spec.ids, thing.__name__)
    thing.grant_revoked(grantee_kind, grantee.__name__)


def revoke_all_held(api_root, grantee, grantee_kind: str):
    """Drop every grant held by a user or a team, on every kind."""
    for spec in granted_to(grantee_kind):
        container = spec.container_of(api_root)
        for ident in list(grantee.ids(spec.ids)):
            thing = container.get(ident)
            if thing is not None:
                revoke(thing, grantee, grantee_kind)


def delete(api_root, thing):
    """Remove a team, project or dataset: the grants on it and those it
    holds, its place in a project, its account and owner, then itself.
    (Callers check that a project is empty first: 409 otherwise.)"""
    spec = kind_of(thing)
    grants = spec.grantable
    for key in list(getattr(thing, grants.on).keys()) if grants is not None else ():
        grantee_kind, ident = grants.parse(key)
        grantee = kind_named(grantee_kind).container_of(api_root).get(ident)
        if grantee is not None:
            revoke(thing, grantee, grantee_kind)
    revoke_all_held(api_root, thing, spec.name)
    if placement_of(spec) is not None:
        move_into_project(api_root, thing, None)
    detach(api_root, thing)
    spec.container_of(api_root).remove(thing.__name__)


#: Each kind is deleted alike; the names say what the views delete.
delete_team = delete_project = delete_dataset = delete


# -- teams ------------------------------------------------------------------


def create_team(api_root, creator, name, now) -> Team:
    """A team of the creator's account; the creator is its first team admin."""
    return make(api_root, Team, name, now, creator)


def set_team_member(team, user, team_admin: bool):
    grant(team, user, "user", bool(team_admin))


def remove_team_member(team, user):
    revoke(team, user, "user")


# -- projects ---------------------------------------------------------------


def create_project(api_root, creator, name, now, parent=None, description="") -> Project:
    """A project owned by its creator, who is its first editor.

    A sub-project belongs to its parent's account, whoever made it, so that
    it does not escape that account's admins.  One made by a collaborator
    from another account is owned by the parent's owner: the collaborator is
    only an editor member, whom removal from the project shuts out (an owner
    keeps edit whatever the members say).
    """
    owner, account_id = creator, creator.account_id
    if parent is not None:
        account_id = parent.account_id
        if creator.account_id != account_id:
            owner = api_root.users[parent.owner_id]
    return make(
        api_root,
        Project,
        name,
        now,
        creator,
        owner=owner,
        account_id=account_id,
        within=parent,
        description=description,
    )


def set_project_member(project, member, kind: str, edit: bool):
    grant(project, member, kind, {"edit": bool(edit)})


remove_project_member = revoke


def is_project_empty(project) -> bool:
    return not any(project.ids(p.children) for p in kind_of(project).contains.values())


def move_into_project(api_root, thing, project):
    """Make ``project`` (or None: no project) the container of a dataset or
    sub-project, updating both sides and the projects' child order."""
    holder_kind, placement = placement_of(kind_of(thing))
    old_id = getattr(thing, placement.pointer)
    old = holder_kind.container_of(api_root).get(old_id) if old_id else None
    if old is not None:
        discard(old, placement.children, thing.__name__)
        old.remove_child(thing.__name__)
    setattr(thing, placement.pointer, project.__name__ if project is not None else None)
    if project is not None:
        project.id_set(placement.children).add(thing.__name__)
        project.append_child(thing.__name__)


def child_of(api_root, project, child_id):
    """The dataset or sub-project ``child_id`` names in a project, or None."""
    for name in kind_of(project).contains:
        child = kind_named(name).container_of(api_root).get(child_id)
        if child is not None:
            return child
    return None


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
        child = child_of(api_root, project, child_id)
        if child is not None:
            move_into_project(api_root, child, target)


# -- datasets ---------------------------------------------------------------


def create_dataset(api_root, creator, name, now, project=None, **fields) -> Dataset:
    return make(api_root, Dataset, name, now, creator, within=project, **fields)


def share_dataset(dataset, grantee, kind: str, flags: dict):
    """Grant (or change) a share; partial flag sets merge into the existing one."""
    current = dict(dataset.shares.get(principal(kind, grantee.__name__), {}))
    current.update({k: bool(v) for k, v in flags.items()})
    grant(dataset, grantee, kind, normalize_flags(current))


unshare_dataset = revoke
