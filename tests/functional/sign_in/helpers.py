"""Logging in over HTTP, and reading what sign-ins left in the database."""

from crunchusers.infra.storage import get_db
from tests.factories import PASSWORD
from tests.functional.helpers import LOGIN

WRONG = "not the password at all"


def attempt(testapp, email, password=WRONG, status=401, **kw):
    """One token login; its response."""
    body = {"email": email, "password": password, "token": True}
    return testapp.post_json(LOGIN, body, status=status, **kw)


def fail(testapp, email, times=1, **kw):
    """``times`` logins with a wrong password, each a 401."""
    for _ in range(times):
        attempt(testapp, email, **kw)


def succeed(testapp, email, **kw):
    return attempt(testapp, email, PASSWORD, status=200, **kw)


def status_of(factory, user_id):
    return factory.read(lambda root: root.users[user_id].status)


def last_transaction(app):
    """The id of the database's latest committed transaction, as a new
    connection sees it (RelStorage's shared storage object learns of
    commits only when it polls; a connection polls when it opens)."""
    conn = get_db(app.registry).open()
    try:
        return conn._storage.lastTransaction()
    finally:
        conn.close()


def history_of(factory, user_id) -> list[dict]:
    """The user's stored login history, newest first ([] before any)."""

    def read(root):
        record = root.sign_ins.of(root.users[user_id])
        return [entry for _, entry in record.history.page(0, 10_000)] if record else []

    return factory.read(read)
