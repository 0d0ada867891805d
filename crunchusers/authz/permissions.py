"""The one documented list of permissions."""

from enum import StrEnum


class Permission(StrEnum):
    """Every permission a view may require; ACLs (:mod:`.acl`) grant them.

    ``VIEW`` read; ``EDIT`` change; ``ADMIN`` manage an account's users;
    ``CREATE_ACCOUNT`` superusers only; ``CREATE_DATASET`` users whose role
    allows it; ``SHARE`` change who may use a dataset; ``DELETE`` remove.
    """

    VIEW = "view"
    EDIT = "edit"
    ADMIN = "admin"  # manage an account's users
    CREATE_ACCOUNT = "create_account"
    CREATE_DATASET = "create_dataset"
    SHARE = "change_permissions"
    DELETE = "delete"
