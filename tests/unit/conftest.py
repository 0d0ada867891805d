import pytest

from .authz.tree import cast


@pytest.fixture
def w():
    """A fresh tree with the shared cast (see ``tree.cast``)."""
    return cast()
