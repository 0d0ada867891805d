"""Several processes starting at once on an empty database: every one
starts, and the database has one root, one API root and one superuser.

The start-up transactions (creating the ZODB root, then the API root, the
outbox and the superuser) of all but one conflict; each retries and finds
what the winner made.  Real processes race as they happen to; threads, each
with its own ``ZODB.DB`` over one RelStorage database, are held at a barrier
so that every one of them commits at the same moment and all but one must
retry.
"""

import os
import subprocess
import threading

import pytest
import transaction
from pyramid.paster import get_appsettings

from crunchusers import main
from crunchusers.infra import generations
from crunchusers.infra.mail import stop_delivery
from crunchusers.infra.storage import ROOT_KEY, bootstrap, get_db, in_transaction, open_db
from tests import pg
from tests.conftest import app_settings
from tests.factories import SUPERUSER_EMAIL as FACTORY_SUPERUSER

from .conftest import storage
from .servers import BIN, PASSWORD, ROOT, START_TIMEOUT, SUPERUSER_EMAIL, write_ini

pytestmark = pytest.mark.storage

PROCESSES = 4


def assert_one_of_everything(db, superuser=SUPERUSER_EMAIL):
    def check(conn):
        zodb_root = conn.root()
        assert set(zodb_root) == {ROOT_KEY, "crunchusers.outbox", generations.GENERATION_KEY}
        assert zodb_root[generations.GENERATION_KEY] == generations.GENERATION
        users = list(zodb_root[ROOT_KEY].users.values())
        assert [user.email for user in users] == [superuser]

    in_transaction(db, check)


@pytest.mark.parametrize("kind", ["relstorage", "zeo"])
def test_processes_starting_at_once_on_an_empty_database_all_start(
    kind, tmp_path, smtp_server, monkeypatch
):
    with storage(kind, tmp_path) as (uri, env):
        extra = {"zodbconn.uri": uri} if uri else {}
        ini = write_ini(tmp_path / "app.ini", smtp=smtp_server, port=0, **extra)
        for name, value in env.items():  # the storage's address, for open_db below
            monkeypatch.setenv(name, value)
        env = {**os.environ, "CRUNCHUSERS_SUPERUSER_PASSWORD": PASSWORD}
        command = [str(BIN / "crunchusers"), str(ini), "show-user", SUPERUSER_EMAIL]
        starts = [
            subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for _ in range(PROCESSES)
        ]
        outcomes = [(p.wait(timeout=START_TIMEOUT), p.stderr.read().decode()) for p in starts]
        for p in starts:
            p.stdout.close()
            p.stderr.close()
        assert [code for code, _ in outcomes] == [0] * PROCESSES, outcomes
        db = open_db(get_appsettings(str(ini))["zodbconn.uri"], "", {})
        try:
            assert_one_of_everything(db)
        finally:
            db.close()


def test_threads_committing_the_bootstrap_at_once_all_succeed(smtp_server):
    app = main(**app_settings(smtp_server))  # a registry: settings, clock, argon2
    stop_delivery(app.registry)
    get_db(app.registry).close()
    opened, committing = threading.Barrier(PROCESSES), threading.Barrier(PROCESSES, timeout=60)
    errors, dbs = [], []

    def start(database):
        try:
            opened.wait(timeout=60)
            db = open_db(pg.uri(database), "", {})
            dbs.append(db)
            waited = []

            def action(conn):
                bootstrap(conn.root(), app.registry)
                if not waited:  # the first attempts commit together: all but one conflict
                    waited.append(True)
                    committing.wait()

            in_transaction(db, action)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    with pg.throwaway_database("crunchusers_bootstrap") as database:
        threads = [threading.Thread(target=start, args=(database,)) for _ in range(PROCESSES)]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            assert errors == []
            assert_one_of_everything(dbs[0], superuser=FACTORY_SUPERUSER)
        finally:
            transaction.abort()
            for db in dbs:
                db.close()
