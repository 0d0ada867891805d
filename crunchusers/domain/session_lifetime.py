"""How long a login session lives: a setting of each account.

An account's admins choose ``session_lifetime_seconds`` on the account
entity, from 5 minutes to 30 days; an account that chose nothing (and a
user without an account, the superuser) gets the server's default,
``crunchusers.session_lifetime_seconds`` (24 h).  A session takes its
account's lifetime when it starts (its stored expiry and the cookie's
``Max-Age``), and every request also refuses it once it is older than the
account's *current* lifetime (``authz.policy``): shortening the lifetime
ends longer sessions at once, lengthening it extends none.  API keys are not
sessions: they live until the expiry their owner chose.
"""

from datetime import timedelta

#: The bounds an account admin may choose between (seconds).
MIN_SECONDS = 5 * 60
MAX_SECONDS = 30 * 24 * 3600


def account_lifetime(account, default: timedelta) -> timedelta:
    """What ``account`` chose, else ``default`` (also for no account)."""
    seconds = getattr(account, "session_lifetime_seconds", None)
    return timedelta(seconds=seconds) if seconds is not None else default


def session_lifetime(api_root, user, default: timedelta) -> timedelta:
    """The lifetime of ``user``'s login sessions: their account's."""
    account = api_root.accounts.get(user.account_id) if user.account_id else None
    return account_lifetime(account, default)
