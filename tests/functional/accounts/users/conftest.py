"""The scenario of the account users tests."""

import pytest

from tests.factories import Scene


@pytest.fixture
def acme(factory):
    """Account ``Acme`` with its ``owner``, an ``admin`` and a standard ``member``."""
    scene = Scene(factory)
    scene.add("admin", roles=("administrator",), name="Ada Admin")
    scene.add("member", name="Mel Member")
    return scene
