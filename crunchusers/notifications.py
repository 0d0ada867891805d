"""The mails users receive, each a plain-text message sent after commit.

:class:`Notifier` binds the registry and transaction manager once (a request's
or the CLI's) so callers only say what happened.
"""

from string import Template
from urllib.parse import urljoin

from .clock import get_clock
from .errors import bad_request
from .mail import send_mail
from .settings import get_config


def link_from(url_base: str | None, token: str, default: str, base_url: str) -> str:
    """The link mailed to a user: ``url_base`` with ``${token}`` filled in.

    A relative template is made absolute against the configured default's
    origin (or the server's own URL), never left relative in a mail.
    """
    template = url_base or default
    if "${token}" not in template:
        raise bad_request("url_base must contain ${token}.", field="url_base")
    absolute = urljoin(default if "://" in default else base_url, template)
    return Template(absolute).safe_substitute(token=token)


class Notifier:
    def __init__(self, registry, tm, base_url: str):
        self.registry = registry
        self.tm = tm
        self.base_url = base_url.rstrip("/") + "/"

    @classmethod
    def for_request(cls, request):
        return cls(request.registry, request.tm, request.application_url)

    def _send(self, user, subject, body):
        if user.email:
            send_mail(self.registry, self.tm, to=user.email, subject=subject, body=body)

    def issue_link(self, api_root, user, purpose: str, url_base: str | None) -> str:
        """A fresh one-time token (older ones of that purpose die) as a link."""
        config = get_config(self.registry)
        now = get_clock(self.registry).now()
        token = api_root.link_tokens.issue(user, purpose, now, config.link_token_lifetime)
        return link_from(url_base, token, config.default_url_base, self.base_url)

    def invitation(self, api_root, user, account, url_base=None, inviter=None):
        link = self.issue_link(api_root, user, "invite", url_base)
        by = f" by {inviter.name}" if inviter is not None else ""
        hours = int(get_config(self.registry).link_token_lifetime.total_seconds() // 3600)
        self._send(
            user,
            f"You have been invited to {account.name}",
            f"Hello {user.name},\n\nYou have been added to the account "
            f'"{account.name}"{by}.\n\nSet your password and sign in here:\n\n{link}\n\n'
            f"This link works once and expires in {hours} hours.\n",
        )

    def password_reset(self, api_root, user, url_base=None):
        link = self.issue_link(api_root, user, "password_reset", url_base)
        self._send(
            user,
            "Reset your password",
            f"Hello {user.name},\n\nYou recently requested a password reset. Set a new "
            f"password here:\n\n{link}\n\nIf you did not ask for this, ignore this mail.\n",
        )

    def status_changed(self, user, old, new):
        self._send(
            user,
            "Your account status changed",
            f"Hello {user.name},\n\nYour status changed from {old} to {new}.\n",
        )

    def roles_changed(self, user, roles):
        self._send(
            user,
            "Your roles changed",
            f"Hello {user.name},\n\nYour roles are now: {', '.join(roles) or 'none'}.\n",
        )

    def password_changed(self, user):
        self._send(
            user,
            "Your password was changed",
            f"Hello {user.name},\n\nYour password was just changed. If this was not you, "
            "contact your account administrator.\n",
        )

    def ownership_received(self, user, what: str):
        self._send(
            user,
            "You are now an owner",
            f"Hello {user.name},\n\nYou are now the owner of {what}.\n",
        )

    def dataset_shared(self, user, dataset, sharer, dataset_url=None, message=None):
        note = f"\n\n{sharer.name} says: {message}" if message else ""
        link = f"\n\nOpen it here: {dataset_url}" if dataset_url else ""
        self._send(
            user,
            f'{sharer.name} shared "{dataset.name}" with you',
            f'Hello {user.name},\n\n{sharer.name} shared the dataset "{dataset.name}" '
            f"with you.{note}{link}\n",
        )

    def ownership_lost(self, user, what: str, new_owner):
        self._send(
            user,
            "Your things have a new owner",
            f"Hello {user.name},\n\n{what} now belong to {new_owner.name}.\n",
        )
