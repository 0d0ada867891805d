"""People: making accounts and their users.

``Account.user_ids`` and ``User.account_id`` are written together only
here, so the two sides cannot disagree.  What users share — teams, projects,
datasets — is :mod:`.collaboration`; removing a user is :mod:`.removal`.
"""

from ..authz.roles import DEFAULT_ROLES
from .resources.accounts import Account
from .resources.users import User


def new_user(
    api_root,
    account,
    *,
    email,
    now,
    name="",
    first_name="",
    last_name="",
    username=None,
    roles=DEFAULT_ROLES,
    password_hash=None,
) -> User:
    """Create a user in ``account``; pending unless a password is given,
    and then active but bound to verify the address before normal use
    (``domain.email_address``).

    Raises ``DuplicateLogin`` when the email or username is taken.
    """
    user = User(email, name=name, first_name=first_name, last_name=last_name, created=now)
    user.username = username or None
    user.roles = tuple(roles)
    if password_hash:
        user.password_hash = password_hash
        user.status = "active"
        user.must_verify_email = True
    api_root.users.add(user)
    user.account_id = account.__name__
    account.user_ids.add(user.__name__)
    account.file_member(user)
    return user


def create_account(api_root, *, name, owner_email, now, owner_name="", password_hash=None):
    """A new account and its owner (an administrator), in one step."""
    account = api_root.accounts.add(Account(name, created=now))
    owner = new_user(
        api_root,
        account,
        email=owner_email,
        name=owner_name,
        now=now,
        roles=("administrator",),
        password_hash=password_hash,
    )
    account.owner_id = owner.__name__
    return account, owner
