"""The scenario most security tests share."""

import pytest

from tests.factories import acme_and_other


@pytest.fixture
def acme(factory):
    """See ``acme_and_other``."""
    return acme_and_other(factory)
