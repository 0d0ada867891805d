"""Schema evolution: a database made by the layout before ``domain/``
(classes stored as ``crunchusers.resources.*``, ``crunchusers.outbox``,
credentials as ``Session``/``Sessions``) loads, is upgraded at start-up or by
``crunchusers INI upgrade``, and then serves the same users and catalogs.

The old database is made by the real app while the persistent classes are
pickled under their old paths: stand-in modules registered under the old
names for the time it runs (:func:`old_layout`).
"""

import subprocess
import sys
import types
from contextlib import contextmanager

import pytest
import webtest
from persistent import Persistent
from pyramid.paster import get_app
from ZODB import DB
from ZODB.FileStorage import FileStorage

from crunchusers.domain.resources import credentials
from crunchusers.infra import generations, outbox
from crunchusers.infra.generations import GENERATION, GENERATION_KEY, OLD_PATH_MARKS
from crunchusers.infra.mail import stop_delivery
from crunchusers.infra.startup import StartupError
from crunchusers.infra.storage import ROOT_KEY, get_db
from tests.test_cli import run
from tests.test_startup import BIN, assert_one_line_refusal

SUPERUSER = {"email": "demo@example.com", "password": "demo-password-1"}  # development.ini's
OLD_NAMES = {credentials.Credential: "Session", credentials.Credentials: "Sessions"}


def persistent_classes(module):
    return {  # once each: credentials has aliases
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Persistent)
        and value.__module__ == module.__name__
    }


@contextmanager
def old_layout():
    """Pickle the app's persistent classes under the paths they had before
    the ``domain/`` layout, as the old code did."""
    modules = [
        m for name, m in sys.modules.items() if name.startswith("crunchusers.domain.resources.")
    ]
    moves = [(m, m.__name__.replace(".domain.resources.", ".resources.")) for m in modules]
    moves.append((outbox, "crunchusers.outbox"))
    saved = []
    for module, old_name in moves:
        stand_in = sys.modules[old_name] = types.ModuleType(old_name)
        for cls in persistent_classes(module):
            saved.append((cls, cls.__module__, cls.__name__))
            cls.__module__ = old_name
            cls.__name__ = cls.__qualname__ = OLD_NAMES.get(cls, cls.__name__)
            setattr(stand_in, cls.__name__, cls)
    sys.modules["crunchusers.resources"] = types.ModuleType("crunchusers.resources")
    try:
        yield
    finally:
        for cls, module, name in saved:
            cls.__module__, cls.__name__, cls.__qualname__ = module, name, name
        for _module, old_name in moves:
            del sys.modules[old_name]
        del sys.modules["crunchusers.resources"]


@contextmanager
def app_of(ini):
    app = get_app(ini)
    try:
        yield webtest.TestApp(app)
    finally:
        stop_delivery(app.registry)
        get_db(app.registry).close()


def login(api, headers=None):
    answer = api.post_json("/api/public/login/", {**SUPERUSER, "token": True}, headers=headers)
    return {"Authorization": f"Bearer {answer.json['access_token']}"}


def make_old_database(ini):
    """A superuser session, an account with its owner, mail in the outbox:
    all pickled with the old class paths, no index of member names, and no
    stored generation."""
    with old_layout(), app_of(ini) as api:
        headers = login(api)
        body = {"name": "Acme", "owner": {"email": "o@acme.test", "name": "Olive"}}
        api.post_json("/api/accounts/", body, headers=headers, status=201)
    with database(ini) as root:
        del root[GENERATION_KEY]  # the old code stored none
        for account in root[ROOT_KEY].accounts.values():
            del account.by_name, account.listed  # back to the class's None
        for user in root[ROOT_KEY].users.values():
            user.__dict__.pop("name_key", None)
            user._p_changed = True
    return headers


@contextmanager
def database(ini):
    """The ZODB root of ``ini``'s FileStorage, committed on exit."""

    db = DB(
        FileStorage(ini.replace("cli.ini", "Data.fs")), class_factory=generations.class_factory
    )
    try:
        with db.transaction() as conn:
            yield conn.root()
    finally:
        db.close()


def old_records(ini) -> int:
    """How many current records name a class by an old path."""
    storage = FileStorage(ini.replace("cli.ini", "Data.fs"), read_only=True)
    try:
        count = 0
        for oid in storage._index:
            data, _serial = storage.load(oid)
            count += any(mark in data for mark in OLD_PATH_MARKS)
        return count
    finally:
        storage.close()


def stored_generation(ini):
    with database(ini) as root:
        return root.get(GENERATION_KEY)


def assert_served(ini, old_headers):
    """The superuser logs in, its old session still works, catalogs list."""
    with app_of(ini) as api:
        headers = login(api)
        for auth in (headers, old_headers):
            accounts = api.get("/api/accounts/", headers=auth).json["index"]
            assert [entry["name"] for entry in accounts.values()] == ["Acme"]
        (account,) = accounts
        users = api.get(account + "users/", headers=headers).json["index"]
        assert [entry["email"] for entry in users.values()] == ["o@acme.test"]


def test_the_old_layout_is_really_old(ini):
    make_old_database(ini)
    assert old_records(ini) > 5
    assert stored_generation(ini) is None


def test_start_up_upgrades_an_old_database(ini):
    old_headers = make_old_database(ini)
    assert_served(ini, old_headers)
    assert stored_generation(ini) == GENERATION
    assert old_records(ini) == 0


def test_cli_dry_run_changes_nothing_then_upgrade_is_idempotent(ini):
    old_headers = make_old_database(ini)
    before = old_records(ini)
    code, out = run(ini, "upgrade", "--dry-run")
    assert code == 0
    assert out.splitlines() == [
        "would run generation 1: Rewrite every record that names a class by "
        "an old path (``crunchusers.resources.*`` before the ``domain/`` layout, "
        "``crunchusers.outbox``, ``Session``/``Sessions``) so that it names the class "
        "where it lives now",
        "would run generation 2: Build each account's sorted index of its members' "
        "names (``Account.by_name``), which accounts stored before it lack",
        "database at generation 0; nothing changed",
    ]
    assert old_records(ini) == before and stored_generation(ini) is None

    code, out = run(ini, "upgrade")
    assert code == 0
    assert out.splitlines()[0].startswith("ran generation 1: ")
    assert out.splitlines()[0].endswith(f" ({before} records)")
    assert out.splitlines()[1].startswith("ran generation 2: ")
    assert out.splitlines()[1].endswith(" (1 records)")  # the one account
    assert out.splitlines()[-1] == f"database at generation {GENERATION}"
    assert old_records(ini) == 0

    code, out = run(ini, "upgrade")
    assert (code, out) == (0, f"database at generation {GENERATION}\n")
    assert_served(ini, old_headers)


def test_the_rename_step_is_idempotent(ini):
    make_old_database(ini)
    with database(ini) as root:
        conn = root._p_jar
        assert generations.store_new_class_paths(conn) > 5
    with database(ini) as root:
        assert generations.store_new_class_paths(root._p_jar) == 0


def test_the_name_index_step_builds_what_pages_read_and_is_idempotent(ini):
    make_old_database(ini)
    with database(ini) as root:
        (account,) = root[ROOT_KEY].accounts.values()
        assert account.by_name is None
        assert generations.index_member_names(root._p_jar) == 1
        assert [key[0] for key in account.by_name] == ["olive"] and account.listed() == 1
    with database(ini) as root:
        assert generations.index_member_names(root._p_jar) == 0


def test_a_new_database_starts_at_the_current_generation(ini):
    code, out = run(ini, "upgrade", "--dry-run")
    assert (code, out) == (0, f"new database: the server creates it at generation {GENERATION}\n")
    with app_of(ini) as api:
        login(api)
    assert stored_generation(ini) == GENERATION
    assert run(ini, "upgrade") == (0, f"database at generation {GENERATION}\n")


def test_a_newer_database_is_refused(ini):
    with app_of(ini):
        pass
    with database(ini) as root:
        root[GENERATION_KEY] = GENERATION + 1
    with pytest.raises(StartupError, match=f"generation {GENERATION + 1}, newer than"):
        get_app(ini)
    for command in ([], ["upgrade"]):  # the server's start-up and the CLI: one line
        done = subprocess.run(
            [str(BIN / "crunchusers"), ini, *(command or ["show-user", "demo@example.com"])],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert_one_line_refusal(done.returncode, done.stderr, "newer than this version")
    assert stored_generation(ini) == GENERATION + 1
