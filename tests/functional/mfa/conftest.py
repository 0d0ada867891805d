"""The scenario of the second-factor tests: ``acme_and_other`` plus
``admin``, an administrator of Acme who is not its owner."""

import pytest
from webtest import TestApp

from tests.conftest import delivering
from tests.functional.browser.conftest import BROWSER_ACCEPT
from tests.functional.sign_in.conftest import acme  # noqa: F401 -- the same scene
from tests.functional.sign_in.conftest import app_with as sign_in_app_with


@pytest.fixture
def web(app):
    """A client asking for HTML as a browser does, keeping its cookies."""
    return TestApp(delivering(app), extra_environ={"HTTP_ACCEPT": BROWSER_ACCEPT})


app_with = sign_in_app_with  # apps with changed settings, on the test's clock
