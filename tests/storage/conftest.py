"""Fixtures of the storage tests: a throwaway PostgreSQL database, a runzeo
process, and gunicorn servers over them, all stopped in ``finally``."""

from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests import pg
from tests.conftest import free_port

from . import client
from .servers import ROOT, Server, Zeo, initialize, write_ini

ZEO_CLIENT_CONF = ROOT / "deploy" / "zeo-client.conf"


@contextmanager
def storage(kind: str, workdir: Path):
    """``(zodb_uri or None, environment)`` for servers on a new ``kind``
    storage: ``relstorage`` keeps production.ini's URI (deploy/relstorage.conf)
    and gets its connection string from the environment; ``zeo`` starts
    runzeo; ``filestorage`` is a file for one server process."""
    with ExitStack() as stack:
        if kind == "relstorage":
            database = stack.enter_context(pg.throwaway_database("crunchusers_storage"))
            yield None, {"CRUNCHUSERS_PG_DSN": pg.dsn(database)}
        elif kind == "zeo":
            zeo = Zeo(workdir / "zeo.fs")
            stack.callback(zeo.stop)
            yield f"zconfig://{ZEO_CLIENT_CONF}", {"CRUNCHUSERS_ZEO_SERVER": zeo.address}
        else:
            yield f"file://{workdir / 'Data.fs'}", {}


@contextmanager
def servers(workdir: Path, smtp, uri, env, *specs):
    """Initialize the storage with the CLI, then start one gunicorn per
    ``(name, workers)`` spec at once, wait until all answer, and stop them all
    (by process group id) whatever happens."""
    extra = {"zodbconn.uri": uri} if uri else {}
    with ExitStack() as stack:
        started = []
        for name, workers in specs:
            port = free_port()
            ini = write_ini(workdir / f"{name}.ini", smtp=smtp, port=port, **extra)
            if not started:
                initialize(ini, env)
            server = Server(ini, port, env, workers=workers, name=name)
            stack.callback(server.stop)
            started.append(server)
        for server in started:
            server.wait_ready()
        yield started


@pytest.fixture(scope="session", autouse=True)
def storage_inbox(smtp_server):
    """Give the storage tests' client the test SMTP server's inbox."""
    client.INBOX = smtp_server.handler
