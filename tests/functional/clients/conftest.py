"""What the pycrunch tests share."""

import re

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
