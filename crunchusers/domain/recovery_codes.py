"""Recovery codes: one-time passwords a user keeps on paper for the day the
phone with their authenticator is gone.

Ten at a time, each 16 random base32 characters (80 bits, shown grouped as
``abcd-efgh-ijkl-mnop``); only their SHA-256 is stored — enough for
uniformly random secrets of that size, as for tokens (``infra.tokens``).
A code is read case-insensitively, dashes and spaces ignored, and works once.
"""

import secrets

from ..infra.tokens import hash_token

COUNT = 10
LENGTH = 16
GROUP = 4
ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # base32: 5 bits a character


def new_codes(count: int = COUNT) -> list[str]:
    """``count`` fresh codes, as the user is shown them."""
    return [_new_code() for _ in range(count)]


def _new_code() -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(code[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def digest(code) -> str | None:
    """The stored form of ``code``; None for what cannot be a code."""
    if not isinstance(code, str) or len(code) > 2 * LENGTH:
        return None
    plain = "".join(code.split()).replace("-", "").lower()
    if len(plain) != LENGTH or not set(plain) <= set(ALPHABET):
        return None
    return hash_token(plain)
