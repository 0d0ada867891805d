"""Application settings: every knob has a safe default.

Only ``zodbconn.uri`` and the first superuser need configuring; everything
else is filled in here so a three-line ini file runs.  Values are parsed once
at start-up into :class:`Config`, which lives on the registry.
"""

from dataclasses import dataclass
from datetime import timedelta

from pyramid.settings import asbool

PREFIX = "crunchusers."

FRAMEWORK_DEFAULTS = {
    "retry.attempts": "5",
    "tm.commit_veto": "pyramid_tm.default_commit_veto",
    "tm.manager_hook": "pyramid_tm.explicit_manager",
    "handle_exceptions": "false",  # Cornice: our own error views render errors
}


@dataclass(frozen=True)
class Config:
    """Parsed ``crunchusers.*`` settings."""

    session_lifetime: timedelta
    link_token_lifetime: timedelta
    max_body_bytes: int
    secure_cookies: bool
    argon2_time_cost: int
    argon2_memory_cost: int
    argon2_parallelism: int
    superuser_email: str | None
    superuser_password: str | None
    default_url_base: str
    mail_sender: str
    mail_directory: str | None
    page_size_limit: int

    @classmethod
    def from_settings(cls, settings, environ=None) -> "Config":
        environ = environ or {}

        def get(name, default=None):
            return settings.get(PREFIX + name, default)

        password = get("superuser_password") or environ.get("CRUNCHUSERS_SUPERUSER_PASSWORD")
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
            default_url_base=get("default_url_base", "/password/change/${token}/"),
            mail_sender=settings.get("mail.default_sender") or "crunchusers@localhost",
            mail_directory=get("mail_directory"),
            page_size_limit=int(get("page_size_limit", 1000)),
        )


def get_config(registry) -> Config:
    return registry.crunchusers_config
