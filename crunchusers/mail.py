"""Outgoing mail that is sent only if the request's transaction commits.

The mailer is pyramid_mailer's: SMTP from the standard ``mail.*`` settings, or
files under ``crunchusers.mail_directory`` (development).  Either way a message
is handed to it from an after-commit hook, so a failed or retried request
never sends anything, and a retried one sends exactly once.
"""

import logging

from pyramid_mailer import get_mailer
from pyramid_mailer.interfaces import IMailer
from pyramid_mailer.mailer import DebugMailer, Mailer
from pyramid_mailer.message import Message

from .settings import get_config

log = logging.getLogger(__name__)


def includeme(config):
    directory = get_config(config.registry).mail_directory
    if directory:
        mailer = DebugMailer(directory)
    else:
        mailer = Mailer.from_settings(config.registry.settings)
    config.registry.registerUtility(mailer, IMailer)


def send_mail(registry, tm, *, to: str, subject: str, body: str):
    """Queue one plain-text message for delivery after ``tm`` commits."""
    sender = get_config(registry).mail_sender
    message = Message(subject=subject, sender=sender, recipients=[to], body=body)
    mailer = get_mailer(registry)

    def deliver(committed):
        if not committed:
            return
        try:
            mailer.send_immediately(message)
        except Exception:  # the data is committed; a mail failure must not hide that
            log.exception("Could not send mail %r to %s", subject, to)

    tm.get().addAfterCommitHook(deliver)
