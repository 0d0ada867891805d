"""What the pycrunch tests share."""

import pycrunch
import pytest

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
