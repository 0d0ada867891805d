"""The password policy: named rules after NIST SP 800-63B and OWASP ASVS.

* ``min_length`` — at least 12 characters by default (ASVS 4.0.3 2.1.1); an
  account may choose another minimum, never below 8 (NIST's floor).
* ``max_length`` — up to 128 characters are allowed, longer ones refused
  (ASVS 4.0.3 2.1.2); length counts code points.
* ``repetitive`` — fewer than 4 different characters (``aaaaaaaaaaaa``):
  NIST lists repetitive strings among the values to refuse.
* ``common`` — the 30,000 most common passwords of zxcvbn's maintained list,
  compared case-insensitively (ASVS 4.0.3 2.1.7 asks for at least 10,000).
* ``personal`` — the user's email local part (and its pieces), username or
  name (and each word of it) inside the password; pieces shorter than 3
  characters are ignored, or "Li" would refuse half of all passwords.
* ``history`` — none of the user's last 5 passwords, the current one
  included (seed 000: "the existing password cannot be specified").

There are no composition rules (NIST: SHALL NOT).  Rules are checked cheapest
first; ``history`` costs one argon2 verification per remembered password and
runs last, only for a caller who already proved who they are (the old
password, a mailed token, the operator's shell).
"""

import re
from dataclasses import asdict, dataclass
from functools import cache

from .exceptions import Invalid

ABSOLUTE_MIN_LENGTH = 8
MAX_LENGTH = 128
MIN_DISTINCT = 4
MAX_HISTORY = 24  # the most any account may ask to remember (Auth0's limit)
PERSONAL_MIN = 3


@cache
def common_passwords() -> frozenset[str]:
    """zxcvbn's list of common passwords, casefolded; loaded once, on first use."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.casefold() for word in FREQUENCY_LISTS["passwords"])


@dataclass(frozen=True)
class PasswordPolicy:
    """What an account chose (``min_length``, ``history``), else the defaults."""

    min_length: int = 12
    history: int = 5

    #: The members an account admin may set, with their bounds.
    BOUNDS = {"min_length": (ABSOLUTE_MIN_LENGTH, MAX_LENGTH), "history": (1, MAX_HISTORY)}

    @classmethod
    def of_account(cls, account) -> "PasswordPolicy":
        settings = getattr(account, "password_policy", None) or {}
        return cls(**{k: v for k, v in settings.items() if k in cls.BOUNDS})

    def settings(self) -> dict:
        return asdict(self)

    def describe(self) -> dict:
        """The active rules, as the ``password_policy`` view tells clients."""
        return {
            **self.settings(),
            "max_length": MAX_LENGTH,
            "min_distinct_characters": MIN_DISTINCT,
            "composition_rules": False,
            "common_passwords_refused": len(common_passwords()),
            "personal_information_refused": True,
            "rules": {
                "min_length": f"At least {self.min_length} characters.",
                "max_length": f"At most {MAX_LENGTH} characters.",
                "repetitive": f"At least {MIN_DISTINCT} different characters.",
                "common": "Not one of the most common passwords.",
                "personal": "Does not contain your name, username or email address.",
                "history": f"Not one of your last {self.history} passwords.",
            },
        }


def personal_words(*values) -> tuple[str, ...]:
    """What a password may not contain, casefolded: each value (an email
    counts by its local part), and each piece of it split at spaces, dots,
    dashes, underscores and plus signs; pieces under 3 characters dropped."""
    words = set()
    for value in values:
        if not value:
            continue
        value = value.casefold().rpartition("@")[0] or value.casefold()
        words.add(value.strip())
        words.update(re.split(r"[\s._+-]+", value))
    return tuple(sorted(w for w in words if len(w) >= PERSONAL_MIN))


def words_of(user) -> tuple[str, ...]:
    return personal_words(
        user.email, user.username, user.display_name, user.first_name, user.last_name
    )


def _refuse(field, rule, message):
    raise Invalid(field, f"The password {message} (password rule: {rule}).")


def check_password(
    policy: PasswordPolicy, password, *, field: str, personal=(), previous=(), matches=None
):
    """Raise a 400 naming ``field`` and the first rule ``password`` breaks.

    ``previous`` are the hashes ``history`` compares against (current first)
    and ``matches(hash, password)`` the verifier; both only for a user who
    has passwords already.
    """
    if not isinstance(password, str):
        raise Invalid(field, "The password must be a string.")
    if len(password) < policy.min_length:
        _refuse(field, "min_length", f"must have at least {policy.min_length} characters")
    if len(password) > MAX_LENGTH:
        _refuse(field, "max_length", f"must have at most {MAX_LENGTH} characters")
    if len(set(password)) < MIN_DISTINCT:
        _refuse(field, "repetitive", f"must have at least {MIN_DISTINCT} different characters")
    folded = password.casefold()
    if folded in common_passwords():
        _refuse(field, "common", "is one of the most common passwords")
    if any(word in folded for word in personal):
        _refuse(field, "personal", "must not contain your name, username or email address")
    for password_hash in list(previous)[: policy.history]:
        if matches(password_hash, password):
            _refuse(field, "history", f"must not be one of your last {policy.history} passwords")
