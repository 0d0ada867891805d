"""Users who sign in through an OpenID provider (``id_method: oauth``).

Who may sign in with a provider, decided by the verified email the
provider vouches for (seed 004's ``id_method``/``id_provider``):

* a user already linked to this provider (``id_method: oauth``,
  ``id_provider`` = its name) signs in, if active and if the provider's
  subject (``sub``) is the one recorded at the first sign-in — an address
  the provider later gives to someone else does not open the account;
* an invited user who has not yet set a password (``pending``) is linked at
  the first sign-in: ``id_method`` becomes ``oauth``, ``id_provider`` the
  provider, the email counts as verified, the user becomes active, and the
  unused invitation link dies;
* nobody else: not an unknown address (the server is invitation-only),
  not an active password user (a provider vouching for an address never
  takes over an account that has a password: the owner would have to
  prove the password first, which is not built), not a locked, inactive
  or removed user, not a user of another provider.  All of these get the
  same refusal, so that it does not tell which addresses have accounts.

An ``oauth`` user has no password: password logins fail as for a wrong
password, password resets mail nothing, and setting a password or
changing the email is a 409 (:func:`refuse_password`,
:func:`uses_external_identity` for the email change).
"""

from .exceptions import Conflict, DomainError

OAUTH = "oauth"

REFUSAL = (
    "This sign-in is not possible here: this server admits only invited users, "
    "each through the way their account signs in (a password or one provider). "
    "Ask an administrator of your account."
)


class SignInRefused(DomainError):
    """The one answer for every address that may not sign in (403, also
    to an anonymous caller: they are who the provider says)."""

    status_code = 403

    def __init__(self):
        super().__init__(REFUSAL)


def uses_external_identity(user) -> bool:
    """Whether ``user`` signs in through an OpenID provider, and so has no
    password and keeps the email the provider vouched for."""
    return getattr(user, "id_method", None) == OAUTH


def refuse_password(user):
    """409 for an operation that would give ``user`` a password."""
    _refuse_for_external(user, "has no password here", "password")


def refuse_email_change(user):
    """409 for changing the email of a user whose provider vouches for it
    (for ``change_email``)."""
    _refuse_for_external(user, "keeps the email the provider vouches for", "email")


def _refuse_for_external(user, consequence: str, field: str):
    if uses_external_identity(user):
        raise Conflict(f"This user signs in with {user.id_provider} and {consequence}.", field)


def sign_in(api_root, provider: str, subject: str, email: str):
    """The user the provider's verified ``email`` and ``subject`` sign in,
    linked on an invited user's first sign-in; else :class:`SignInRefused`."""
    user = api_root.users.find_by_email(email)
    if user is None:
        raise SignInRefused()
    if uses_external_identity(user):
        if user.id_provider != provider or user.oidc_subject not in (None, subject):
            raise SignInRefused()
    elif user.status != "pending":  # a password user: active, locked or inactive
        raise SignInRefused()
    if user.status == "pending":
        link(api_root, user, provider, subject)
    if not user.is_active:
        raise SignInRefused()
    return user


def link(api_root, user, provider: str, subject: str):
    """Make an invited user an ``oauth`` user of ``provider`` and activate it."""
    user.id_method = OAUTH
    user.id_provider = provider
    user.oidc_subject = subject
    user.password_hash = None
    user.email_verified = True
    user.status = "active"
    for purpose in ("invite", "password_reset"):
        api_root.link_tokens.revoke(user, purpose)
