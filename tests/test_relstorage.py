"""production.ini's storage: RelStorage on a real PostgreSQL server.

Uses the PostgreSQL on 127.0.0.1:5432 (started if it is installed but not
running), in a throwaway database per test.  Proves that the production
URI works, that data outlives the process (a second app sees it) and that
concurrent writers through RelStorage lose nothing.
"""

import re
import threading
from pathlib import Path

import pytest
from pyramid.paster import get_appsettings
from webtest import TestApp

from crunchusers import main
from crunchusers.infra.mail import stop_delivery
from crunchusers.infra.storage import get_db
from tests import pg
from tests.conftest import FAST_ARGON2

ROOT = Path(__file__).resolve().parent.parent
HTTPS = {"wsgi.url_scheme": "https", "HTTP_HOST": "crunch.example.com"}
PASSWORD = "production password 1"


@pytest.fixture
def database():
    with pg.throwaway_database() as name:
        yield name


@pytest.fixture
def production_settings(database, smtp_server, monkeypatch):
    monkeypatch.setenv("CRUNCHUSERS_SUPERUSER_PASSWORD", PASSWORD)
    settings = dict(get_appsettings(str(ROOT / "production.ini")))
    # The shipped deploy/relstorage.conf, its connection string from the environment.
    assert settings["zodbconn.uri"] == f"zconfig://{ROOT}/deploy/relstorage.conf"
    monkeypatch.setenv("CRUNCHUSERS_PG_DSN", pg.dsn(database))
    settings.update(FAST_ARGON2)
    settings["mail.host"], settings["mail.port"] = smtp_server.hostname, str(smtp_server.port)
    return settings


def login(testapp, email):
    res = testapp.post_json(
        "/api/public/login/", {"email": email, "password": PASSWORD, "token": True}, status=200
    )
    return {"Authorization": f"Bearer {res.json['access_token']}"}


def verify_by_mail(testapp, inbox, email):
    """Follow the verification link mailed to ``email`` (made with a password)."""
    (mail,) = [m for m in inbox.wait_for(1) if m["To"] == email]
    token = re.search(r"/email/verify/([\w-]+)/", mail.text)
    testapp.post_json("/api/public/verify_email/", {"token": token.group(1)}, status=204)


def test_production_storage_keeps_data_across_processes(production_settings, inbox):
    first = main({}, **production_settings)
    testapp = TestApp(first, extra_environ=HTTPS)
    headers = login(testapp, production_settings["crunchusers.superuser_email"])
    testapp.post_json(
        "/api/accounts/",
        {"name": "Acme", "owner": {"email": "owner@acme.test", "password": PASSWORD}},
        headers=headers,
        status=201,
    )
    stop_delivery(first.registry)
    get_db(first.registry).close()

    second = main({}, **production_settings)  # a new process would do the same
    testapp = TestApp(second, extra_environ=HTTPS)
    verify_by_mail(testapp, inbox, "owner@acme.test")  # the second process sent it
    owner = login(testapp, "owner@acme.test")
    account = testapp.get("/api/account/", headers=owner, status=200).json
    assert account["body"]["name"] == "Acme"
    assert account["self"].startswith("https://crunch.example.com/api/accounts/")

    errors = []

    def invite(n):
        client = TestApp(second, extra_environ=HTTPS)
        for i in range(4):
            res = client.post_json(
                "/api/account/users/",
                {"email": f"u{n}-{i}@acme.test", "send_invite": False},
                headers=owner,
                status="*",
            )
            if res.status_int != 201:
                errors.append(res.status)

    workers = [threading.Thread(target=invite, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    users = testapp.get("/api/account/users/", headers=owner, status=200).json["index"]
    assert len(users) == 1 + 16
    second.registry._zodb_databases[""].close()
