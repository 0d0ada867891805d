"""OpenID Connect tests: a real provider process and browsers over real HTTP.

``oidc_provider`` starts ``tests.functional.oidc.provider`` (oidc-provider-mock
behind a PKCE gate) once per module; ``live_app`` is the app configured with
it as provider ``mock`` (and ``down``, a provider nobody answers for) on a
frozen clock set to the real time, since the provider stamps its ID tokens
with real time.  ``Browser`` is a user agent that keeps cookies for our
server and follows redirects one at a time, so each hop can be checked.
"""

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit, urlunsplit

import pytest
import requests
from webtest import TestApp

from crunchusers import main
from crunchusers.infra.clock import FrozenClock
from tests.conftest import free_port
from tests.factories import Factory, Scene

ROOT = Path(__file__).resolve().parents[3]
CLIENT_ID = "crunchusers-test"
FLOW_SECONDS = 600


class Provider:
    """The running provider: its issuer, its users' claims, what it saw."""

    def __init__(self, issuer):
        self.issuer = issuer

    def set_user(self, sub, **claims):
        """What the provider says about ``sub`` (``PUT /users/<sub>``)."""
        res = requests.put(f"{self.issuer}/users/{quote(sub)}", json=claims, timeout=10)
        assert res.status_code == 204, res.text

    def stats(self) -> dict:
        return requests.get(f"{self.issuer}/_test/stats", timeout=10).json()

    def authorize(self, authorization_url, sub, action=None) -> str:
        """Submit the provider's authorization form as ``sub`` (or deny);
        the URL it redirects the browser to."""
        data = {"action": action} if action else {"sub": sub}
        res = requests.post(authorization_url, data=data, allow_redirects=False, timeout=10)
        assert res.status_code == 302, res.text
        return res.headers["Location"]


@pytest.fixture(scope="module")
def oidc_provider(tmp_path_factory):
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.functional.oidc.provider"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        port = process.stdout.readline().strip()
        assert port.isdigit(), f"the provider did not start; see {log}"
        yield Provider(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.fixture
def clock():
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def extra_settings():
    """Settings a test adds (override by parametrizing ``extra_settings``)."""
    return {}


def oidc_settings(issuer) -> dict:
    return {
        "crunchusers.oidc.providers": "mock down",
        "crunchusers.oidc.mock.issuer": issuer,
        "crunchusers.oidc.mock.client_id": CLIENT_ID,
        "crunchusers.oidc.mock.client_secret": "s3cret",
        "crunchusers.oidc.mock.title": "Mock ID",
        "crunchusers.oidc.down.issuer": f"http://127.0.0.1:{free_port()}",
        "crunchusers.oidc.down.client_id": CLIENT_ID,
        "crunchusers.oidc.flow_lifetime_seconds": str(FLOW_SECONDS),
    }


@pytest.fixture
def live_app(settings, tmp_path, live_port, oidc_provider, clock, extra_settings):
    app = main(
        {},
        **{
            **settings,
            "zodbconn.uri": f"file://{tmp_path / 'Data.fs'}",
            "crunchusers.public_url": f"http://127.0.0.1:{live_port}",
            **oidc_settings(oidc_provider.issuer),
            **extra_settings,
        },
    )
    app.registry.crunchusers_clock = clock
    return app


def with_query(url, **changes) -> str:
    """``url`` with query parameters replaced (None removes one)."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    query = {k: v for k, v in query.items() if v is not None}
    return urlunsplit(parts._replace(query=urlencode(query)))


def query_of(url) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


class Browser:
    """A user agent for our server: cookies kept, one hop at a time."""

    def __init__(self, api_url, provider):
        self.api = api_url
        self.provider = provider
        self.session = requests.Session()

    def get(self, url, **kw):
        return self.session.get(url, allow_redirects=False, timeout=30, **kw)

    def start(self, provider="mock"):
        """Our login: the 302 to the provider's authorization endpoint."""
        res = self.get(f"{self.api}public/oidc/{provider}/login/")
        assert res.status_code == 302, res.text
        return res.headers["Location"]

    def callback_for(self, sub, provider="mock"):
        """Start a sign-in and authorize it at the provider as ``sub``; the
        callback URL the provider sends the browser back to (not yet visited)."""
        return self.provider.authorize(self.start(provider), sub)

    def sign_in(self, sub):
        """The whole flow; the callback's answer."""
        return self.get(self.callback_for(sub))

    def me(self):
        """The API root as this browser sees it (200 with a session)."""
        return self.get(self.api)


@pytest.fixture
def browser(server, oidc_provider):
    return Browser(server, oidc_provider)


@pytest.fixture
def factory(live_app):
    """Test data written straight into the live app's database."""
    return Factory(live_app, TestApp(live_app))


IVY = "ivy@example.com"


@pytest.fixture
def scene(factory):
    """Acme with its active owner (a password user) and ``ivy``, invited and
    still pending."""
    scene = Scene(factory)
    scene.add("ivy", email=IVY, status="pending", password=None)
    return scene


@pytest.fixture
def ivy_at_provider(oidc_provider):
    """The provider knows ivy (subject ``sub-ivy``) with a verified email."""
    oidc_provider.set_user("sub-ivy", email=IVY, email_verified=True, name="Ivy")
    return "sub-ivy"


def user_state(factory, user_id) -> dict:
    """What a sign-in may change on a user, read from the database."""

    def read(root):
        user = root.users[user_id]
        return {
            "status": user.status,
            "id_method": user.id_method,
            "id_provider": user.id_provider,
            "oidc_subject": user.oidc_subject,
            "email_verified": user.email_verified,
            "password_hash": user.password_hash,
            "sessions": len(user.session_hashes),
        }

    return factory.read(read)


def assert_refused(res, status, message=None, field=None):
    """``res`` is our JSON error with ``status`` and started no session."""
    assert res.status_code == status, res.text
    body = res.json()
    assert body["element"] == "crunch:error" and body["message"]
    assert "token" not in res.cookies
    if message is not None:
        assert body["message"] == message
    if field is not None:
        assert body["errors"][0]["name"] == field
    return body
