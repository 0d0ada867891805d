"""A user's credentials as one lifecycle, whichever door a request came in by.

* :func:`set_password` is the only code that stores a password: password
  change, reset and invitation links, the own-account edit and the CLI all
  call it, so the policy, the history, the ended sessions and API tokens, the
  killed reset links and the notification cannot differ between doors.
* :func:`end_sessions` ends every session and API token of a user but the
  one given — for password changes, forced resets and :func:`expire_sessions`.
* :func:`force_password_reset` makes a user set a new password through a
  mailed link before anything else works.
* :func:`set_password_with_link` is what a mailed invitation or reset link
  does, for the JSON endpoint and the page behind the link alike.
"""

from functools import partial

from ..infra.clock import get_clock
from ..infra.passwords import hash_password, verify_password
from .exceptions import Invalid
from .federation import refuse_password
from .password_policy import PasswordPolicy, check_password, words_of

#: Link purposes that set a password; any password change kills them all.
PASSWORD_LINKS = ("invite", "password_reset")
#: A pending email change dies with the password too: "change your
#: password", which the notice of the request advises, also cancels it.
EMAIL_CHANGE_LINK = "change_email"

#: The one answer to an unknown, used or expired link token.
INVALID_LINK = "This link is invalid or has expired."


def end_sessions(api_root, user, keep: str | None = None):
    """End every session and API token of ``user`` except the credential
    whose raw secret is ``keep`` (the caller's own, when it should survive)."""
    api_root.credentials.end_all(user, keep=keep)


def expire_sessions(api_root, user, actor, notifier):
    """ "Expire all sessions": every session and API token of ``user`` ends at
    once, the caller's own included when ``actor`` is the user (they asked
    to be signed out everywhere, this device too).  The user is mailed when
    someone else (an admin) did it."""
    end_sessions(api_root, user)
    if actor.__name__ != user.__name__:
        notifier.sessions_expired(user)


def end_password_links(api_root, user):
    for purpose in (*PASSWORD_LINKS, EMAIL_CHANGE_LINK):
        api_root.link_tokens.revoke(user, purpose)


def policy_for(api_root, user) -> PasswordPolicy:
    """The policy of the user's account; the defaults for users without one."""
    account = api_root.accounts.get(user.account_id) if user.account_id else None
    return PasswordPolicy.of_account(account)


def previous_hashes(user) -> tuple:
    """The hashes the history rule compares with, the current one first."""
    current = (user.password_hash,) if user.password_hash else ()
    return (*current, *user.password_history)


def new_user_password_hash(registry, account, password, *, field: str, personal=()):
    """The hash of the password a user is created with, once the account's
    policy (no history yet) accepted it; None when there is no password."""
    if password is None:
        return None
    check_password(PasswordPolicy.of_account(account), password, field=field, personal=personal)
    return hash_password(registry, password)


def set_password(registry, api_root, user, password, *, field, notifier, keep=None):
    """Check ``password`` against the user's policy and store it.

    Then: the previous hash joins the history (only hashes are kept), a
    forced reset is satisfied, every other session and API token ends (all
    but ``keep``), every outstanding reset, invitation or email change link
    dies, and a user whose password was replaced is mailed.
    """
    refuse_password(user)  # an oauth user has none (409)
    policy = policy_for(api_root, user)
    check_password(
        policy,
        password,
        field=field,
        personal=words_of(user),
        previous=previous_hashes(user),
        matches=partial(verify_password, registry),
    )
    replaced = user.password_hash is not None
    user.password_history = previous_hashes(user)[: policy.history - 1]
    user.password_hash = hash_password(registry, password)
    user.password_changed = get_clock(registry).now()
    user.must_reset_password = False
    end_sessions(api_root, user, keep)
    end_password_links(api_root, user)
    if replaced:
        notifier.password_changed(user)


def check_current_password(registry, user, password, *, field):
    """A 400 naming ``field`` unless ``password`` is the user's current one
    (a 409 first for a user who signs in elsewhere and has none)."""
    refuse_password(user)
    if not isinstance(password, str) or not verify_password(
        registry, user.password_hash, password
    ):
        raise Invalid(field, "The current password is not correct.")


def change_own_password(registry, api_root, user, old, new, *, fields, notifier, keep=None):
    """A signed-in user replaces their password, proving the old one first
    (ASVS 6.2.3); ``fields`` names the old and new members for the 400s."""
    old_field, new_field = fields
    check_current_password(registry, user, old, field=old_field)
    set_password(registry, api_root, user, new, field=new_field, notifier=notifier, keep=keep)


def force_password_reset(api_root, user, notifier, url_base=None):
    """An admin makes ``user`` set a new password through a mailed link: the
    user's sessions and API tokens end and signing in fails (the same 401 as
    a wrong password) until a link sets one.  The admin never chooses the
    password (ASVS 6.4.6); the old one stays only for the history rule."""
    if user.status != "active":
        raise Invalid(None, "Only an active user can be made to reset their password.")
    user.must_reset_password = True
    end_sessions(api_root, user)
    api_root.link_tokens.revoke(user, EMAIL_CHANGE_LINK)
    notifier.password_reset(api_root, user.email, url_base, forced=True)


def password_link_user(api_root, token, now, *, consume: bool):
    """The user a live password link belongs to, or None; ``consume`` uses it up."""
    tokens = api_root.link_tokens
    find = tokens.redeem if consume else tokens.peek
    user_id = find(token, PASSWORD_LINKS, now)
    user = api_root.users.get(user_id) if user_id else None
    if user is None or user.status in ("deleted", "inactive", "locked"):
        return None
    return user


def set_password_with_link(registry, api_root, token, password, *, field, notifier):
    """Set a password with a mailed token (reset or invitation), using it up:
    activates a pending user and marks the email verified.  Unknown, used
    and expired tokens get one 400 naming ``token``; a refused password (400
    naming ``field``) keeps the token, as the failed transaction is vetoed.
    Returns the user."""
    user = password_link_user(api_root, token, get_clock(registry).now(), consume=True)
    if user is None:
        raise Invalid("token", INVALID_LINK)
    set_password(registry, api_root, user, password, field=field, notifier=notifier)
    user.email_verified = True
    if user.status == "pending":
        user.status = "active"
    return user
