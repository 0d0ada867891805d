"""OpenID Connect relying party: provider settings, discovery and Authlib.

Providers are configured in the ini file::

    crunchusers.oidc.providers = google other
    crunchusers.oidc.google.issuer = https://accounts.google.com
    crunchusers.oidc.google.client_id = ...
    crunchusers.oidc.google.client_secret = ...
    crunchusers.oidc.google.scopes = openid email profile   (the default)
    crunchusers.oidc.google.title = Google                  (default: the name)

Each provider's endpoints come from ``{issuer}/.well-known/openid-configuration``
(OIDC Discovery), fetched on first use and kept ``DISCOVERY_TTL``; its keys
(``jwks_uri``) are kept until an ID token names a key id they lack (key
rotation), then fetched once again.  The metadata's ``issuer`` must equal
the configured one exactly (Discovery §4.3), and every endpoint must be
https unless it is on a loopback host (development and tests).

This module speaks HTTP to the provider through Authlib's ``OAuth2Session``
(authorization URL with PKCE S256, code exchange) and validates ID tokens
with joserfc and Authlib's ``CodeIDToken`` (signature against the
provider's keys, ``iss``, ``aud``, ``azp``, ``exp``, ``iat``, ``nonce``,
``at_hash``) on the caller's injectable clock.  It knows nothing of users.
"""

import threading
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from pyramid.exceptions import ConfigurationError
from pyramid.settings import aslist

from .origins import is_loopback, origin_of

PREFIX = "crunchusers.oidc."
DEFAULT_SCOPES = "openid email profile"
#: How long discovered metadata is trusted before it is fetched again.
DISCOVERY_TTL = timedelta(hours=1)
#: Seconds of clock skew allowed between the provider and us (ID token times).
LEEWAY_SECONDS = 60
#: Seconds any one HTTP call to a provider may take.
HTTP_TIMEOUT = 10
#: ID token algorithms we accept: signatures by the provider's published
#: public keys only (no ``none``, no HMAC with a shared secret).
ASYMMETRIC_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


class ProviderUnavailable(Exception):
    """The provider cannot be reached or answers nonsense (HTTP 502)."""


class SignInFailed(Exception):
    """The provider's answer does not sign anyone in (HTTP 400)."""


def trusted_url(url) -> bool:
    """An https URL, or an http one on a loopback host."""
    origin = origin_of(url)
    return origin is not None and (origin.startswith("https://") or is_loopback(origin))


@dataclass(frozen=True)
class ProviderSettings:
    name: str
    title: str
    issuer: str
    client_id: str
    client_secret: str | None
    scopes: str

    @classmethod
    def from_settings(cls, name: str, settings) -> "ProviderSettings":
        def get(key, default=None):
            return settings.get(f"{PREFIX}{name}.{key}", default)

        if not name or len(name) > 32 or not NAME_CHARS.issuperset(name):
            raise ConfigurationError(
                f"{PREFIX}providers: {name!r} must be 1-32 of a-z, 0-9, '_' and '-'."
            )
        issuer = (get("issuer") or "").rstrip("/")
        if not trusted_url(issuer) or urlsplit(issuer).query or urlsplit(issuer).fragment:
            raise ConfigurationError(
                f"{PREFIX}{name}.issuer must be an https URL (http only on a loopback host)."
            )
        client_id = get("client_id")
        if not client_id:
            raise ConfigurationError(f"{PREFIX}{name}.client_id is required.")
        scopes = " ".join(aslist(get("scopes", DEFAULT_SCOPES)))
        if "openid" not in scopes.split():
            raise ConfigurationError(f"{PREFIX}{name}.scopes must include 'openid'.")
        return cls(
            name=name,
            title=get("title") or name,
            issuer=issuer,
            client_id=client_id,
            client_secret=get("client_secret") or None,
            scopes=scopes,
        )


class Provider:
    """One configured OpenID provider and what we cached about it.

    Shared by every request thread of the process; the caches are guarded
    by a lock.  ``now`` arguments come from the injectable clock.
    """

    def __init__(self, settings: ProviderSettings):
        self.settings = settings
        self.name = settings.name
        self.title = settings.title
        self._lock = threading.Lock()
        self._metadata = None
        self._fetched_at = None
        self._keys = None

    # -- discovery ---------------------------------------------------------

    def metadata(self, now) -> dict:
        """The discovered metadata, fetched when missing or older than the TTL."""
        with self._lock:
            if self._metadata is None or now - self._fetched_at > DISCOVERY_TTL:
                url = f"{self.settings.issuer}/.well-known/openid-configuration"
                self._metadata = self._checked_metadata(_get_json(url))
                self._fetched_at = now
                self._keys = None
            return self._metadata

    def _checked_metadata(self, metadata) -> dict:
        if not isinstance(metadata, dict) or metadata.get("issuer") != self.settings.issuer:
            raise ProviderUnavailable(
                f"{self.title}'s discovery document does not name the configured issuer."
            )
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not trusted_url(metadata.get(key)):
                raise ProviderUnavailable(f"{self.title}'s discovery document lacks {key}.")
        return metadata

    def key_set(self, now, refresh=False) -> KeySet:
        metadata = self.metadata(now)
        with self._lock:
            if self._keys is None or refresh:
                try:
                    self._keys = KeySet.import_key_set(_get_json(metadata["jwks_uri"]))
                except (ValueError, TypeError, KeyError, JoseError) as exc:
                    raise ProviderUnavailable(f"{self.title}'s keys are unreadable.") from exc
            return self._keys

    # -- the authorization-code flow ----------------------------------------

    def _session(self, redirect_uri) -> OAuth2Session:
        return OAuth2Session(
            client_id=self.settings.client_id,
            client_secret=self.settings.client_secret,
            scope=self.settings.scopes,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            default_timeout=HTTP_TIMEOUT,
        )

    def authorization_url(self, now, *, redirect_uri, state, nonce, code_verifier) -> str:
        """Where to send the browser: the authorization endpoint with our
        ``state``, ``nonce`` and the S256 challenge of ``code_verifier``."""
        endpoint = self.metadata(now)["authorization_endpoint"]
        with self._session(redirect_uri) as session:
            url, _ = session.create_authorization_url(
                endpoint, state=state, nonce=nonce, code_verifier=code_verifier
            )
        return url

    def exchange(self, now, *, code, redirect_uri, code_verifier) -> dict:
        """Trade an authorization code (with the PKCE verifier) for tokens."""
        endpoint = self.metadata(now)["token_endpoint"]
        try:
            with self._session(redirect_uri) as session:
                return session.fetch_token(
                    endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                )
        except OAuthError as exc:
            raise SignInFailed(
                f"{self.title} refused the authorization code ({exc.error})."
            ) from exc
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable(f"{self.title}'s token endpoint failed.") from exc

    def id_claims(self, now, token: dict, nonce: str) -> dict:
        """The claims of ``token``'s ID token, once it proves to be for us,
        from this provider, current, and answering our ``nonce``."""
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise SignInFailed(f"{self.title} sent no ID token.")
        try:
            decoded = self._decode(now, id_token)
            claims = CodeIDToken(
                decoded.claims,
                decoded.header,
                {
                    "iss": {"essential": True, "value": self.settings.issuer},
                    "aud": {"essential": True, "value": self.settings.client_id},
                },
                {
                    "nonce": nonce,
                    "client_id": self.settings.client_id,
                    "access_token": token.get("access_token"),
                },
            )
            claims.validate(now=int(now.timestamp()), leeway=LEEWAY_SECONDS)
        except (JoseError, ValueError) as exc:
            raise SignInFailed(f"{self.title}'s ID token is not valid for this sign-in.") from exc
        return dict(claims)

    def _decode(self, now, id_token: str):
        supported = self.metadata(now).get("id_token_signing_alg_values_supported") or ["RS256"]
        registry = JWSRegistry(algorithms=[a for a in supported if a in ASYMMETRIC_ALGS])
        try:
            return jwt.decode(id_token, self.key_set(now), registry=registry)
        except InvalidKeyIdError:  # the provider rotated its keys
            return jwt.decode(id_token, self.key_set(now, refresh=True), registry=registry)


def _get_json(url: str):
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"{origin_of(url)} did not answer {url}.") from exc


@dataclass(frozen=True)
class OidcConfig:
    """Parsed ``crunchusers.oidc.*`` settings: the providers by name and the
    rules of the login flow."""

    providers: dict
    flow_lifetime: timedelta
    landing_url: str | None
    max_pending_flows: int

    @classmethod
    def from_settings(cls, settings) -> "OidcConfig":
        names = aslist(settings.get(PREFIX + "providers", ""))
        providers = {n: Provider(ProviderSettings.from_settings(n, settings)) for n in names}
        landing = settings.get(PREFIX + "landing_url") or None
        if landing is not None and not (landing.startswith("/") or trusted_url(landing)):
            raise ConfigurationError(
                f"{PREFIX}landing_url must be a path or an https URL (http only on loopback)."
            )
        lifetime = int(settings.get(PREFIX + "flow_lifetime_seconds", 600))
        return cls(
            providers=providers,
            flow_lifetime=timedelta(seconds=lifetime),
            landing_url=landing,
            max_pending_flows=int(settings.get(PREFIX + "max_pending_flows", 10000)),
        )


def get_oidc(registry) -> OidcConfig:
    return registry.crunchusers_oidc


def includeme(config):
    config.registry.crunchusers_oidc = OidcConfig.from_settings(config.registry.settings)
