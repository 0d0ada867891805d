"""Fixtures: a fresh in-memory database per test, real HTTP through WebTest,
a real SMTP server (aiosmtpd) receiving the app's mail, and a frozen clock."""

import email
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from pyramid_zodbconn import db_from_uri
from webtest import TestApp

from crunchusers import main
from crunchusers.clock import FrozenClock
from crunchusers.db import bootstrap_database

from .factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Factory

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


class Inbox:
    """Collects every message the SMTP server receives."""

    def __init__(self):
        self.messages = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self.arrived:
            self.messages.append(email.message_from_bytes(envelope.content))
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
        **FAST_ARGON2,
    }


@pytest.fixture
def settings(smtp_server):
    """For tests that build their own app with changed settings."""
    return app_settings(smtp_server)


@pytest.fixture
def clock():
    return FrozenClock()


@pytest.fixture(scope="module")
def configured_app(smtp_server):
    """The application, configured once per test module."""
    return main({}, **app_settings(smtp_server))


@pytest.fixture
def app(configured_app, clock):
    """The module's application with a fresh, empty in-memory database
    (bootstrapped as at start-up) and the test's own clock: the isolation of
    a new app per test without configuring Pyramid again every time."""
    registry = configured_app.registry
    for db in registry._zodb_databases.values():
        db.close()
    registry._zodb_databases = {}
    db_from_uri("memory://", "", registry._zodb_databases)
    registry.crunchusers_clock = clock
    bootstrap_database(registry)
    return configured_app


@pytest.fixture
def testapp(app):
    return TestApp(app)


@pytest.fixture
def factory(app, testapp):
    return Factory(app, testapp)
