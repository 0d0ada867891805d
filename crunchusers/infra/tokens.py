"""Random tokens and their hashes.

Every bearer secret (session token, API key, invitation link token) is 256
random bits from ``secrets``; only its SHA-256 is stored, so a copy of the
database does not let anyone log in.  SHA-256 is enough because the input is
uniformly random, not a human password.
"""

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_id() -> str:
    """Opaque 128-bit hex identifier used as a URL segment."""
    return secrets.token_hex(16)
