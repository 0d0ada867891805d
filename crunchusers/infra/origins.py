"""Web origins (``scheme://host[:port]``), normalized in one place.

Mailed links and the CSRF ``Origin`` check both compare origins; they must
agree on what "the same origin" means, so both use :func:`origin_of`.
Only absolute ``http``/``https`` URLs have an origin here: ``javascript:``,
``data:``, scheme-relative (``//host``) and relative URLs have none.
"""

from ipaddress import ip_address
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
#: Characters no link of ours contains; browsers and parsers disagree on them.
SUSPICIOUS = frozenset("\\ \t\r\n") | {chr(c) for c in range(32)} | {chr(127)}


def origin_of(url) -> str | None:
    """The normalized origin of an absolute http(s) URL, else None.

    Scheme and host are lower-cased and a default port is dropped, so
    ``HTTPS://App.Example.com:443/x`` gives ``https://app.example.com``.
    """
    if not isinstance(url, str) or not url or SUSPICIOUS.intersection(url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in DEFAULT_PORTS or not host or parts.username is not None:
        return None
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def is_origin(value) -> bool:
    """Whether ``value`` is only an origin: nothing after the port but "/"."""
    if origin_of(value) is None:
        return False
    parts = urlsplit(value)
    return parts.path in ("", "/") and not parts.query and not parts.fragment


def is_loopback(origin: str | None) -> bool:
    """Whether an origin names this machine (``localhost`` or a loopback IP)."""
    if origin is None:
        return False
    host = urlsplit(origin).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False
