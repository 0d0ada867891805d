"""Who can reach which team, project and dataset, and with which flags.

Pure functions over the tree (no request), used by the security policy, the
catalogs and the explain view alike.  Every query starts from the *user's*
own relationships (teams, project memberships, direct shares, ownership), so
its cost grows with what that user can reach, never with the number of
datasets in the database.

Effective dataset permissions are the OR over every grant — ownership,
account-admin rights, the direct share, each team share and project
membership (direct or through a team, on the project or any ancestor) — then
capped by the user's account ceiling (reference crunch-api.md §9.3).
Unpublished datasets (drafts) are visible to their editors only.
"""

from dataclasses import dataclass, field

from ..domain.kinds import granted_to
from .principals import principal
from .rules import is_account_admin

FLAGS = ("view", "edit", "change_permissions")
FULL = dict.fromkeys(FLAGS, True)
NOTHING = dict.fromkeys(FLAGS, False)


def normalize_flags(flags) -> dict:
    """Fill implied flags: edit implies view; change_permissions implies view."""
    get = getattr(flags, "data", flags).get  # a stored PersistentMapping: its dict
    edit, change = bool(get("edit", False)), bool(get("change_permissions", False))
    return {
        "view": edit or change or bool(get("view", False)),
        "edit": edit,
        "change_permissions": change,
    }


def ceiling(user) -> dict:
    """The most a user may be granted on any dataset (account-set).

    A cap, not a grant: nothing is implied upwards, and a ceiling without
    ``view`` leaves nothing (editing what one cannot see is no permission).
    """
    if not user.dataset_ceiling:
        return dict(FULL)
    cap = {flag: bool(user.dataset_ceiling.get(flag)) for flag in FLAGS}
    return cap if cap["view"] else dict(NOTHING)


@dataclass(frozen=True)
class Grant:
    """One reason a user has access: its source, what it refers to, its flags."""

    source: str  # owner | account_admin | direct | team | project
    ref: str | None
    flags: dict = field(hash=False, compare=False)


def users_behind(api_root, keys) -> set:
    """User ids named by ``user:<id>``/``team:<id>`` keys, teams expanded."""
    found = set()
    for key in keys:
        kind, ident = key.split(":", 1)
        if kind == "user":
            found.add(ident)
        elif (team := api_root.teams.get(ident)) is not None:
            found.update(team.members.keys())
    return found


# -- teams ------------------------------------------------------------------


def account_of(api_root, thing):
    return api_root.accounts.get(thing.account_id) if thing.account_id else None


def can_view_team(api_root, user, team) -> bool:
    return team.is_member(user.__name__) or is_account_admin(user, account_of(api_root, team))


def can_manage_team(api_root, user, team) -> bool:
    return team.is_team_admin(user.__name__) or is_account_admin(user, account_of(api_root, team))


# -- projects ---------------------------------------------------------------


def project_chain(api_root, project):
    """The project and its ancestors, nearest first."""
    seen = set()
    while project is not None and project.__name__ not in seen:
        seen.add(project.__name__)
        yield project
        project = api_root.projects.get(project.parent_id) if project.parent_id else None


def project_membership(api_root, user, project) -> list[Grant]:
    """Grants a project (or an ancestor) gives the user, directly or via teams."""
    grants = []
    keys = [(principal("user", user.__name__), None)]
    keys += [(principal("team", t), t) for t in user.team_ids]
    for node in project_chain(api_root, project):
        for key, team_id in keys:
            perms = node.members.get(key)
            if perms is not None:
                ref = f"project:{node.__name__}" + (f"|team:{team_id}" if team_id else "")
                grants.append(Grant("project", ref, {"view": True, "edit": bool(perms["edit"])}))
        if node.owner_id == user.__name__:
            grants.append(Grant("owner", f"project:{node.__name__}", {"view": True, "edit": True}))
    return grants


def project_flags(api_root, user, project) -> dict:
    """A personal project is its user's alone (not even admins see it)."""
    if project.personal_of is not None:
        mine = project.personal_of == user.__name__
        return {"view": mine, "edit": mine}
    if user.is_superuser or is_account_admin(user, account_of(api_root, project)):
        return {"view": True, "edit": True}
    grants = project_membership(api_root, user, project)
    return {
        "view": any(g.flags["view"] for g in grants),
        "edit": any(g.flags["edit"] for g in grants),
    }


def reachable_projects(api_root, user, *, personal=False) -> list:
    """Projects the user is a member of (directly, via a team, or as owner)
    plus all their descendants; with ``personal`` also the user's personal
    project and what it holds."""
    roots = set(user.ids("project_ids")) | set(user.ids("owned_project_ids"))
    if personal and getattr(user, "personal_project_id", None):
        roots.add(user.personal_project_id)
    for team_id in user.team_ids:
        team = api_root.teams.get(team_id)
        if team is not None:
            roots |= set(team.ids("project_ids"))
    found, stack = {}, list(roots)
    while stack:
        project = api_root.projects.get(stack.pop())
        if project is None or project.__name__ in found:
            continue
        found[project.__name__] = project
        stack.extend(project.ids("child_project_ids"))
    return list(found.values())


# -- datasets ---------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """What every dataset check needs of one user, derived once for a whole
    catalog rather than once per dataset: the user's and their teams' share
    keys, whether they administer their own account (the only one an admin
    grant can come from), and their ceiling."""

    user_key: str
    team_keys: tuple[str, ...]
    own_account_admin: bool
    cap: dict


def reach_of(api_root, user) -> Reach:
    own = api_root.accounts.get(user.account_id) if user.account_id else None
    return Reach(
        user_key=principal("user", user.__name__),
        team_keys=tuple(principal("team", team_id) for team_id in user.team_ids),
        own_account_admin=own is not None and is_account_admin(user, own),
        cap=dict(FULL) if user.is_superuser else ceiling(user),
    )


def dataset_grants(api_root, user, dataset, reach: Reach | None = None) -> list[Grant]:
    """Every grant giving ``user`` access to ``dataset``, before the cap."""
    reach = reach or reach_of(api_root, user)
    grants = []
    if dataset.owner_id == user.__name__:
        grants.append(Grant("owner", reach.user_key, dict(FULL)))
    if user.is_superuser or (reach.own_account_admin and dataset.account_id == user.account_id):
        grants.append(Grant("account_admin", f"account:{dataset.account_id}", dict(FULL)))
    shares = dataset.shares
    direct = shares.get(reach.user_key)
    if direct is not None:
        grants.append(Grant("direct", reach.user_key, normalize_flags(direct)))
    for team_key in reach.team_keys:
        shared = shares.get(team_key)
        if shared is not None:
            grants.append(Grant("team", team_key, normalize_flags(shared)))
    if dataset.project_id:
        project = api_root.projects.get(dataset.project_id)
        if project is not None:
            for grant in project_membership(api_root, user, project):
                edit = grant.flags["edit"]
                flags = {"view": True, "edit": edit, "change_permissions": edit}
                grants.append(Grant("project", grant.ref, flags))
    return grants


def coalesce(grants, cap) -> dict:
    """OR over the grants, then AND with the ceiling."""
    merged = dict(NOTHING)
    for grant in grants:
        for flag in FLAGS:
            merged[flag] = merged[flag] or bool(grant.flags.get(flag))
    return {flag: merged[flag] and cap[flag] for flag in FLAGS}


def dataset_flags(api_root, user, dataset, reach: Reach | None = None) -> dict:
    """The user's final flags; a draft (``is_published`` false) exists only
    for its editors (reference §9.3).  Pass ``reach_of(api_root, user)`` when
    checking many datasets for one user."""
    reach = reach or reach_of(api_root, user)
    merged = _merged_flags(api_root, user, dataset, reach)
    cap = reach.cap
    flags = {flag: merged[flag] and cap[flag] for flag in FLAGS}
    if not dataset.is_published and not flags["edit"]:
        return dict(NOTHING)
    return flags


def _merged_flags(api_root, user, dataset, reach: Reach) -> dict:
    """The OR over :func:`dataset_grants` without building the grants (a
    catalog asks for every dataset it lists); ``test_grants`` compares the two."""
    if dataset.owner_id == user.__name__ or user.is_superuser:
        return FULL
    if reach.own_account_admin and dataset.account_id == user.account_id:
        return FULL
    view = edit = change = False
    shares = dataset.shares
    for key in (reach.user_key, *reach.team_keys):
        shared = shares.get(key)
        if shared is not None:
            flags = normalize_flags(shared)
            view, edit = view or flags["view"], edit or flags["edit"]
            change = change or flags["change_permissions"]
    if dataset.project_id:
        project = api_root.projects.get(dataset.project_id)
        if project is not None:
            for grant in project_membership(api_root, user, project):
                view, edit = True, edit or grant.flags["edit"]
                change = change or grant.flags["edit"]
    return {"view": view, "edit": edit, "change_permissions": change}


def candidate_dataset_ids(api_root, user) -> set:
    """Ids of datasets the user may reach, from the user's own relationships."""
    ids = set(user.ids("dataset_ids")) | set(user.ids("owned_dataset_ids"))
    for team_id in user.team_ids:
        team = api_root.teams.get(team_id)
        if team is not None:
            ids |= set(team.ids("dataset_ids"))
    for project in reachable_projects(api_root, user, personal=True):
        ids |= set(project.ids("dataset_ids"))
    account = api_root.accounts.get(user.account_id) if user.account_id else None
    if account is not None and is_account_admin(user, account):
        ids |= set(account.ids("dataset_ids"))
    return ids


def visible_datasets(api_root, user):
    """``(dataset, permissions)`` for every dataset the user can view."""
    result = []
    reach = reach_of(api_root, user)
    for dataset_id in sorted(candidate_dataset_ids(api_root, user)):
        dataset = api_root.datasets.get(dataset_id)
        if dataset is None:
            continue
        perms = dataset_flags(api_root, user, dataset, reach)
        if perms["view"]:
            result.append((dataset, perms))
    return result


def access_type(grants) -> dict:
    """How a user reaches a dataset, in the shape of ``visible_datasets``."""
    teams = sorted({g.ref.split(":", 1)[1] for g in grants if g.source == "team"})
    projects = [g.ref.split("|")[0].split(":", 1)[1] for g in grants if g.source == "project"]
    return {
        "teams": teams,
        "project": projects[0] if projects else None,
        "direct": any(g.source == "direct" for g in grants),
    }


def collaborating_accounts(api_root, user) -> set:
    """Accounts (other than the user's own) whose teams, projects or datasets
    the user has been given access to, directly or through a team — found
    from the grantees' id-sets of every grantable kind (``domain.kinds``)."""
    grantees = [("user", user)]
    grantees += [("team", t) for t in map(api_root.teams.get, user.team_ids) if t is not None]
    found = set()
    for grantee_kind, grantee in grantees:
        for spec in granted_to(grantee_kind):
            container = spec.container_of(api_root)
            for ident in grantee.ids(spec.ids):
                thing = container.get(ident)
                if thing is not None and thing.account_id:
                    found.add(thing.account_id)
    found.discard(user.account_id)
    return found
