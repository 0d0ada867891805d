"""Test data made directly in the database, returned as ids/URLs/headers.

Objects from a closed ZODB connection must not be reused, so nothing here
returns a persistent object.  Logging in goes through the real HTTP login.
"""

import itertools

import transaction

from crunchusers.domain.users import create_account, new_user
from crunchusers.infra.clock import get_clock
from crunchusers.infra.passwords import hash_password
from crunchusers.infra.storage import ROOT_KEY, get_db

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


class Factory:
    def __init__(self, app, testapp):
        self.app = app
        self.testapp = testapp
        self.registry = app.registry

    def write(self, change):
        """Run ``change(api_root)`` in its own committed transaction."""
        manager = transaction.TransactionManager(explicit=True)
        conn = get_db(self.registry).open(transaction_manager=manager)
        try:
            with manager:
                return change(conn.root()[ROOT_KEY])
        finally:
            conn.close()

    read = write

    def now(self):
        return get_clock(self.registry).now()

    def account(self, name=None, owner_email=None, password=PASSWORD):
        """Create an account with an active owner; returns ``(account_id, owner_id)``."""
        n = next(_counter)
        pw_hash = hash_password(self.registry, password)

        def change(root):
            account, owner = create_account(
                root,
                name=name or f"Account {n}",
                owner_email=owner_email or f"owner{n}@example.com",
                owner_name=f"Owner {n}",
                now=self.now(),
                password_hash=pw_hash,
            )
            return account.__name__, owner.__name__

        return self.write(change)

    def user(
        self,
        account_id,
        email=None,
        roles=("standard",),
        password=PASSWORD,
        status="active",
        **fields,
    ):
        """Create a user in an account; returns its id."""
        n = next(_counter)
        pw_hash = hash_password(self.registry, password) if password else None

        def change(root):
            user = new_user(
                root,
                root.accounts[account_id],
                email=email or f"user{n}@example.com",
                now=self.now(),
                roles=roles,
                password_hash=pw_hash,
                **fields,
            )
            user.status = status
            return user.__name__

        return self.write(change)

    def email_of(self, user_id):
        return self.read(lambda root: root.users[user_id].email)

    def login(self, email_or_id, password=PASSWORD) -> dict:
        """Bearer headers from a real token login."""
        email = email_or_id if "@" in email_or_id else self.email_of(email_or_id)
        res = self.testapp.post_json(
            "/api/public/login/",
            {"email": email, "password": password, "token": True},
            status=200,
        )
        return {"Authorization": f"Bearer {res.json['access_token']}"}

    def user_url(self, user_id):
        return f"http://localhost/api/users/{user_id}/"

    def account_url(self, account_id):
        return f"http://localhost/api/accounts/{account_id}/"


class Cast:
    """The named users of a test scenario: ``id``, ``url``, ``email`` and
    ``h`` (Bearer headers, one real login per user, cached).

    A test module's fixture picks the users and roles, then returns
    ``Cast(factory, {"alice": id, ...}, account_id=...)`` or an instance of a
    subclass that adds scenario helpers.  A subclass that names users some
    other way overrides ``user_id``."""

    def __init__(self, factory, ids, **attrs):
        self.factory = factory
        self.ids = ids
        self._logins = {}
        for key, value in attrs.items():
            setattr(self, key, value)

    def user_id(self, name):
        return self.ids[name]

    def id(self, name):
        return self.user_id(name)

    def url(self, name):
        return self.factory.user_url(self.user_id(name))

    def email(self, name):
        return self.factory.email_of(self.user_id(name))

    def h(self, name):
        user_id = self.user_id(name)
        if user_id not in self._logins:
            self._logins[user_id] = self.factory.login(user_id)
        return self._logins[user_id]


def acme_and_other(factory, outsider_roles=("standard",)):
    """The users most collaboration tests share: in account ``Acme`` its
    ``owner`` (an admin), ``alice`` and ``dave`` (editor role, they may create
    datasets), ``bob`` and ``carol`` (standard); in account ``Other``
    ``outsider`` (``outsider_roles``) and its owner ``other_owner``.

    Returns ``(ids, acme_account_id, other_account_id)`` for a ``Cast``."""
    account, owner = factory.account(name="Acme")
    other_account, other_owner = factory.account(name="Other")
    ids = {
        "owner": owner,
        "alice": factory.user(account, roles=("editor",)),
        "dave": factory.user(account, roles=("editor",)),
        "bob": factory.user(account),
        "carol": factory.user(account),
        "outsider": factory.user(other_account, roles=outsider_roles),
        "other_owner": other_owner,
    }
    return ids, account, other_account
