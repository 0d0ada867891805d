"""Hand everything a user owns to another user of the same account (active,
or invited and not yet logged in).

Teams, projects and datasets move in one transaction: the request's.  If any
step fails the transaction aborts and nothing has moved.  The new owner also
becomes a team admin of each team and an editor of each project so that
ownership comes with the means to use it.
"""

from ..authz.rules import can_create_datasets, can_own_datasets, is_account_admin
from .collaboration import empty_personal_project, set_owner, set_project_member, set_team_member
from .exceptions import Invalid, NotAllowed
from .references import resolve_user

KINDS = (
    ("teams", "owned_team_ids"),
    ("projects", "owned_project_ids"),
    ("datasets", "owned_dataset_ids"),
)


def check_new_owner(api_root, actor, user, ref):
    """The new owner for ``user``'s things, or a 400/403 saying why not."""
    account = api_root.accounts.get(user.account_id) if user.account_id else None
    if not is_account_admin(actor, account):
        raise NotAllowed("Only an admin of the user's account may reassign their things.")
    new_owner = resolve_user(api_root, ref)
    if new_owner is None or new_owner.account_id != user.account_id:
        raise Invalid("owner", "The new owner must be a user of the same account.")
    if new_owner.__name__ == user.__name__:
        raise Invalid("owner", "The new owner must be another user.")
    if not can_create_datasets(new_owner):
        raise Invalid("owner", "The new owner needs the create_datasets permission.")
    if not can_own_datasets(new_owner):
        raise Invalid("owner", "The new owner must be an active user or an invited one.")
    return new_owner


def owned_things(api_root, user) -> dict:
    """``{"teams": [...], "projects": [...], "datasets": [...]}`` objects owned."""
    found = {}
    for kind, attr in KINDS:
        container = getattr(api_root, kind)
        found[kind] = [container[i] for i in sorted(user.ids(attr)) if i in container]
    return found


def expropriate(api_root, user, new_owner) -> dict:
    """Move every owned team, project and dataset; returns what moved.  What
    the user's personal project holds goes into the new owner's: a personal
    project is never handed over (each user has exactly one, seen by them)."""
    things = owned_things(api_root, user)
    for team in things["teams"]:
        set_owner(api_root, team, new_owner)
        set_team_member(team, new_owner, team_admin=True)
    for project in things["projects"]:
        set_owner(api_root, project, new_owner)
        set_project_member(project, new_owner, "user", edit=True)
    for dataset in things["datasets"]:
        set_owner(api_root, dataset, new_owner)
        if dataset.current_editor_id == user.__name__:
            dataset.current_editor_id = None
    empty_personal_project(api_root, user, new_owner)
    return things
