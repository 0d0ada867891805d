"""Pure permission predicates over resources: no request, no HTTP.

The ACLs in ``authz.acl`` and the checks in ``domain.user_changes`` both ask these,
so a rule is written once and unit-testable with a plain tree.
"""

from .roles import account_permissions_for


def is_account_owner(user, account) -> bool:
    return account is not None and account.owner_id == user.__name__


def is_account_admin(user, account) -> bool:
    """The owner always is; otherwise an active member with ``alter_users``."""
    if user.is_superuser:
        return True
    if account is None or user.account_id != account.__name__:
        return False
    if is_account_owner(user, account):
        return True
    return user.status == "active" and account_permissions_for(user)["alter_users"]


def can_create_datasets(user) -> bool:
    return user.is_superuser or account_permissions_for(user)["create_datasets"]


def may_manage_user(actor, target, account) -> bool:
    """Admins of the target's account manage its users, never themselves."""
    return actor.__name__ != target.__name__ and is_account_admin(actor, account)


def may_edit_profile(actor, target, account) -> bool:
    """The user, or an admin of their account — except that the account
    owner's profile is theirs alone; nobody edits a removed user."""
    if target.status == "deleted":
        return False
    if actor.__name__ == target.__name__:
        return True
    return is_account_admin(actor, account) and not is_account_owner(target, account)


def can_own_datasets(user) -> bool:
    """Who may be handed datasets: a user who may create them, active or
    invited and not yet logged in (an admin hands datasets to an invited
    editor before their first log-in); never a locked, inactive or removed one."""
    return user.status in ("active", "pending") and can_create_datasets(user)


def may_expire_sessions(actor, target, account) -> bool:
    """The user themself, or whoever may force a reset of their password."""
    return actor.__name__ == target.__name__ or may_force_password_reset(actor, target, account)


def may_see_second_factor(actor, target, account) -> bool:
    """The user and the admins of their account (the superuser included)."""
    return actor.__name__ == target.__name__ or is_account_admin(actor, account)


def may_reset_second_factor(actor, target, account) -> bool:
    """As for ending sessions: the user, or whoever may force a reset of
    their password — so the owner's is the owner's alone (and the
    superuser's, the operator who helps an owner who lost every factor)."""
    return may_expire_sessions(actor, target, account)


def may_force_password_reset(actor, target, account) -> bool:
    """Admins of the target's account, never on themselves; the owner's
    password is the owner's alone (only the superuser may force it)."""
    if not may_manage_user(actor, target, account):
        return False
    return actor.is_superuser or not is_account_owner(target, account)


def may_read_sign_ins(viewer, user, account) -> bool:
    """A user's login history: the user and the admins of their account."""
    return viewer.__name__ == user.__name__ or is_account_admin(viewer, account)


def may_read_activity(viewer, account) -> bool:
    """A user's tracked requests: the admins of their account."""
    return is_account_admin(viewer, account)
