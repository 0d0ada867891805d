"""Inviting a new user by email from a sharing or membership request.

Members and permission catalogs accept an email nobody uses yet: a new
``standard`` user is created in the inviter's account and sent an invitation
(reference crunch-api.md §6, §7.1, §8.4).  Bringing a new person into the
account is managing its users, so it takes ``alter_users``; members without
it may still add existing users.
"""

from ..authz.rules import is_account_admin
from ..infra.clock import get_clock
from .exceptions import Invalid, NotAllowed
from .notifications import Notifier
from .users import new_user


def invite_by_email(request, email: str, url_base=None):
    """Invite ``email`` (already checked by the HTTP layer's ``email_address``)."""
    inviter = request.identity
    api_root = request.api_root
    if not inviter.account_id:
        raise Invalid(email, "Only a member of an account can invite new users.")
    account = api_root.accounts[inviter.account_id]
    if not is_account_admin(inviter, account):
        raise NotAllowed(
            "Only an account admin can invite new people into the account; "
            f"ask an admin to invite {email}."
        )
    user = new_user(api_root, account, email=email, now=get_clock(request.registry).now())
    Notifier.for_request(request).invitation(api_root, user, account, url_base, inviter)
    return user
