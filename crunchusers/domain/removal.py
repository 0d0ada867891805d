"""Removing a user from an account: who may, and what is left.

Both doors — ``DELETE /api/users/{id}/`` and a ``null`` tuple in the
account users catalog PATCH — call :func:`remove_from_account`, so the rule
cannot differ between them.  Removal keeps a tombstone (:func:`remove_user`)
so that what the user made still says who made it.
"""

from persistent.mapping import PersistentMapping

from ..authz.rules import is_account_admin, is_account_owner
from .collaboration import revoke_all_held
from .exceptions import Invalid, NotAllowed
from .resources.users import DEFAULT_PREFERENCES


def remove_from_account(api_root, actor, account, target):
    """Tombstone ``target`` for ``actor``: an admin of the account, removing
    someone else than the owner or themselves."""
    if target.status == "deleted":
        raise Invalid(None, "The user was already removed.")
    if is_account_owner(target, account):
        raise NotAllowed("The account owner cannot be removed.")
    if target.__name__ == actor.__name__:
        raise NotAllowed("You cannot remove yourself.")
    if not is_account_admin(actor, account):
        raise NotAllowed("Only account admins may remove users.")
    remove_user(api_root, target)


def tombstone_name(user) -> str:
    """The name a removed user keeps: never its email address."""
    if user.display_name or user.first_name or user.last_name:
        return user.name
    return "Removed user"


def remove_user(api_root, user):
    """Tombstone a user: keep the record (status ``deleted``) with only what
    attribution needs — id and name — and everything it created; drop login,
    email, personal data, memberships and shares, free the email for reuse."""
    revoke_all_held(api_root, user, "user")
    api_root.credentials.end_all(user)
    api_root.sign_ins.forget(user)  # login history, activity, counters
    api_root.link_tokens.revoke_all(user)
    api_root.users.release_logins(user)
    user.display_name = tombstone_name(user)
    user.email = None
    user.first_name = user.last_name = ""
    user.status = "deleted"
    user.password_hash = None
    user.password_history = ()
    user.second_factor = None
    user.preferences = PersistentMapping(DEFAULT_PREFERENCES)
    for field in ("title", "mobile"):
        setattr(user, field, "")
    user.address = None
    user.avatar = None
    user.manager_id = None
    user.username = None
    account = api_root.accounts.get(user.account_id) if user.account_id else None
    if account is not None:
        account.file_member(user)  # no longer listed
    for colleague_id in account.user_ids if account is not None else ():
        colleague = api_root.users.get(colleague_id)
        if colleague is not None and colleague.manager_id == user.__name__:
            colleague.manager_id = None
