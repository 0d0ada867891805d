"""A user's email address: proving it, and changing it only through proof.

**Verification** (seed 003, "Email Verification").  A user made with a
password — by an account admin (``POST /account/users/`` with
``password``), the superuser (``POST /accounts/`` with ``owner.password``)
or the operator (``create-account --password``) — never proved that the
address is theirs, so :func:`~.users.new_user` sets ``must_verify_email``
and :func:`send_verification` mails a link.  Until it is followed the
security policy lets them use only a few views (``authz.verification``).
A link that sets a password (invitation, reset) proves the address too, and
so does an OpenID provider vouching for it (``federation.link``).
``must_verify_email`` defaults to False on the class, so the users of a
database from before this rule are not locked out by an upgrade.

**Email change** (reference §4.3 ``change_email``, after OWASP's
procedure): the user proves the current password; the new address is kept
only in the link token mailed to it (24 h, single use, one per user: a new
request kills the previous link); the old address keeps working and is told
of the request, and again when the change is done.  An address already in
use answers the same 204 and changes nothing; its owner is told that
someone tried to use it (what Ory Kratos does), so the requester learns
nothing and the owner knows.  Uniqueness is checked again when the link is
used, by :meth:`Users.change_email` through the email index: two
confirmations of one address write the same index key, so one of them
conflicts, is retried and then finds the address taken (409).

Confirming keeps the user's sessions and API tokens: it proves a mailbox,
not a secret, and the request already needed the password in a live
session; links mailed to the old address die.  A password change kills a
pending email change (``credentials.set_password``), so "change your
password", which the notice to the old address advises, also cancels it.
"""

from ..authz.grants import account_of
from .credentials import EMAIL_CHANGE_LINK, check_current_password
from .exceptions import Conflict, Invalid, InvalidLink
from .federation import refuse_email_change
from .resources.users import DuplicateLogin, normalize_email

VERIFY = "verify_email"
CHANGE = EMAIL_CHANGE_LINK
#: Links mailed to the current address, which die when it changes.
LINKS_TO_ADDRESS = ("invite", "password_reset", VERIFY)

#: Where the links point when a request names no ``url_base`` (a path on
#: ``crunchusers.public_url``: the pages that take the token).
VERIFY_PAGE = "/email/verify/${token}/"
CHANGE_PAGE = "/email/change/${token}/"


# -- verification -----------------------------------------------------------


def send_verification(api_root, user, notifier, url_base=None):
    """Mail ``user`` a fresh link proving their address (older ones die).

    ``url_base`` is checked first (a 400 naming it); over the address's
    mail budget nothing is sent and the previous link keeps working."""
    template = notifier.links.template(url_base, VERIFY_PAGE)
    if not notifier.within_budget(api_root, user.email, "Verification"):
        return
    link = notifier.fresh_link(api_root, user, VERIFY, template, value=normalize_email(user.email))
    notifier.mail(
        user.email,
        "Verify your email address",
        f"Hello {user.name},\n\nConfirm that this address is yours:\n\n{link}\n\n"
        "Until you do, you may sign in but not use the application. "
        f"{notifier.link_note()}\n",
    )


def welcome_mail(api_root, user, account, notifier, *, url_base=None, invite=True, inviter=None):
    """The first mail of a new user: the verification link to a user made
    with a password — always, they cannot work without it — and to anyone
    else the invitation, unless ``invite`` (``send_invite``) is false.
    ``url_base`` is the template of whichever link goes."""
    if user.must_verify_email:
        send_verification(api_root, user, notifier, url_base)
    elif invite:
        notifier.invitation(api_root, user, account, url_base, inviter)


def ask_for_verification(api_root, user, notifier, url_base=None):
    """The user asks for a new link (``POST /users/{id}/verify_email/``)."""
    if user.email_verified:
        raise Invalid(None, "This email address is already verified.")
    send_verification(api_root, user, notifier, url_base)


def confirm_verification(api_root, token, now):
    """Use a verification link: the address it was mailed to, if it is
    still the user's, is verified (the user is returned).  Anything else is
    the one 400."""
    user, _ = _redeem(api_root, token, VERIFY, now)
    user.email_verified = True
    return user


# -- change ------------------------------------------------------------------


def request_email_change(
    registry,
    api_root,
    user,
    password,
    new_email,
    *,
    notifier,
    url_base=None,
    fields=("pw", "email"),
):
    """``user`` asks to make ``new_email`` their address, proving ``password``.

    409 for a user whose provider vouches for the address, 400 naming
    ``fields[0]`` for a wrong password, ``fields[1]`` for the current
    address, ``url_base`` for a link template on a foreign origin.  Then the
    old address is told, and the new one gets the link — or, if somebody
    has it, a notice — within its mail budget."""
    password_field, email_field = fields
    refuse_email_change(user)
    check_current_password(registry, user, password, field=password_field)
    new_email = new_email.strip()
    if normalize_email(new_email) == normalize_email(user.email):
        raise Invalid(email_field, "That is already the user's email address.")
    template = notifier.links.template(url_base, CHANGE_PAGE)
    notifier.mail(
        user.email,
        "A change of your email address was requested",
        f"Hello {user.name},\n\nSomeone signed in as you asked to change your email address "
        f"to {new_email}. Nothing changes until the link mailed to that address is "
        "followed; until then this address stays yours.\n\nIf this was not you, change "
        "your password now: that also cancels the change.\n",
    )
    if not notifier.within_budget(api_root, new_email, "Email change"):
        return
    if api_root.users.login_taken(normalize_email(new_email)):
        notifier.mail(
            new_email,
            "Someone tried to use your email address",
            "Hello,\n\nSomeone asked to make this address the email address of another "
            "user here. Nothing changed: an address belongs to one user only. If this "
            "was you, sign in with this address instead.\n",
        )
        return
    link = notifier.fresh_link(api_root, user, CHANGE, template, value=new_email)
    notifier.mail(
        new_email,
        "Confirm your new email address",
        f"Hello {user.name},\n\nConfirm that this is your new email address:\n\n{link}\n\n"
        f"{notifier.link_note()} If you did not ask for this, ignore this mail: "
        "nothing changes.\n",
    )


def confirm_email_change(api_root, token, now, notifier):
    """Use a change link: the address it carries becomes the user's, verified.

    409 if somebody took the address meanwhile (the link then stays usable
    until it expires, since a failed request changes nothing).  The old
    address is freed, its links die, and it is told of the change.
    Returns the user."""
    user, new_email = _redeem(api_root, token, CHANGE, now)
    old_email = user.email
    try:
        api_root.users.change_email(user, new_email)
    except DuplicateLogin as exc:
        raise Conflict("That email address is in use by now; nothing changed.", "token") from exc
    for purpose in LINKS_TO_ADDRESS:
        api_root.link_tokens.revoke(user, purpose)
    user.email_verified = True
    account = account_of(api_root, user)
    if account is not None:
        account.file_member(user)  # a user without a name sorts by address
    notifier.mail(
        old_email,
        "Your email address was changed",
        f"Hello {user.name},\n\nThe email address of your account is now {user.email}; "
        "this address no longer signs in. If this was not you, contact your account "
        "administrator.\n",
    )
    return user


def link_holder(api_root, token, purpose, now):
    """``(user, value)`` of a live link of ``purpose``, left usable (the page
    behind the link shows whom it serves); None for a link :func:`_redeem`
    would refuse."""
    return _usable(api_root, api_root.link_tokens.peek_link(token, (purpose,), now), purpose)


def _redeem(api_root, token, purpose, now):
    """``(user, value)`` of a live link of ``purpose``, used up, or the one 400."""
    found = _usable(api_root, api_root.link_tokens.redeem_link(token, (purpose,), now), purpose)
    if found is None:
        raise InvalidLink()
    return found


def _usable(api_root, link, purpose):
    """The link of a user who is not active (any more) is as dead as an
    unknown one, and so is a verification link of an address that is no
    longer the user's."""
    user = api_root.users.get(link.user_id) if link is not None else None
    if user is None or not user.is_active or not link.value:
        return None
    if purpose == VERIFY and link.value != normalize_email(user.email):
        return None
    return user, link.value
