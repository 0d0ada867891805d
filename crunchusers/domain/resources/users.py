"""Users and the ``Users`` container with its email and username indexes.

Email lookups (login, ``?email=``, uniqueness) go through ``by_email``, an
OOBTree keyed by the casefolded address; ``by_username`` does the same for
log-in names.  Both are changed only by the container's own methods so they
can never drift from the users they point at.
"""

from BTrees.OOBTree import OOTreeSet
from persistent.mapping import PersistentMapping

from ...authz.acl import user_acl
from ...authz.grants import collaborating_accounts
from ...infra.btrees import WideOOBTree
from ..kinds import kind
from .base import Container, Item

STATUSES = ("pending", "active", "locked", "inactive", "deleted")

DEFAULT_PREFERENCES = {"currency": "USD", "timezone": "UTC", "locale": "en_US"}


def normalize_email(email: str) -> str:
    return email.strip().casefold()


class DuplicateLogin(ValueError):
    """An email or username already belongs to another user."""


class Users(Container):
    def __init__(self):
        super().__init__()
        self.by_email = WideOOBTree()
        self.by_username = WideOOBTree()

    def login_taken(self, key: str) -> bool:
        """Whether a casefolded login (email or username) names someone."""
        return key in self.by_email or key in self.by_username

    def add(self, user, name=None):
        key = normalize_email(user.email)
        if self.login_taken(key):
            raise DuplicateLogin("email")
        username = user.username and user.username.casefold()
        if username and (self.login_taken(username) or username == key):
            raise DuplicateLogin("username")
        super().add(user, name)
        self.by_email[key] = user.__name__
        if username:
            self.by_username[username] = user.__name__
        return user

    def find_by_email(self, email: str):
        user_id = self.by_email.get(normalize_email(email or ""))
        return self.get(user_id) if user_id else None

    def find_by_login(self, login: str):
        """A user by email or by username, casefolded, via the indexes."""
        key = (login or "").strip().casefold()
        user_id = self.by_email.get(key) or self.by_username.get(key)
        return self.get(user_id) if user_id else None

    def change_email(self, user, new_email: str):
        new_key = normalize_email(new_email)
        old_key = normalize_email(user.email)
        if new_key != old_key:
            if self.login_taken(new_key):
                raise DuplicateLogin("email")
            del self.by_email[old_key]
            self.by_email[new_key] = user.__name__
        user.email = new_email.strip()

    def change_username(self, user, new_username: str | None):
        new_key = new_username.casefold() if new_username else None
        old_key = user.username.casefold() if user.username else None
        if new_key != old_key:
            if new_key and self.login_taken(new_key):
                raise DuplicateLogin("username")
            if old_key:
                del self.by_username[old_key]
            if new_key:
                self.by_username[new_key] = user.__name__
        user.username = new_username or None

    def release_logins(self, user):
        """Free the email and username of a tombstoned user for reuse."""
        self.by_email.pop(normalize_email(user.email or ""), None)
        if user.username:
            self.by_username.pop(user.username.casefold(), None)


@kind(name="user", container="users", container_class=Users, in_account=True)
class User(Item):
    """A person who can log in.  Profile fields have class defaults so old
    pickles gain new attributes without a migration."""

    email = None
    username = None
    first_name = ""
    last_name = ""
    title = ""
    mobile = ""
    address = None
    manager_id = None
    avatar = None
    status = "pending"
    password_hash = None
    #: Hashes of earlier passwords, newest first (the history rule); never the passwords.
    password_history = ()
    password_changed = None
    #: Set by an admin's forced reset: no sign-in until a mailed link sets a password.
    must_reset_password = False
    email_verified = False
    #: Set when the user is made with a password (nobody proved the address):
    #: until they verify it, little works (``authz.verification``).  False on
    #: the class, so users of databases from before the rule are not gated.
    must_verify_email = False
    roles = ()
    is_superuser = False
    account_id = None
    last_login = None
    id_method = "pwhash"
    id_provider = None
    oidc_subject = None  # the provider's ``sub``, recorded at the first sign-in
    display_name = None
    dataset_ceiling = None
    #: ``second_factors.SecondFactor``, made when the user first sets one.
    second_factor = None
    #: Where the account's name index has it (``Account.file_member``).
    name_key = None

    def __init__(self, email, *, name="", first_name="", last_name="", created=None):
        self.email = email.strip()
        self.first_name = first_name
        self.last_name = last_name
        self.display_name = name or None
        self.created = created
        self.preferences = PersistentMapping(DEFAULT_PREFERENCES)
        self.session_hashes = OOTreeSet()
        self.team_ids = OOTreeSet()

    @property
    def name(self) -> str:
        if self.display_name:
            return self.display_name
        full = " ".join(part for part in (self.first_name, self.last_name) if part)
        return full or (self.email or "")

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @property
    def may_sign_in(self) -> bool:
        """Whether credentials of this user work at all (sessions, API keys)."""
        return self.is_active and not self.must_reset_password

    @property
    def needs_email_verification(self) -> bool:
        return self.must_verify_email and not self.email_verified

    @property
    def __acl__(self):
        users = self.__parent__
        api_root = users.__parent__ if users is not None else None
        if api_root is None:
            return user_acl(self)
        return user_acl(self, lambda: collaborating_accounts(api_root, self))
