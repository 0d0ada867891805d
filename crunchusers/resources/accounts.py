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


class Accounts(Container):
    pass
