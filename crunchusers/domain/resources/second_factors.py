"""What the database keeps of second factors: each user's, and the
challenges of sign-ins waiting for a code.

A user's :class:`SecondFactor` is an object of its own (``User.second_factor``),
so a sign-in that uses a TOTP step or a recovery code writes it, never the
``User``.  The TOTP secret is kept as it is: the server computes the
expected codes from it, as every TOTP server must.  Recovery codes are kept
as SHA-256 digests only.

A :class:`Challenge` is the half-done sign-in of a user whose password was
right: kept by the SHA-256 of its token (``expiring.TokenKeyed``), with the
methods offered, the mailed code's keyed digest, and the count of wrong
codes.  A wrong code writes only its challenge.
"""

from persistent import Persistent

from .expiring import TokenKeyed


class SecondFactor(Persistent):
    """A user's second factors; class defaults, so none means "off"."""

    #: Opted in to codes by mail.
    email = False
    #: The active TOTP secret (base32), once confirmed with a first code.
    totp_secret = None
    #: A secret enrolled but not yet confirmed: it signs nobody in.
    pending_secret = None
    #: The last TOTP step accepted (none of it or before works again).
    totp_step = -1
    #: SHA-256 digests of the unused recovery codes.
    recovery_digests = frozenset()

    @property
    def totp(self) -> bool:
        return self.totp_secret is not None


class Challenge(Persistent):
    """A sign-in waiting for its second factor."""

    #: Wrong codes so far.
    wrong = 0
    #: Keyed digest of the mailed code (``second_factor.code_digest``), if one was mailed.
    code_digest = None

    def __init__(self, user_id, expires, methods, wants_token=False):
        self.user_id = user_id
        self.expires = expires
        self.methods = tuple(methods)
        #: The login asked for a bearer token instead of a cookie.
        self.wants_token = wants_token


class Challenges(TokenKeyed):
    """Every live challenge (``ApiRoot.mfa_challenges``)."""
