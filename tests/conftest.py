"""Fixtures: a fresh in-memory database per test, real HTTP through WebTest,
a real SMTP server (aiosmtpd) receiving the app's mail, and a frozen clock.

Mail leaves through the app's delivery worker, after the response; the
``testapp`` fixture waits after each request until the outbox is empty, so
tests may still look at ``inbox.messages`` as soon as a request returns.

``CRUNCHUSERS_TEST_STORAGE=relstorage`` puts the ``app`` fixture's database
on RelStorage in the local PostgreSQL instead (one throwaway database for the
run, emptied with ``zap_all()`` before each test); ``./dev test`` runs the
functional tests a second time that way.
"""

import email
import email.message
import os
import socket
import threading
from pathlib import Path

import pytest
import transaction
import ZODB
from aiosmtpd.controller import Controller
from pyramid_zodbconn import db_from_uri
from webtest import TestApp
from zodburi import resolve_uri

from crunchusers import main
from crunchusers.infra.clock import FrozenClock
from crunchusers.infra.mail import running_workers, start_delivery, stop_delivery
from crunchusers.infra.storage import bootstrap_database

from . import pg
from .factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Factory

ROOT = Path(__file__).resolve().parent.parent
TEST_STORAGE = os.environ.get("CRUNCHUSERS_TEST_STORAGE", "memory")

# Cheap argon2 parameters keep the suite fast; production defaults are tested
# in test_passwords.py.
FAST_ARGON2 = {
    "crunchusers.argon2.time_cost": "1",
    "crunchusers.argon2.memory_cost": "1024",
    "crunchusers.argon2.parallelism": "1",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ReceivedMail(email.message.Message):
    """A message the test SMTP server received (text and HTML parts)."""

    def _part(self, content_type: str) -> str:
        for part in self.walk():
            if part.get_content_type() == content_type:
                return part.get_payload(decode=True).decode(part.get_content_charset())
        raise AssertionError(f"no {content_type} part in {self['Subject']!r}")

    @property
    def text(self) -> str:
        return self._part("text/plain")

    @property
    def html(self) -> str:
        return self._part("text/html")


class Inbox:
    """Collects every message the SMTP server receives."""

    def __init__(self):
        self.messages = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self.arrived:
            self.messages.append(email.message_from_bytes(envelope.content, _class=ReceivedMail))
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 5.0):
        """Block until ``count`` messages arrived (mail is sent after commit)."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        return self.messages

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture(scope="session")
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def inbox(smtp_server):
    smtp_server.handler.messages.clear()
    return smtp_server.handler


def app_settings(smtp_server) -> dict:
    """Settings of the app under test: in-memory ZODB, the test SMTP server."""
    return {
        "zodbconn.uri": "memory://",
        "crunchusers.superuser_email": SUPERUSER_EMAIL,
        "crunchusers.superuser_password": SUPERUSER_PASSWORD,
        "mail.host": smtp_server.hostname,
        "mail.port": str(smtp_server.port),
        "mail.default_sender": "noreply@crunchusers.test",
        "crunchusers.public_url": "http://localhost",
        "crunchusers.link_origins": "https://app.example.com",
        **FAST_ARGON2,
    }


@pytest.fixture
def settings(smtp_server):
    """For tests that build their own app with changed settings."""
    return app_settings(smtp_server)


@pytest.fixture
def clock():
    return FrozenClock()


@pytest.fixture(autouse=True)
def _stop_delivery_workers():
    """Stop the delivery workers of apps a test built itself."""
    before = running_workers()
    yield
    for worker in running_workers() - before:
        worker.stop()


@pytest.fixture(scope="module")
def configured_app(smtp_server):
    """The application, configured once per test module."""
    app = main({}, **app_settings(smtp_server))
    yield app
    stop_delivery(app.registry)


class RelStorageDatabase:
    """One RelStorage database for the whole run, in a throwaway PostgreSQL
    database, emptied before each test.

    Emptying is ``root.clear()`` in one transaction: everything the app
    reaches hangs off the ZODB root, so a test sees only what it makes, and
    the old objects are unreachable garbage in a database dropped at the
    end.  Measured on this machine, the alternative (``zap_all()`` and a new
    ``ZODB.DB`` per test) cost 80-230 ms a test, ~2-4 minutes over the
    functional suite; clearing costs one small commit.  The database starts
    zapped and commits without waiting for the disk (``synchronous_commit
    = off``): it is thrown away after the run."""

    def __init__(self, database: str):
        conn = pg.admin_connection()
        with conn.cursor() as cur:
            cur.execute(f'ALTER DATABASE "{database}" SET synchronous_commit = off')
        conn.close()
        factory, db_kw = resolve_uri(pg.uri(database))
        storage = factory()
        storage.zap_all()
        self.db = ZODB.DB(storage, **{**db_kw, "database_name": ""})

    def new_db(self, databases: dict):
        manager = transaction.TransactionManager(explicit=True)
        conn = self.db.open(transaction_manager=manager)
        try:
            with manager:
                conn.root().clear()
        finally:
            conn.close()
        databases[""] = self.db

    def close(self):
        self.db.close()


@pytest.fixture(scope="session")
def empty_databases():
    """``new_db(databases)`` puts an empty database into ``databases`` under
    the name ``""``: a new one in memory, or the run's RelStorage database,
    emptied, with ``CRUNCHUSERS_TEST_STORAGE=relstorage``."""
    if TEST_STORAGE == "memory":
        yield lambda databases: db_from_uri("memory://", "", databases)
        return
    assert TEST_STORAGE == "relstorage", f"unknown CRUNCHUSERS_TEST_STORAGE {TEST_STORAGE!r}"
    with pg.throwaway_database("crunchusers_suite") as database:
        shared = RelStorageDatabase(database)
        try:
            yield shared.new_db
        finally:
            shared.close()


@pytest.fixture
def app(configured_app, clock, smtp_server, empty_databases):
    """The module's application with a fresh, empty database (bootstrapped
    as at start-up) and the test's own clock: the isolation of a new app per
    test without configuring Pyramid again every time."""
    registry = configured_app.registry
    stop_delivery(registry)  # it must not work on the database being replaced
    smtp_server.handler.messages.clear()  # nor reach this test's inbox
    for db in registry._zodb_databases.values():
        if TEST_STORAGE == "memory":
            db.close()
    registry._zodb_databases = {}
    empty_databases(registry._zodb_databases)
    registry.crunchusers_clock = clock
    bootstrap_database(registry)
    start_delivery(registry)
    return configured_app


def delivering(app):
    """``app``, answering only once its delivery worker has sent the mail
    the request queued (or 5 s passed)."""

    def wsgi(environ, start_response):
        result = app(environ, start_response)
        body = b"".join(result)
        getattr(result, "close", lambda: None)()
        app.registry.crunchusers_delivery.wait_until_sent()
        return [body]

    return wsgi


@pytest.fixture
def testapp(app):
    return TestApp(delivering(app))


@pytest.fixture
def factory(app, testapp):
    return Factory(app, testapp)


@pytest.fixture
def ini(tmp_path):
    """An ini file that is development.ini with its storage and mail directory
    in ``tmp_path`` and cheap argon2 (the CLI's and the upgrade tests')."""
    path = tmp_path / "cli.ini"
    path.write_text(
        "[app:main]\n"
        f"use = config:{ROOT / 'development.ini'}\n"
        f"zodbconn.uri = file://{tmp_path}/Data.fs\n"
        f"crunchusers.mail_directory = {tmp_path}/mail\n"
        "crunchusers.argon2.time_cost = 1\n"
        "crunchusers.argon2.memory_cost = 1024\n"
        "crunchusers.argon2.parallelism = 1\n"
    )
    return str(path)
