"""Browser pages over WebTest: a client that asks for HTML as a browser
does and keeps its cookies (``web``), and signing in through the login page.
The real-browser tests (headless Chromium) have their own fixtures in
``chromium.py``."""

import pytest
from webtest import TestApp

from tests.conftest import delivering
from tests.factories import PASSWORD, Scene

#: The ``Accept`` Chromium sends when it navigates.
BROWSER_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
)


@pytest.fixture
def web(app):
    return TestApp(delivering(app), extra_environ={"HTTP_ACCEPT": BROWSER_ACCEPT})


@pytest.fixture
def scene(factory):
    """Acme's ``owner`` and a plain user ``bob``."""
    scene = Scene(factory)
    scene.add("bob", name="Bob Builder")
    return scene


def sign_in(web, email, password=PASSWORD, **kw):
    """Submit the login page's form; the answer (303 on success)."""
    form = web.get("/browse/login/").forms["login-form"]
    form["email"] = email
    form["password"] = password
    return form.submit(**kw)


def csrf_of(page) -> str:
    return page.html.find("input", {"name": "_csrf"})["value"]
