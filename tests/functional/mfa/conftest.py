"""The scenario of the second-factor tests: ``acme_and_other`` plus
``admin``, an administrator of Acme who is not its owner."""

import pytest

from tests.factories import acme_and_other


@pytest.fixture
def acme(factory):
    scene = acme_and_other(factory)
    scene.add("admin", roles=("administrator",))
    return scene
