"""The mails users receive, each a plain-text message queued in the outbox.

:class:`Notifier` binds the registry, an outbox writer (a request's or the
CLI's) and the :class:`Links` policy once, so callers only say what happened.
Mails that carry a link anyone may ask for (password resets, invitations,
verifications, email changes) spend the address's hourly budget
(``crunchusers.mail_budget_per_hour``, :mod:`.resources.mail_budget`);
over it they are silently not sent, and the request answers as usual.
"""

import logging
from string import Template
from urllib.parse import urljoin, urlsplit

from ..infra.clock import get_clock
from ..infra.mail import job, postbox_for_request
from ..infra.origins import is_loopback, origin_of
from ..infra.settings import get_config
from ..infra.storage import ROOT_KEY
from .exceptions import Invalid
from .federation import uses_external_identity

log = logging.getLogger(__name__)


class Links:
    """Where mailed links may point: at ``crunchusers.public_url`` and
    ``crunchusers.link_origins``, never at an origin a request names.

    Without ``public_url`` a relative link uses the request's own origin
    only when that is a loopback one (a development machine); otherwise
    making the link is a 400 naming ``url_base``.
    """

    def __init__(self, config, request_origin: str | None = None):
        self.default = config.default_url_base
        self.base = config.public_url
        self.allowed = set(config.allowed_origins)
        if self.base is None and is_loopback(request_origin):
            self.base = request_origin
            self.allowed.add(request_origin)

    @classmethod
    def for_request(cls, request):
        return cls(get_config(request.registry), origin_of(request.host_url))

    def template(self, url_base, default: str | None = None) -> str:
        """The absolute link template (with ``${token}``) for ``url_base``,
        or when it is None or empty for ``default`` (a path on
        ``public_url``), else for the configured ``default_url_base``."""
        template = (default or self.default) if url_base in (None, "") else url_base
        if not isinstance(template, str) or "${token}" not in template:
            raise Invalid("url_base", "url_base must be a string containing ${token}.")
        return self.resolve(template, "url_base")

    def resolve(self, url, field: str) -> str:
        """``url`` made absolute against ``public_url``; a 400 naming
        ``field`` unless its origin is an allowed one.  ``javascript:``,
        ``data:`` and scheme-relative URLs have no allowed origin."""
        if not isinstance(url, str) or url.startswith("//"):
            raise Invalid(field, f"{field} must be an http(s) link or a path.")
        absolute = url if urlsplit(url).scheme else urljoin(self._base(field), url)
        if origin_of(absolute) not in self.allowed:
            raise Invalid(
                field,
                f"{field} must point at one of: {', '.join(sorted(self.allowed)) or 'nothing'} "
                "(crunchusers.public_url and crunchusers.link_origins).",
            )
        return absolute

    def _base(self, field: str) -> str:
        if self.base is None:
            raise Invalid(
                field,
                "No link can be made: crunchusers.public_url is not configured and this "
                "request's host is not a loopback address.",
            )
        return self.base


class Notifier:
    def __init__(self, registry, postbox, links: Links | None):
        self.registry = registry
        self.postbox = postbox
        self.links = links

    @classmethod
    def for_request(cls, request):
        return cls(request.registry, postbox_for_request(request), Links.for_request(request))

    def _send(self, user, subject, body):
        self.mail(user.email, subject, body)

    def mail(self, to: str | None, subject: str, body: str):
        """Queue a plain-text mail to one address (none: nothing)."""
        if to:
            sender = get_config(self.registry).mail_sender
            self.postbox.mail(to=to, subject=subject, body=body, sender=sender)

    def within_budget(self, api_root, address: str, what: str) -> bool:
        """Spend one mail of ``address``'s hourly budget; False when spent."""
        per_hour = get_config(self.registry).mail_budget_per_hour
        if api_root.mail_budget.spend(address, get_clock(self.registry).now(), per_hour):
            return True
        log.warning("%s mail not sent: the address's hourly mail budget is spent", what)
        return False

    def fresh_link(self, api_root, user, purpose: str, template: str, value=None) -> str:
        """A fresh one-time token (older ones of that purpose die) as a
        link; the token keeps ``value`` (see ``LinkToken``)."""
        config = get_config(self.registry)
        now = get_clock(self.registry).now()
        token = api_root.link_tokens.issue(user, purpose, now, config.link_token_lifetime, value)
        return Template(template).safe_substitute(token=token)

    def link_note(self) -> str:
        """What every mailed link says of itself."""
        hours = int(get_config(self.registry).link_token_lifetime.total_seconds() // 3600)
        return f"This link works once and expires in {hours} hours."

    def invitation(self, api_root, user, account, url_base=None, inviter=None):
        """Mail a fresh invitation link; over the budget nothing happens (the
        older link keeps working), though ``url_base`` is still checked."""
        template = self.links.template(url_base)
        if not self.within_budget(api_root, user.email, "Invitation"):
            return
        link = self.fresh_link(api_root, user, "invite", template)
        by = f" by {inviter.name}" if inviter is not None else ""
        self._send(
            user,
            f"You have been invited to {account.name}",
            f"Hello {user.name},\n\nYou have been added to the account "
            f'"{account.name}"{by}.\n\nSet your password and sign in here:\n\n{link}\n\n'
            f"{self.link_note()}\n",
        )

    def password_reset(self, api_root, email: str, url_base: str | None, forced=False):
        """Queue a reset for whoever has ``email``.

        The request does the same work whatever the address: it checks
        ``url_base`` and queues one job.  The delivery worker spends the
        address's mail budget, looks the address up, issues the token and
        writes the mail (or nothing), so neither the answer nor its timing
        says whether the address exists.  Spending the budget in the worker
        keeps the one counter per address out of the requests: ten
        simultaneous resets for one address do not conflict with each other.
        """
        template = self.links.template(url_base)
        self.postbox.job("password_reset", email=email, template=template, forced=forced)

    def password_reset_mail(self, api_root, user, template: str, forced=False):
        link = self.fresh_link(api_root, user, "password_reset", template)
        why = (
            "An administrator requires you to set a new password before you sign in again."
            if forced
            else "You recently requested a password reset."
        )
        self._send(
            user,
            "Reset your password",
            f"Hello {user.name},\n\n{why} Set a new password here:\n\n{link}\n\n"
            f"{self.link_note()} If you did not ask for this, ignore this mail.\n",
        )

    def status_changed(self, user, old, new):
        self._send(
            user,
            "Your account status changed",
            f"Hello {user.name},\n\nYour status changed from {old} to {new}.\n",
        )

    def account_locked(self, user, failures: int):
        self._send(
            user,
            "Your account was locked",
            f"Hello {user.name},\n\nYour account was locked after {failures} failed sign-in "
            "attempts in a row. An administrator of your account can unlock it. If these "
            "attempts were not yours, tell them: someone may be guessing your password.\n",
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

    def sessions_expired(self, user):
        self._send(
            user,
            "You were signed out everywhere",
            f"Hello {user.name},\n\nAn administrator of your account ended all your "
            "sessions and API tokens. Sign in again; create new API tokens where needed.\n",
        )

    def second_factor_code(self, user, code: str, minutes: int):
        self._send(
            user,
            "Your sign-in code",
            f"Hello {user.name},\n\nYour sign-in code is {code}. It works once, within "
            f"{minutes} minutes.\n\nIf you are not signing in right now, someone knows "
            "your password: change it, and tell your account administrator.\n",
        )

    def second_factor_reset(self, user):
        self._send(
            user,
            "Your second factor was reset",
            f"Hello {user.name},\n\nAn administrator of your account removed your second "
            "factor (authenticator app, recovery codes, codes by mail). Set it up again "
            "after you sign in. If you did not ask for this, contact your administrator.\n",
        )

    def api_key_created(self, user, key):
        self._send(
            user,
            "An API token was created",
            f"Hello {user.name},\n\nAn API token named {key.name!r} was created for you; "
            f"it expires {key.expires:%Y-%m-%d %H:%M} UTC. If this was not you, delete it "
            "under /api/apikeys/ and contact your account administrator.\n",
        )

    def ownership_received(self, user, what: str):
        self._send(
            user,
            "You are now an owner",
            f"Hello {user.name},\n\nYou are now the owner of {what}.\n",
        )

    def dataset_shared(self, user, dataset, sharer, dataset_url=None, message=None):
        note = f"\n\n{sharer.name} says: {message}" if message else ""
        if dataset_url:
            dataset_url = self.links.resolve(dataset_url, "dataset_url")
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


@job("password_reset")
def mail_password_reset(registry, zodb_root, postbox, *, email: str, template: str, forced=False):
    """The worker's half of :meth:`Notifier.password_reset`."""
    api_root = zodb_root[ROOT_KEY]
    notifier = Notifier(registry, postbox, None)
    if not notifier.within_budget(api_root, email, "Password reset"):
        return
    user = api_root.users.find_by_email(email)
    if user is not None and user.status == "active" and not uses_external_identity(user):
        notifier.password_reset_mail(api_root, user, template, forced)
