"""A test-only hook: the first attempt of a sign-in callback conflicts.

Included through ``pyramid.includes``.  When a callback request's first
attempt has found its context (its ZODB connection is open), another
connection commits a change to the user whose email is ``TARGET[0]``, so
the callback's own write of that user raises ``ConflictError`` and
pyramid_retry runs the request again.
"""

import transaction
from pyramid.events import ContextFound

from crunchusers.infra.storage import ROOT_KEY, get_db

TARGET = []
ATTEMPTS = []  # retry.attempt of each callback attempt seen


def touch_the_target(event):
    request = event.request
    if not request.path.endswith("/callback/"):
        return
    ATTEMPTS.append(request.environ.get("retry.attempt"))
    if ATTEMPTS[-1] != 0:
        return
    manager = transaction.TransactionManager(explicit=True)
    conn = get_db(request.registry).open(transaction_manager=manager)
    try:
        with manager:
            user = conn.root()[ROOT_KEY].users.find_by_email(TARGET[0])
            user.title = "changed by a concurrent request"
    finally:
        conn.close()


def includeme(config):
    config.add_subscriber(touch_the_target, ContextFound)
