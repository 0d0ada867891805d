"""Accounts: a customer with an owner and a set of member users."""

from BTrees.OOBTree import OOTreeSet

from ...authz.acl import account_acl
from ..kinds import kind
from .base import Container, Item, SubCatalog


class Accounts(Container):
    pass


@kind(name="account", container="accounts", container_class=Accounts)
class Account(Item):
    """A customer.  Its owner (``owner_id``) is a role, not a possession: no
    user keeps a set of owned accounts, and expropriation leaves it alone."""

    owner_id = None
    #: What the account's admins chose of the password policy
    #: (``domain.password_policy``), a plain dict; None: the defaults.
    password_policy = None
    #: Every user must give a second factor (by mail unless they have TOTP).
    mfa_required = False
    #: How long its users' login sessions live (``domain.session_lifetime``);
    #: None: the server's default.
    session_lifetime_seconds = None
    #: Consecutive failed logins that lock a user (``domain.sign_ins``); None: 5.
    lockout_threshold = None

    def __init__(self, name, created=None):
        super().__init__(name, created)
        self.user_ids = OOTreeSet()

    @property
    def __acl__(self):
        return account_acl(self)

    def __getitem__(self, name):
        if name in ACCOUNT_CATALOGS:
            return AccountCatalog(self, name)
        raise KeyError(name)


#: Derived catalogs under an account; their contents are computed per request.
ACCOUNT_CATALOGS = ("users", "teams", "projects", "datasets", "collaborators")


class AccountCatalog:
    """A transient, located view of one of an account's collections."""

    def __init__(self, account, name):
        self.__parent__ = account
        self.__name__ = name

    @property
    def account(self):
        return self.__parent__

    def __getitem__(self, name):
        if self.__name__ == "users" and name in self.account.user_ids:
            return AccountMember(self, name)
        raise KeyError(name)


class AccountMember:
    """``/accounts/{id}/users/{user_id}/``: a user seen from its account."""

    def __init__(self, catalog, user_id):
        self.__parent__ = catalog
        self.__name__ = user_id

    def __getitem__(self, name):
        if name == "datasets":
            return SubCatalog(self, name)
        raise KeyError(name)
