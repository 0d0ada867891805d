"""Accounts: a customer with an owner and a set of member users."""

from BTrees.OOBTree import OOTreeSet

from ..acl import account_acl
from .base import Container, Item


class Account(Item):
    owner_id = None

    def __init__(self, name, created=None):
        self.name = name
        self.created = created
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


class Accounts(Container):
    pass
