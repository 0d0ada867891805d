"""The scenario of the sign-in tests."""

import pytest

from tests.factories import acme_and_other


@pytest.fixture
def acme(factory):
    """``acme_and_other``, plus ``admin``: an administrator who is not the owner."""
    scene = acme_and_other(factory)
    scene.add("admin", roles=("administrator",))
    return scene


@pytest.fixture
def app_with(settings, clock):
    """Build apps with changed settings, on the test's clock; closed after."""
    from crunchusers import main
    from crunchusers.infra.mail import stop_delivery
    from crunchusers.infra.storage import get_db

    apps = []

    def build(**changes):
        app = main({}, **{**settings, **changes})
        app.registry.crunchusers_clock = clock
        apps.append(app)
        return app

    yield build
    for app in apps:
        stop_delivery(app.registry)  # its worker must not hold a connection
        get_db(app.registry).close()
