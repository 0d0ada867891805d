"""Browser pages over WebTest: a client that asks for HTML as a browser
does and keeps its cookies (``web``), and signing in through the login page.

The real-browser tests use ``chromium`` (one headless Chromium per module,
driven as :mod:`.chromium` says), ``site`` (the live server in it, seen by a
new visitor) and ``live`` (a ``Scene`` in the live server's database)."""

import pytest
from webtest import TestApp

from tests.conftest import delivering
from tests.factories import PASSWORD, Factory, Scene

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


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for the module's tests."""
    from . import chromium as driving

    if not driving.installed():
        pytest.skip(
            "headless Chromium is not installed: apt-get install chromium chromium-driver "
            "(./dev test does it when run as root)"
        )
    driver = driving.start()
    yield driver
    driver.quit()


@pytest.fixture
def site(chromium, server):
    """The live server in the module's Chromium, as a new visitor."""
    from .chromium import Site

    return Site(chromium, server.removesuffix("/api/"))


@pytest.fixture
def live(live_app):
    """Data made directly in the live server's database (``Scene``)."""
    return Scene(Factory(live_app, TestApp(delivering(live_app))))
