"""Logins beyond the hashing capacity are refused at once — a 503 with
``Retry-After`` and a JSON message, nothing written — instead of holding a
request thread until a hashing slot frees."""

import threading

from webtest import TestApp

from crunchusers.infra.passwords import hash_gate
from tests.factories import PASSWORD, Factory
from tests.functional.helpers import assert_error

from .helpers import attempt, history_of, last_transaction, succeed


def test_a_login_finding_every_slot_taken_answers_503_and_changes_nothing(app_with):
    app = app_with(
        **{
            "crunchusers.hashing.slots": "1",
            "crunchusers.hashing.waiting": "0",
            "crunchusers.login.refusal_delay_seconds": "0",
        }
    )
    factory = Factory(app, TestApp(app))
    _, owner_id = factory.account()
    email = factory.email_of(owner_id)
    gate = hash_gate(app.registry)
    release = threading.Event()
    holder = threading.Thread(target=gate.run, args=(lambda: release.wait(10),))
    holder.start()
    with gate.lock:
        assert gate.lock.wait_for(lambda: gate.running == 1, timeout=10)
    before = last_transaction(app)
    for password in (PASSWORD, "a wrong password"):
        res = attempt(factory.testapp, email, password, status=503)
        assert_error(res, 503)
        assert res.headers["Retry-After"] == "1"
    assert last_transaction(app) == before  # no failure counted, no history
    release.set()
    holder.join(10)
    succeed(factory.testapp, email)
    assert len(history_of(factory, owner_id)) == 1
