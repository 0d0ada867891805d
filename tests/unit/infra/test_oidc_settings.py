"""Provider settings are checked at start-up; discovery documents on use."""

import pytest
from pyramid.exceptions import ConfigurationError

from crunchusers.infra.oidc import OidcConfig, ProviderUnavailable

ISSUER = "https://accounts.example.com"


def config(**settings):
    base = {
        "crunchusers.oidc.providers": "google",
        "crunchusers.oidc.google.issuer": ISSUER,
        "crunchusers.oidc.google.client_id": "client",
    }
    return OidcConfig.from_settings({**base, **settings})


def test_defaults():
    oidc = config()
    google = oidc.providers["google"]
    assert (google.title, google.settings.scopes) == ("google", "openid email profile")
    assert google.settings.client_secret is None
    assert oidc.flow_lifetime.total_seconds() == 600
    assert (oidc.landing_url, oidc.max_pending_flows) == (None, 10000)


def test_no_providers_is_fine():
    assert OidcConfig.from_settings({}).providers == {}


def test_a_trailing_slash_of_the_issuer_is_dropped():
    issuer = config(**{"crunchusers.oidc.google.issuer": ISSUER + "/"}).providers["google"]
    assert issuer.settings.issuer == ISSUER


@pytest.mark.parametrize(
    "settings",
    [
        {"crunchusers.oidc.providers": "Google"},
        {"crunchusers.oidc.providers": "a/b"},
        {"crunchusers.oidc.google.issuer": "http://accounts.example.com"},
        {"crunchusers.oidc.google.issuer": "ftp://accounts.example.com"},
        {"crunchusers.oidc.google.issuer": ISSUER + "?x=1"},
        {"crunchusers.oidc.google.issuer": ""},
        {"crunchusers.oidc.google.client_id": ""},
        {"crunchusers.oidc.google.scopes": "email profile"},
        {"crunchusers.oidc.landing_url": "javascript:alert(1)"},
        {"crunchusers.oidc.landing_url": "http://app.example.com/"},
    ],
)
def test_bad_settings_stop_the_start(settings):
    with pytest.raises(ConfigurationError):
        config(**settings)


def test_http_is_allowed_on_loopback_only():
    local = config(**{"crunchusers.oidc.google.issuer": "http://127.0.0.1:9400"})
    assert local.providers["google"].settings.issuer == "http://127.0.0.1:9400"


GOOD = {
    "issuer": ISSUER,
    "authorization_endpoint": ISSUER + "/auth",
    "token_endpoint": ISSUER + "/token",
    "jwks_uri": ISSUER + "/keys",
}


@pytest.mark.parametrize(
    "metadata",
    [
        None,
        {**GOOD, "issuer": "https://evil.example.com"},
        {**GOOD, "issuer": ISSUER + "/"},
        {**GOOD, "token_endpoint": "http://accounts.example.com/token"},
        {key: value for key, value in GOOD.items() if key != "jwks_uri"},
    ],
)
def test_a_discovery_document_must_name_our_issuer_and_https_endpoints(metadata):
    provider = config().providers["google"]
    assert provider._checked_metadata(dict(GOOD)) == GOOD
    with pytest.raises(ProviderUnavailable):
        provider._checked_metadata(metadata)
