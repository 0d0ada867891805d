"""Mutations that span containers, free of HTTP.

Relationships are stored on both sides (``Account.user_ids`` and
``User.account_id``; later teams and datasets) and change together only here,
so the forward and reverse sets cannot disagree.
"""

from persistent.mapping import PersistentMapping

from ..authz.roles import DEFAULT_ROLES
from .collaboration import remove_project_member, remove_team_member, unshare_dataset
from .resources.accounts import Account
from .resources.users import DEFAULT_PREFERENCES, User


def new_user(
    api_root,
    account,
    *,
    email,
    now,
    name="",
    first_name="",
    last_name="",
    username=None,
    roles=DEFAULT_ROLES,
    password_hash=None,
) -> User:
    """Create a user in ``account``; pending unless a password is given.

    Raises ``DuplicateLogin`` when the email or username is taken.
    """
    user = User(email, name=name, first_name=first_name, last_name=last_name, created=now)
    user.username = username or None
    user.roles = tuple(roles)
    if password_hash:
        user.password_hash = password_hash
        user.status = "active"
    api_root.users.add(user)
    user.account_id = account.__name__
    account.user_ids.add(user.__name__)
    return user


def create_account(api_root, *, name, owner_email, now, owner_name="", password_hash=None):
    """A new account and its owner (an administrator), in one step."""
    account = api_root.accounts.add(Account(name, created=now))
    owner = new_user(
        api_root,
        account,
        email=owner_email,
        name=owner_name,
        now=now,
        roles=("administrator",),
        password_hash=password_hash,
    )
    account.owner_id = owner.__name__
    return account, owner


def tombstone_name(user) -> str:
    """The name a removed user keeps: never its email address."""
    if user.display_name or user.first_name or user.last_name:
        return user.name
    return "Removed user"


def remove_user(api_root, user):
    """Tombstone a user: keep the record (status ``deleted``) with only what
    attribution needs — id and name — and everything it created; drop login,
    email, personal data, memberships and shares, free the email for reuse."""
    for team_id in list(user.team_ids):
        remove_team_member(api_root.teams[team_id], user)
    for project_id in list(user.ids("project_ids")):
        remove_project_member(api_root.projects[project_id], user, "user")
    for dataset_id in list(user.ids("dataset_ids")):
        unshare_dataset(api_root.datasets[dataset_id], user, "user")
    api_root.sessions.end_all(user)
    for purpose in ("invite", "password_reset"):
        api_root.link_tokens.revoke(user, purpose)
    api_root.users.release_logins(user)
    user.display_name = tombstone_name(user)
    user.email = None
    user.first_name = user.last_name = ""
    user.status = "deleted"
    user.password_hash = None
    user.password_history = ()
    user.preferences = PersistentMapping(DEFAULT_PREFERENCES)
    for field in ("title", "mobile"):
        setattr(user, field, "")
    user.address = None
    user.avatar = None
    user.manager_id = None
    user.username = None
    account = api_root.accounts.get(user.account_id) if user.account_id else None
    for colleague_id in account.user_ids if account is not None else ():
        colleague = api_root.users.get(colleague_id)
        if colleague is not None and colleague.manager_id == user.__name__:
            colleague.manager_id = None
