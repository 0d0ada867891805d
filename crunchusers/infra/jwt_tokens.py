"""API tokens as signed JWTs (HS256), checked on every request.

The signing key is a server secret: ``crunchusers.jwt_secret`` when set
(every process must then have the same one), else a random key generated
once at start-up and stored in the database (``Credentials.signing_key``),
so every process on one database shares it without configuration.

Only HS256 is accepted: a token naming ``none``, an RS/ES algorithm or
anything else is refused before its signature is looked at.  ``exp`` is
required and compared with the injectable clock here, not by PyJWT (which
reads the wall clock): exactly at ``exp`` works, one second past does not.
The ``jti`` is the key's public id; the caller then finds the stored key by
the SHA-256 of the whole token and checks that ids match, so a revoked key,
or a key of a user who may no longer sign in, stops at once.
"""

import secrets
from datetime import UTC, datetime

import jwt

from .settings import get_config

ALGORITHM = "HS256"


def new_signing_key() -> str:
    return secrets.token_urlsafe(48)


def looks_like_jwt(token: str) -> bool:
    """Opaque session tokens and legacy ``apk-`` keys have no dots."""
    return token.count(".") == 2


def expiry_of(expires: datetime) -> datetime:
    """The ``exp`` a token signed for ``expires`` carries (whole seconds)."""
    return datetime.fromtimestamp(int(expires.timestamp()), UTC)


def sign(key: str, public_id: str, expires: datetime) -> str:
    claims = {"jti": public_id, "exp": int(expiry_of(expires).timestamp())}
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def verified_id(key: str, token: str, now: datetime) -> str | None:
    """The ``jti`` of a token whose algorithm, signature and ``exp`` are
    good as of ``now``; None for anything else."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "jti"], "verify_exp": False},
        )
    except jwt.PyJWTError:
        return None
    exp, jti = claims["exp"], claims["jti"]
    if not isinstance(exp, int) or not isinstance(jti, str):
        return None
    if now > datetime.fromtimestamp(exp, UTC):
        return None
    return jti


def signing_key(registry, api_root) -> str | None:
    """``crunchusers.jwt_secret`` if set, else the database's own key."""
    return get_config(registry).jwt_secret or api_root.credentials.signing_key
