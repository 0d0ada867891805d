"""The scenario of the sign-in tests."""

import pytest

from tests.factories import acme_and_other


@pytest.fixture
def acme(factory):
    """``acme_and_other``, plus ``admin``: an administrator who is not the owner."""
    scene = acme_and_other(factory)
    scene.add("admin", roles=("administrator",))
    return scene
