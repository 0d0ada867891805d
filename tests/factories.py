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
SUPERUSER_EMAIL = "root@example.com"
SUPERUSER_PASSWORD = "root-password-1"
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
        """Create an account with an active owner, whose email is verified;
        returns ``(account_id, owner_id)``."""
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
            owner.email_verified = True
            return account.__name__, owner.__name__

        return self.write(change)

    def user(
        self,
        account_id,
        email=None,
        roles=("standard",),
        password=PASSWORD,
        status="active",
        email_verified=True,
        **fields,
    ):
        """Create a user in an account; returns its id.  Made with a password,
        the user must verify the address (``must_verify_email``), so it is
        marked verified unless ``email_verified=False``."""
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
            root.accounts[account_id].file_member(user)
            user.email_verified = email_verified
            return user.__name__

        return self.write(change)

    def user_count(self, account_id):
        return self.read(lambda root: len(root.accounts[account_id].user_ids))

    def account_count(self):
        return self.read(lambda root: len(root.accounts))

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


class Scene:
    """The named users of a test scenario, and what tests do as them.

    ``Scene(factory)`` creates account ``Acme`` whose owner is named
    ``owner``; ``scene.add("alice", roles=("editor",))`` adds a user to it
    (or to ``account_id=...``); ``scene.add_account("Other", owner="oscar")``
    adds an account.  Then, by name:

    * ``scene.alice`` (or ``scene.id("alice")``): the user's id;
    * ``scene.url("alice")``, ``scene.email("alice")``;
    * ``scene.headers("alice")``: Bearer headers of a real login, one per
      user, cached; ``"superuser"`` and ``"anonymous"`` (no headers) too;
    * ``scene.create_dataset("alice")``, ``create_team``, ``create_project``
      and ``share``: collaboration objects made over HTTP, as that user.

    ``scene.account_id`` is Acme's id and ``scene.other_account_id`` that of
    the first account added.  A scene holds ids and URLs, never persistent
    objects."""

    def __init__(self, factory, account="Acme", owner="owner"):
        self.factory = factory
        self.users = {}
        self._logins = {}
        self._passwords = {}
        self.account_id, self.users[owner] = factory.account(name=account)
        self.other_account_id = None

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    @property
    def testapp(self):
        return self.factory.testapp

    def add_account(self, name, owner):
        """Create an account whose active owner is named ``owner``; returns its id."""
        account_id, self.users[owner] = self.factory.account(name=name)
        if self.other_account_id is None:
            self.other_account_id = account_id
        return account_id

    def add(self, who, /, account_id=None, **fields):
        """Create a user named ``who`` in Acme (or ``account_id``); ``fields``
        as for ``Factory.user`` (``roles``, ``status``, ``password``, ``name``,
        ...).  Returns the user's id."""
        self.users[who] = self.factory.user(account_id or self.account_id, **fields)
        return self.users[who]

    def adopt(self, who, url, password=PASSWORD):
        """Name ``who`` a user made over HTTP (its ``url``), who logs in
        with ``password``."""
        self.users[who] = url.rstrip("/").rsplit("/", 1)[-1]
        self._passwords[who] = password

    def id(self, who):
        return self.users[who]

    def url(self, who):
        return self.factory.user_url(self.users[who])

    def email(self, who):
        return self.factory.email_of(self.users[who])

    def headers(self, who):
        """Headers to act as ``who``: a scene user, the superuser or anonymous."""
        if who == "anonymous":
            return {}
        if who not in self._logins:
            if who == "superuser":
                self._logins[who] = self.factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
            else:
                password = self._passwords.get(who, PASSWORD)
                self._logins[who] = self.factory.login(self.users[who], password)
        return self._logins[who]

    def ref(self, key):
        """A member or grantee key: a scene user's URL, or a URL as it is."""
        return key if "/" in key else self.url(key)

    def post(self, url, body, who):
        """POST ``body`` as ``who``, which must create (201); the new URL."""
        return self.testapp.post_json(url, body, headers=self.headers(who), status=201).location

    def patch(self, url, body, who):
        """PATCH ``body`` as ``who``, which must succeed (204)."""
        self.testapp.patch_json(url, body, headers=self.headers(who), status=204)

    def create_dataset(self, who, name="Survey", **fields):
        """A dataset of ``who``'s; its URL."""
        body = {"element": "shoji:entity", "body": {"name": name, **fields}}
        return self.post("/api/datasets/", body, who)

    def create_team(self, who, name="Team", members=()):
        """A team of ``who``'s with plain ``members`` (names or URLs); its URL."""
        url = self.post("/api/teams/", {"name": name}, who)
        if members:
            index = {self.ref(m): {} for m in members}
            self.patch(url + "members/", index, who)
        return url

    def create_project(self, who, name="Project", members=None, parent="/api/projects/"):
        """A project (a sub-project of ``parent``) with ``members``
        (``{name or URL: options}``); its URL."""
        url = self.post(parent, {"name": name}, who)
        if members:
            index = {self.ref(k): v for k, v in members.items()}
            self.patch(url + "members/", index, who)
        return url

    def share(self, dataset_url, who, grants):
        """As ``who``, grant ``{name or URL: flags}`` on a dataset (``None`` revokes)."""
        index = {
            self.ref(k): None if v is None else {"dataset_permissions": v}
            for k, v in grants.items()
        }
        self.patch(dataset_url + "permissions/", index, who)


def acme_and_other(factory, outsider_roles=("standard",)):
    """The scene most collaboration tests share: in account ``Acme`` its
    ``owner`` (an admin), ``alice`` and ``dave`` (editor role, they may create
    datasets), ``bob`` and ``carol`` (standard); in account ``Other``
    ``outsider`` (``outsider_roles``) and its owner ``other_owner``."""
    scene = Scene(factory)
    other = scene.add_account("Other", owner="other_owner")
    scene.add("alice", roles=("editor",))
    scene.add("dave", roles=("editor",))
    scene.add("bob")
    scene.add("carol")
    scene.add("outsider", other, roles=outsider_roles)
    return scene
