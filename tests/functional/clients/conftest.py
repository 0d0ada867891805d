"""What the pycrunch tests share."""

import re
from datetime import UTC, datetime, timedelta

import pycrunch
import pytest
import requests

from tests.factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD


@pytest.fixture
def connect(server):
    """``connect(email, password)``: a pycrunch site; sessions closed after."""
    opened = []

    def connect(email=SUPERUSER_EMAIL, password=SUPERUSER_PASSWORD):
        site = pycrunch.connect(email, password, server)
        opened.append(site.session)
        return site

    yield connect
    for session in opened:
        session.close()


@pytest.fixture
def verify(server, inbox, live_app):
    """``verify(email)``: follow the verification link mailed to ``email``
    (a user made with a password must, before normal use), as its page does."""

    def verify(email):
        assert live_app.registry.crunchusers_delivery.wait_until_sent()
        (mail,) = [m for m in inbox.to(email) if m["Subject"] == "Verify your email address"]
        token = re.search(r"/email/verify/([\w-]+)/", mail.text)
        res = requests.post(
            f"{server}public/verify_email/", json={"token": token.group(1)}, timeout=30
        )
        assert res.status_code == 204, res.text

    return verify


@pytest.fixture
def api_token(server):
    """``api_token(email, password)``: the answer creating a JWT API token
    of that user (``body.key``, ``Location``), made as a script's owner
    would: a token login, then ``POST /api/apikeys/``."""

    def api_token(email=SUPERUSER_EMAIL, password=SUPERUSER_PASSWORD):
        login = {"email": email, "password": password, "token": True}
        bearer = requests.post(server + "public/login/", json=login, timeout=10).json()
        expires = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        created = requests.post(
            server + "apikeys/",
            json={"name": "pycrunch", "expires": expires},
            headers={"Authorization": f"Bearer {bearer['access_token']}"},
            timeout=10,
        )
        assert created.status_code == 201, created.text
        return created

    return api_token
