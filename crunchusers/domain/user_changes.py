"""Who may change which user field, and applying the change.

One function serves the user entity PATCH/PUT and each tuple of the account
users catalog PATCH, so the rules cannot differ between the two doors:

* the user edits their own profile, username and preferences;
* admins of the user's account change status, roles and permissions of
  *other* users (nobody changes their own), their profile, and name/email
  only while the user is still ``pending``;
* the owner's roles and status are untouchable, and the owner's profile is
  theirs alone (admins may only fix name/email while the owner is pending,
  so that the invitation reaches them);
* a refused field is a 403 (or 400 for email, which has its own flow), never
  silently ignored.
"""

from persistent.mapping import PersistentMapping

from ..authz.grants import FLAGS, FULL
from ..authz.roles import DEFAULT_ROLES, ROLES, account_permissions_for, roles_for_permissions
from ..authz.rules import is_account_admin, is_account_owner, may_manage_user
from ..views.bodies import UserPatch
from ..views.schemas import validate
from .bounds import PREFERENCES_MAX_BYTES, check_object_size
from .email_address import LINKS_TO_ADDRESS
from .exceptions import Invalid, NotAllowed
from .references import id_from_url
from .resources.users import DuplicateLogin
from .sign_ins import unlocked

PROFILE_FIELDS = ("first_name", "last_name", "title", "mobile", "avatar")
#: What the user (or an admin of a non-owner) changes at any time.
OWN_FIELDS = (*PROFILE_FIELDS, "address", "preferences", "username", "manager")
PENDING_ADMIN_FIELDS = ("name", "first_name", "last_name", "email")
MANAGEMENT_FIELDS = ("status", "roles", "account_permissions", "dataset_permissions")
READ_ONLY = (
    "id",
    "created",
    "last_login",
    "email_verified",
    "is_superuser",
    "id_method",
    "id_provider",
    "display",
    "editable",
    "roles_csv",
    "second_factor",
    # sign-in records (domain.sign_ins)
    "last_login_ip",
    "failed_login_attempts",
    "last_password_update",
    "logged_in",
    "concurrent_sessions",
)


def role_ids(values, field="roles") -> tuple[str, ...]:
    """Role ids from ids or ``/api/roles/<id>/`` URLs; unknown roles are a
    400, and no role at all means the Standard role (every user has one)."""
    ids = []
    for value in values:
        role_id = id_from_url(value, "roles") if "/" in value else value
        if role_id not in ROLES:
            raise Invalid(field, f"Unknown role {value!r}.")
        ids.append(role_id)
    return tuple(dict.fromkeys(ids)) or DEFAULT_ROLES


def changes_from(body: dict, current: dict, whole: bool) -> dict:
    """The members of ``body`` that ask for a change.

    Read-only members may be sent back as they are, never changed.  For a
    PUT (``whole``) every member equal to its current value is dropped too,
    so an entity fetched, edited and PUT back only changes what was edited;
    a PATCH names what it changes, and each named member is checked.
    """
    cleaned = {}
    for key, value in body.items():
        unchanged = key in current and value == current[key]
        if key in READ_ONLY and not unchanged:
            raise Invalid(key, f"{key} is read-only.")
        if key in READ_ONLY or (whole and unchanged):
            continue
        cleaned[key] = value
    return cleaned


def is_unlock(name, changes, target) -> bool:
    """Whether this sets a locked user back to active: what an admin may do
    even for the account owner, whom failed logins can lock too."""
    return name == "status" and target.status == "locked" and changes[name] == "active"


class UserChange:
    """Apply one validated change set from ``actor`` to ``target``.

    ``actor=None`` is the operator at the command line: the same validation
    and side effects (mails, ended credentials), without the permission rules.
    """

    def __init__(self, api_root, actor, target, notifier, resolve_user=None):
        self.api_root = api_root
        self.actor = actor
        self.target = target
        self.notifier = notifier
        self.resolve_user = resolve_user
        self.account = api_root.accounts.get(target.account_id) if target.account_id else None
        self.is_self = actor is not None and actor.__name__ == target.__name__
        self.is_admin = actor is None or is_account_admin(actor, self.account)

    def apply(self, body: dict):
        changes = validate(UserPatch(), body)
        changes.pop("id", None)
        if self.actor is not None:
            self._check(changes)
        elif changes.get("status") == "deleted":
            raise Invalid("status", "Remove a user with DELETE, not by status.")
        url_base = changes.pop("url_base", None)
        resend = changes.pop("resend_email", False)
        self._apply_identity(changes)
        self._apply_profile(changes)
        self._apply_management(changes)
        if self.account is not None:
            self.account.file_member(self.target)  # its name may sort elsewhere now
        if resend:
            self._resend_invitation(url_base)

    def _refuse(self, name, why):
        raise NotAllowed(f"You may not change {name}: {why}.")

    def _check(self, changes):
        target = self.target
        if target.status == "deleted":
            self._refuse("this user", "the user was removed")
        for name in MANAGEMENT_FIELDS:
            if name in changes:
                if self.is_self:
                    self._refuse(name, "nobody changes their own status, roles or permissions")
                if not may_manage_user(self.actor, target, self.account):
                    self._refuse(name, "only account admins may")
                if is_account_owner(target, self.account) and not is_unlock(name, changes, target):
                    self._refuse(name, "the account owner keeps every permission")
        if changes.get("status") == "deleted":
            raise Invalid("status", "Remove a user with DELETE, not by status.")
        if changes.get("status") == "pending" and target.status != "pending":
            raise Invalid("status", "An activated user cannot become pending again.")
        if "email" in changes and changes["email"] != target.email:
            if self.is_self or not self.is_admin:
                raise Invalid("email", "Email changes go through the change_email flow.")
        if not self.is_self:
            for name in PENDING_ADMIN_FIELDS:
                if name in changes and target.status != "pending":
                    self._refuse(name, "it is read-only once the user is active")
            for name in OWN_FIELDS:
                if name in changes and not self.is_admin:
                    self._refuse(name, "only the user or an account admin may")
            self._check_owner_profile(changes)
        if changes.get("resend_email"):
            if not self.is_admin:
                self._refuse("resend_email", "only account admins may")
            if target.status != "pending":
                raise Invalid("resend_email", "The user is already active.")

    def _check_owner_profile(self, changes):
        """Only the owner changes the owner's profile."""
        if not is_account_owner(self.target, self.account):
            return
        pending = self.target.status == "pending"
        for name in (*OWN_FIELDS, *PENDING_ADMIN_FIELDS):
            if name in changes and not (pending and name in PENDING_ADMIN_FIELDS):
                self._refuse(name, "the account owner's profile is theirs alone")

    def _apply_identity(self, changes):
        users = self.api_root.users
        try:
            if "email" in changes and changes["email"] != self.target.email:
                users.change_email(self.target, changes.pop("email"))
                # Links mailed to the old address must not verify the new one.
                for purpose in LINKS_TO_ADDRESS:
                    self.api_root.link_tokens.revoke(self.target, purpose)
                self.target.email_verified = False
            changes.pop("email", None)
            if "username" in changes:
                users.change_username(self.target, changes.pop("username"))
        except DuplicateLogin as exc:
            raise Invalid(exc.args[0], f"That {exc.args[0]} cannot be used.") from exc

    def _apply_profile(self, changes):
        target = self.target
        if "name" in changes:
            target.display_name = changes.pop("name") or None
        for name in PROFILE_FIELDS:
            if name in changes:
                setattr(target, name, changes.pop(name))
        if "address" in changes:
            target.address = {**(target.address or {}), **changes.pop("address")}
        if "preferences" in changes:
            merged = PersistentMapping(target.preferences)
            merged.update(changes.pop("preferences"))
            check_object_size(dict(merged), "preferences", PREFERENCES_MAX_BYTES)
            target.preferences = merged
        if "manager" in changes:
            manager_url = changes.pop("manager")
            target.manager_id = self._manager_id(manager_url)

    def _manager_id(self, manager_url):
        if manager_url is None:
            return None
        manager = self.resolve_user(manager_url) if self.resolve_user else None
        if manager is None or manager.account_id != self.target.account_id:
            raise Invalid("manager", "manager must be a user of the same account.")
        return manager.__name__

    def _apply_management(self, changes):
        target = self.target
        new_roles = None
        if "roles" in changes:
            new_roles = role_ids(changes.pop("roles"))
        if "account_permissions" in changes:
            incoming = changes.pop("account_permissions")
            current = account_permissions_for(target)
            alter = incoming.get(
                "alter_users", incoming.get("admin_account", current["alter_users"])
            )
            create = incoming.get("create_datasets", current["create_datasets"])
            new_roles = roles_for_permissions({"alter_users": alter, "create_datasets": create})
        if new_roles is not None and tuple(new_roles) != tuple(target.roles):
            target.roles = tuple(new_roles)
            self.notifier.roles_changed(target, [ROLES[r].title for r in target.roles])
        if "dataset_permissions" in changes:
            ceiling = {**(target.dataset_ceiling or FULL), **changes.pop("dataset_permissions")}
            target.dataset_ceiling = {flag: bool(ceiling.get(flag)) for flag in FLAGS}
        if "status" in changes:
            new_status = changes.pop("status")
            if new_status != target.status:
                old_status, target.status = target.status, new_status
                if new_status != "active":
                    self.api_root.credentials.end_all(target)
                else:
                    unlocked(self.api_root, target)
                self.notifier.status_changed(target, old_status, new_status)

    def _resend_invitation(self, url_base):
        self.notifier.invitation(self.api_root, self.target, self.account, url_base, self.actor)
