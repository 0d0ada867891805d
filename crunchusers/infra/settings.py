"""Application settings: every knob has a safe default.

Only ``zodbconn.uri`` and the first superuser need configuring; everything
else is filled in here so a three-line ini file runs.  Values are parsed once
at start-up into :class:`Config`, which lives on the registry.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from pyramid.exceptions import ConfigurationError
from pyramid.settings import asbool, aslist

from .login_settings import LoginSettings
from .origins import is_origin, origin_of

PREFIX = "crunchusers."

FRAMEWORK_DEFAULTS = {
    "retry.attempts": "10",  # with a jittered backoff (views.retry)
    "tm.commit_veto": "crunchusers.infra.commit_veto.commit_veto",
    "tm.manager_hook": "pyramid_tm.explicit_manager",
    "handle_exceptions": "false",  # Cornice: our own error views render errors
}


@dataclass(frozen=True)
class Config:
    """Parsed ``crunchusers.*`` settings."""

    session_lifetime: timedelta  # of accounts that chose none (domain.session_lifetime)
    link_token_lifetime: timedelta
    max_body_bytes: int
    secure_cookies: bool
    argon2_time_cost: int
    argon2_memory_cost: int
    argon2_parallelism: int
    superuser_email: str | None
    superuser_password: str | None
    default_url_base: str
    public_url: str | None
    link_origins: tuple[str, ...]
    mail_sender: str
    mail_directory: str | None
    mail_poll_seconds: float
    mail_retry_max_seconds: float
    page_size_limit: int
    mail_budget_per_hour: int = 5
    jwt_secret: str | None = None  # else the database's key (infra.jwt_tokens)
    session_idle: timedelta = timedelta(hours=8)
    #: The issuer authenticator apps show next to the user's address.
    totp_issuer: str = "crunchusers"
    retry_backoff_ms: float = 20
    #: Memory for kept read answers (views.read_cache); 0 switches them off.
    read_cache_mb: int = 16
    login: LoginSettings = field(default_factory=LoginSettings)

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """Every origin a mailed link (or a browser's ``Origin``) may have,
        normalized by :func:`crunchusers.infra.origins.origin_of`: ``public_url``'s
        first, then ``link_origins`` and an absolute ``default_url_base``'s.
        Empty when none is configured."""
        candidates = (self.public_url, *self.link_origins, self.default_url_base)
        return tuple(dict.fromkeys(o for o in map(origin_of, candidates) if o))

    @classmethod
    def from_settings(cls, settings, environ=None) -> "Config":
        environ = environ or {}

        def get(name, default=None):
            return settings.get(PREFIX + name, default)

        password = get("superuser_password") or environ.get("CRUNCHUSERS_SUPERUSER_PASSWORD")
        default_url_base = _default_url_base(get("default_url_base", "/password/change/${token}/"))
        return cls(
            session_lifetime=timedelta(seconds=int(get("session_lifetime_seconds", 86400))),
            link_token_lifetime=timedelta(seconds=int(get("link_token_lifetime_seconds", 86400))),
            max_body_bytes=int(get("max_body_bytes", 1024 * 1024)),
            secure_cookies=asbool(get("secure_cookies", False)),
            argon2_time_cost=int(get("argon2.time_cost", 3)),
            argon2_memory_cost=int(get("argon2.memory_cost", 65536)),
            argon2_parallelism=int(get("argon2.parallelism", 4)),
            superuser_email=get("superuser_email"),
            superuser_password=password,
            default_url_base=default_url_base,
            public_url=_public_url(get("public_url"), default_url_base),
            link_origins=_link_origins(get("link_origins", "")),
            mail_sender=settings.get("mail.default_sender") or "crunchusers@localhost",
            mail_directory=get("mail_directory"),
            mail_poll_seconds=float(get("mail_poll_seconds", 0.25)),
            mail_retry_max_seconds=float(get("mail_retry_max_seconds", 60)),
            page_size_limit=int(get("page_size_limit", 1000)),
            mail_budget_per_hour=int(get("mail_budget_per_hour", 5)),
            jwt_secret=get("jwt_secret") or None,
            session_idle=timedelta(seconds=int(get("session_idle_seconds", 8 * 3600))),
            totp_issuer=get("totp_issuer") or "crunchusers",
            retry_backoff_ms=float(get("retry_backoff_ms", 20)),
            read_cache_mb=int(get("read_cache_mb", 16)),
            login=LoginSettings.from_settings(get, int(get("argon2.parallelism", 4))),
        )


def _default_url_base(value: str) -> str:
    """The link template used when a request names none: a path (resolved
    against ``public_url``) or an absolute http(s) URL, with ``${token}``."""
    if "${token}" not in value:
        raise ConfigurationError("crunchusers.default_url_base must contain ${token}.")
    if (urlsplit(value).scheme or value.startswith("//")) and origin_of(value) is None:
        raise ConfigurationError(f"crunchusers.default_url_base {value!r} is not an http(s) URL.")
    return value


def _public_url(value, default_url_base: str) -> str | None:
    """``public_url``, or else the origin of an absolute ``default_url_base``
    (older configurations); a value without an http(s) origin stops start-up."""
    if value and origin_of(value) is None:
        raise ConfigurationError(f"crunchusers.public_url {value!r} is not an http(s) URL.")
    return value or origin_of(default_url_base)


def _link_origins(value) -> tuple[str, ...]:
    origins = aslist(value)
    for origin in origins:
        if not is_origin(origin):
            raise ConfigurationError(
                f"crunchusers.link_origins: {origin!r} is not an origin (scheme://host[:port])."
            )
    return tuple(origin_of(origin) for origin in origins)


def get_config(registry) -> Config:
    return registry.crunchusers_config
