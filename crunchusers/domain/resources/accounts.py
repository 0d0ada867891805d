"""Accounts: a customer with an owner and a set of member users.

``Account.by_name`` lists the members that are not removed, sorted by
``(casefolded name, id)``, so that a page of the account's users is a slice
of it rather than a sort of every member.  It is changed only through
:meth:`Account.file_member`, which ``new_user``, profile and email changes
and removal call after they change a user.
"""

from BTrees.Length import Length

from ...authz.acl import account_acl
from ...infra.btrees import WideOOTreeSet
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

    #: ``(casefolded name, id)`` of every member not removed, and its size;
    #: None in databases older than the index (``ensure_name_index``).
    by_name = None
    listed = None

    def __init__(self, name, created=None):
        super().__init__(name, created)
        self.user_ids = WideOOTreeSet()
        self.by_name = WideOOTreeSet()
        self.listed = Length()

    def file_member(self, user):
        """Put ``user`` where its name sorts now (or take it out once it is
        removed or no longer a member)."""
        old = user.name_key
        new = name_key(user) if listed_in(user, self) else None
        if old == new:
            return
        if old is not None and old in self.by_name:
            self.by_name.remove(old)
            self.listed.change(-1)
        if new is not None and self.by_name.add(new):
            self.listed.change(1)
        user.name_key = new

    def ensure_name_index(self, users) -> bool:
        """Build ``by_name`` for an account stored before it (an upgrade
        step, ``infra.generations``); whether it had to."""
        if self.by_name is not None:
            return False
        self.by_name, self.listed = WideOOTreeSet(), Length()
        for user_id in self.user_ids:
            user = users.get(user_id)
            if user is not None:
                user.name_key = None
                self.file_member(user)
        return True

    def member_page(self, start: int, size: int | None) -> list[str]:
        """Ids of the listed members from ``start``, in name order."""
        keys = self.by_name.keys()
        chosen = keys[start:] if size is None else keys[start : start + size]
        return [user_id for _name, user_id in chosen]

    @property
    def __acl__(self):
        return account_acl(self)

    def __getitem__(self, name):
        if name in ACCOUNT_CATALOGS:
            return AccountCatalog(self, name)
        raise KeyError(name)


def name_key(user) -> tuple[str, str]:
    return (user.name.casefold(), user.__name__)


def listed_in(user, account) -> bool:
    return user.status != "deleted" and user.account_id == account.__name__


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
