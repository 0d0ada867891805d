"""Time-based one-time passwords (RFC 6238) through pyotp, on our clock.

What every authenticator app reads from an ``otpauth://`` URI: 30-second
steps, 6 digits, HMAC-SHA1, a 160-bit secret.  At time ``t`` the codes of
the steps ``t // 30 - 1`` to ``t // 30 + 1`` are accepted (``WINDOW``), so a
phone whose clock is up to about 30 s off still works; the step comes from
the injectable clock, never from pyotp's ``time.time()``.  Each accepted
step is remembered and no code of it or an earlier step works again
(RFC 6238 §5.2): a code read over a shoulder is useless once used.
"""

import hmac

import pyotp

#: Steps accepted either side of the clock's.
WINDOW = 1
DIGITS = 6


def new_secret() -> str:
    """A fresh base32 secret (32 characters, 160 bits)."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, account_name: str, issuer: str) -> str:
    """The ``otpauth://totp/...`` URI an app scans as a QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=issuer)


def is_code(code) -> bool:
    """Six ASCII digits (what a TOTP or a mailed code looks like)."""
    return isinstance(code, str) and len(code) == DIGITS and code.isascii() and code.isdigit()


def matching_step(secret: str, code, now, after: int = -1) -> int | None:
    """The step of ``code`` within the window around ``now`` and later than
    ``after`` (the last step used), or None."""
    if not is_code(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(max(current - WINDOW, after + 1), current + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
