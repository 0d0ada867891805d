"""What the server says when it starts, and how it refuses to.

Start-up mistakes (a taken port, an unwritable or locked storage, production
without a superuser password) end in one line on stderr and exit status 1:
:class:`StartupError` is a ``SystemExit``, so ``pserve`` and the CLI print
its message instead of a traceback.  The start-up block names the API URL,
the storage and where mail goes; it shows a password only when the ini file
itself holds it (the demo login of ``development.ini``), never one from the
environment.
"""

import logging
import smtplib
from pathlib import Path
from urllib.parse import urlsplit

from .settings import PREFIX, get_config

log = logging.getLogger("crunchusers.startup")

SMTP_PROBE_SECONDS = 3


class StartupError(SystemExit):
    """A configuration problem the operator can fix: one line, exit 1."""

    def __init__(self, message: str):
        super().__init__(f"crunchusers: {message}")


def follow_http_port(settings: dict, global_config) -> dict:
    """``settings`` with a local ``public_url`` (localhost or 127.0.0.1) moved
    to the port ``pserve INI http_port=N`` serves on, so the start-up block
    and mailed links name the server actually running."""
    port = str((global_config or {}).get("http_port") or "")
    url = settings.get(PREFIX + "public_url") or ""
    parts = urlsplit(url)
    if not port.isdigit() or parts.hostname not in ("localhost", "127.0.0.1"):
        return settings
    moved = parts._replace(netloc=f"{parts.hostname}:{port}").geturl()
    return {**settings, PREFIX + "public_url": moved}


def storage_description(uri: str) -> str:
    """The storage named by ``zodbconn.uri``, without its password or query."""
    parts = urlsplit(uri)
    if parts.scheme == "file":
        return f"FileStorage {parts.path}"
    if parts.scheme == "memory":
        return "in-memory storage (lost on exit)"
    host = parts.hostname or ""
    return f"{parts.scheme} {host}{parts.path}"


def mail_description(registry) -> str:
    config = get_config(registry)
    if config.mail_directory:
        return f"written as files to {config.mail_directory}"
    settings = registry.settings
    return f"SMTP {settings.get('mail.host', 'localhost')}:{settings.get('mail.port', 25)}"


def refuse_passwordless_superuser(config):
    """Production without a superuser password would create a superuser
    nobody can log in as: refuse to start instead (called only when the
    superuser does not exist yet)."""
    if config.superuser_email and not config.superuser_password:
        raise StartupError(
            f"no password for the superuser {config.superuser_email}: set "
            "CRUNCHUSERS_SUPERUSER_PASSWORD (or crunchusers.superuser_password) "
            "for the first start."
        )


def warn_if_smtp_unreachable(registry):
    """One warning line when the SMTP server does not answer; mail then
    waits in the outbox, so the server still starts."""
    if get_config(registry).mail_directory:
        return
    settings = registry.settings
    host, port = settings.get("mail.host", "localhost"), int(settings.get("mail.port", 25))
    try:
        smtplib.SMTP(host, port, timeout=SMTP_PROBE_SECONDS).quit()
    except (OSError, smtplib.SMTPException) as exc:
        log.warning(
            "SMTP server %s:%s unreachable (%s); mail waits in the outbox", host, port, exc
        )


def report(registry, global_config):
    """Log the start-up block (INFO on ``crunchusers.startup``)."""
    config = get_config(registry)
    settings = registry.settings
    lines = [
        f"API:     {(config.public_url or 'http://<this host>').rstrip('/')}/api/",
        f"storage: {storage_description(settings.get('zodbconn.uri', ''))}",
        f"mail:    {mail_description(registry)}",
    ]
    if config.superuser_email and settings.get(PREFIX + "superuser_password"):
        ini = Path((global_config or {}).get("__file__", "the ini file")).name
        lines.append(
            f"login:   {config.superuser_email} / {settings[PREFIX + 'superuser_password']}"
            f" (from {ini})"
        )
    log.info("crunchusers started\n  %s", "\n  ".join(lines))
