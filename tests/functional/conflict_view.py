"""A test-only view that hits a real ZODB write conflict on its first attempt.

Included through ``pyramid.includes`` by test_retry.py.  On the first attempt
it commits a competing change to the same object from another connection, so
the request's own commit raises ``ConflictError`` and pyramid_retry must
run it again.
"""

import transaction
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED

from crunchusers.infra.storage import ROOT_KEY, get_db

ATTEMPTS = []


def bump(request):
    api_root = request.api_root
    api_root.secrets["counter"] = api_root.secrets.get("counter", 0) + 1
    ATTEMPTS.append(api_root.secrets["counter"])
    if len(ATTEMPTS) == 1:
        manager = transaction.TransactionManager(explicit=True)
        conn = get_db(request.registry).open(transaction_manager=manager)
        with manager:
            other = conn.root()[ROOT_KEY]
            other.secrets["counter"] = other.secrets.get("counter", 0) + 100
        conn.close()
    return Response(json_body={"counter": api_root.secrets["counter"]})


MAIL_ATTEMPTS = []


def mail_then_conflict(request):
    """Queue a mail, then conflict on the first attempt like ``bump``."""
    from crunchusers.infra.mail import send_mail

    MAIL_ATTEMPTS.append(1)
    send_mail(
        request,
        to="retry@example.com",
        subject="Once",
        body=f"attempt {len(MAIL_ATTEMPTS)}",
    )
    return bump(request)


def includeme(config):
    config.add_route("conflict", "/test/conflict/")
    config.add_view(bump, route_name="conflict", permission=NO_PERMISSION_REQUIRED)
    config.add_route("mail_conflict", "/test/mail-conflict/")
    config.add_view(
        mail_then_conflict, route_name="mail_conflict", permission=NO_PERMISSION_REQUIRED
    )
