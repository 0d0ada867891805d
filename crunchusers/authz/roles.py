"""Built-in account roles and how they map to account permissions.

A user's ``roles`` are the stored truth; ``account_permissions`` are derived
from them, and writing permissions picks the matching role, so the two can
never disagree.  ``alter_users`` is emitted also under its newer name
``admin_account`` and either is accepted on input.
"""

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Role:
    id: str
    title: str
    description: str
    alter_users: bool
    create_datasets: bool


ROLES = {
    role.id: role
    for role in (
        Role(
            "administrator",
            "Administrator",
            "Manages the account's users and sees all of its teams, projects and datasets.",
            alter_users=True,
            create_datasets=True,
        ),
        Role(
            "editor",
            "Editor",
            "Creates and owns datasets; sees only what is shared with them otherwise.",
            alter_users=False,
            create_datasets=True,
        ),
        Role(
            "standard",
            "Standard",
            "No account permission: sees nothing but what is explicitly shared.",
            alter_users=False,
            create_datasets=False,
        ),
    )
}

DEFAULT_ROLES = ("standard",)


def account_permissions_for(user) -> dict[str, bool]:
    """A fresh dict (callers may keep or change it) of what the roles grant."""
    return dict(_permissions_of(tuple(user.roles)))


@lru_cache(maxsize=64)
def _permissions_of(role_ids: tuple[str, ...]) -> dict[str, bool]:
    """Derived once per combination of roles: every permission check and
    every account users tuple asks."""
    roles = [ROLES[r] for r in role_ids if r in ROLES]
    alter = any(r.alter_users for r in roles)
    return {
        "alter_users": alter,
        "admin_account": alter,
        "create_datasets": any(r.create_datasets for r in roles),
    }


def roles_for_permissions(permissions: dict) -> tuple[str, ...]:
    """The single built-in role granting exactly the requested permissions."""
    alter = bool(permissions.get("alter_users") or permissions.get("admin_account"))
    if alter:
        return ("administrator",)
    if permissions.get("create_datasets"):
        return ("editor",)
    return ("standard",)
