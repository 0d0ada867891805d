"""Backups taken while the server runs, restored into a new database that a
new server serves: the same users, their passwords and their sessions.

* FileStorage: ``repozo`` full backup, more writes, an incremental backup,
  ``repozo -R`` into a new file (which also checks clean with ``fstest``);
* RelStorage: ``pg_dump -Fc`` of the database, ``pg_restore`` into a new one.

The commands are the README's ("Backup and restore").
"""

import subprocess
import time

import pytest

from tests import pg

from .client import Api, add_user, seed_account
from .conftest import servers, storage
from .servers import BIN, SUPERUSER_EMAIL, wait_until
from .test_crash import check_filestorage

pytestmark = pytest.mark.storage


def next_second():
    """repozo names backups by the second, and a full and an incremental
    backup of the same second do not restore in order: start a new second."""
    now = int(time.time())
    wait_until(lambda: int(time.time()) > now, 5, "the next second")


def run(*argv):
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (argv, done.stdout, done.stderr)
    return done


class Before:
    """Users (with passwords) and one session made before a backup."""

    def __init__(self, owner: Api, prefix: str, count: int = 3):
        self.emails = [f"{prefix}-{n}@acme.test" for n in range(count)]
        self.paths = [add_user(owner, email) for email in self.emails]
        self.token = Api(owner.base).login(self.emails[0]).token

    def served_by(self, base: str):
        """The restored server has the users, their passwords and the session."""
        owner = Api(base).login("owner@acme.test")
        for email, path in zip(self.emails, self.paths, strict=True):
            assert owner.get(path)["body"]["email"] == email
            Api(base).login(email)
        assert Api(base, self.token).status_of("/api/") == 200


def test_repozo_full_and_incremental_backup_restore(tmp_path, smtp_server):
    data_fs, backups, restored = tmp_path / "Data.fs", tmp_path / "backups", tmp_path / "restored"
    backups.mkdir()
    restored.mkdir()
    with storage("filestorage", tmp_path) as (uri, env):
        with servers(tmp_path, smtp_server, uri, env, ("live", 1)) as (server,):
            owner = seed_account(Api(server.url), SUPERUSER_EMAIL)
            first = Before(owner, "full")
            run(BIN / "repozo", "--backup", "--full", "-r", backups, "-f", data_fs)
            next_second()
            second = Before(owner, "incremental")
            run(BIN / "repozo", "--backup", "-r", backups, "-f", data_fs)
            Before(owner, "after-the-backups")  # not in any backup
    assert {p.suffix for p in backups.iterdir()} >= {".fs", ".deltafs"}
    run(BIN / "repozo", "--recover", "-r", backups, "-o", restored / "Data.fs")
    check_filestorage(restored / "Data.fs")

    with storage("filestorage", restored) as (uri, env):
        with servers(restored, smtp_server, uri, env, ("restored", 1)) as (server,):
            first.served_by(server.url)
            second.served_by(server.url)
            emails = {
                u["email"]
                for u in Api(server.url)
                .login("owner@acme.test")
                .get("/api/account/users/")["index"]
                .values()
            }
            assert not any(e.startswith("after-the-backups") for e in emails)


def test_pg_dump_and_pg_restore(tmp_path, smtp_server):
    dump = tmp_path / "crunchusers.pgdump"
    with storage("relstorage", tmp_path) as (uri, env):
        with servers(tmp_path, smtp_server, uri, env, ("live", 1)) as (server,):
            owner = seed_account(Api(server.url), SUPERUSER_EMAIL)
            before = Before(owner, "dumped")
            source = env["CRUNCHUSERS_PG_DSN"].rsplit("dbname=", 1)[1]
            run("pg_dump", "-Fc", "-h", pg.HOST, "-U", pg.ADMIN, "-d", source, "-f", dump)
    with pg.throwaway_database("crunchusers_restored") as target:
        run("pg_restore", "-h", pg.HOST, "-U", pg.ADMIN, "-d", target, "--no-owner", dump)
        env = {"CRUNCHUSERS_PG_DSN": pg.dsn(target)}
        with servers(tmp_path, smtp_server, None, env, ("restored", 1)) as (server,):
            before.served_by(server.url)
