"""Issue 7 item 6: mail goes through a durable outbox and a delivery worker.

A request never talks to the mail server, a password reset does the same
work for every address (counted calls, not a timer), and mail queued while
the mail server is down arrives once it is back.
"""

import smtplib
import threading
import time
from collections import Counter
from itertools import pairwise

import pytest
import transaction
import ZODB
from aiosmtpd.controller import Controller
from argon2 import PasswordHasher
from pyramid_mailer.mailer import Mailer
from webtest import TestApp
from ZODB.FileStorage import FileStorage

from crunchusers import cli, main
from crunchusers.domain.resources.credentials import LinkTokens
from crunchusers.domain.resources.mail_budget import MailBudget
from crunchusers.domain.resources.users import Users
from crunchusers.infra.mail import (
    GATHER_SECONDS,
    LEASE,
    DeliveryFailed,
    DeliveryWorker,
    stop_delivery,
)
from crunchusers.infra.outbox import OUTBOX_KEY, Envelope, Outbox, Postbox, ensure_outbox
from crunchusers.infra.storage import get_db
from tests.conftest import FAST_ARGON2, Inbox, free_port
from tests.factories import Factory

RESET = "/api/public/password_reset/"
COUNTED = [
    (Users, "find_by_email"),
    (Users, "find_by_login"),
    (MailBudget, "spend"),
    (PasswordHasher, "hash"),
    (PasswordHasher, "verify"),
    (LinkTokens, "issue"),
    (Outbox, "put"),
    (Postbox, "mail"),
    (Postbox, "job"),
    (Mailer, "send_immediately"),
]


@pytest.fixture
def calls(monkeypatch):
    """Counts of calls to ``COUNTED``, keyed ``(thread, "Class.name")`` where
    thread is ``"request"`` (the test's own, which WebTest runs the app in)
    or ``"worker"``."""
    counts = Counter()
    test_thread = threading.current_thread()

    def counting(original, label):
        def counted(*args, **kwargs):
            thread = "request" if threading.current_thread() is test_thread else "worker"
            counts[thread, label] += 1
            return original(*args, **kwargs)

        return counted

    for owner, name in COUNTED:
        monkeypatch.setattr(
            owner, name, counting(getattr(owner, name), f"{owner.__name__}.{name}")
        )
    return counts


def in_request(counts) -> dict:
    return {label: n for (thread, label), n in counts.items() if thread == "request"}


def in_transaction(registry, change):
    """``change(zodb_root)`` committed in its own transaction."""
    manager = transaction.TransactionManager(explicit=True)
    conn = get_db(registry).open(transaction_manager=manager)
    try:
        with manager:
            return change(conn.root())
    finally:
        conn.close()


def pending(registry) -> list[tuple[str, int]]:
    """``(kind, attempts)`` of each envelope still waiting in the outbox."""

    def read(root):
        outbox = root[OUTBOX_KEY]
        return [(outbox.get(key).kind, outbox.get(key).attempts) for key in outbox.pending()]

    return in_transaction(registry, read)


def test_item07_06_reset_does_the_same_work_for_known_and_unknown_addresses(
    testapp, factory, inbox, calls
):
    account_id, _ = factory.account()
    known = factory.email_of(factory.user(account_id))
    inactive = factory.email_of(factory.user(account_id, status="inactive"))
    work = {}
    for email in (known, "nobody@example.com", inactive):
        calls.clear()
        testapp.post_json(RESET, {"email": email}, status=204)
        work[email] = in_request(calls)
    assert work[known] == work["nobody@example.com"] == work[inactive]
    assert work[known] == {"Postbox.job": 1, "Outbox.put": 1}
    # The worker did the rest, for the known address only.
    assert [m["To"] for m in inbox.messages] == [known]
    assert "/password/change/" in inbox.messages[0].text


def test_reset_over_the_mail_budget_does_the_same_work_for_known_and_unknown(
    testapp, factory, inbox, calls
):
    account_id, _ = factory.account()
    known = factory.email_of(factory.user(account_id))
    work = {}
    for email in (known, "nobody@example.com"):
        for _ in range(5):  # the default budget
            testapp.post_json(RESET, {"email": email}, status=204)
        calls.clear()
        res = testapp.post_json(RESET, {"email": email}, status=204)
        assert res.body == b""
        work[email] = in_request(calls)
    assert work[known] == work["nobody@example.com"] == {"Postbox.job": 1, "Outbox.put": 1}
    assert [m["To"] for m in inbox.messages] == [known] * 5  # the worker kept the budget


def test_item07_06_requests_never_talk_to_the_mail_server(testapp, factory, inbox, calls):
    account_id, owner_id = factory.account()
    headers = factory.login(owner_id)
    calls.clear()
    testapp.post_json(
        "/api/account/users/", {"email": "n@example.com"}, headers=headers, status=201
    )
    assert [m["To"] for m in inbox.wait_for(1)] == ["n@example.com"]
    assert calls["request", "Mailer.send_immediately"] == 0
    assert calls["worker", "Mailer.send_immediately"] == 1


def test_item07_06_mail_queued_while_smtp_is_down_arrives_once_it_is_back(settings):
    port = free_port()  # nothing listens there yet
    app = main(
        {},
        **{**settings, "mail.port": str(port), "crunchusers.mail_retry_max_seconds": "0.3"},
    )
    testapp = TestApp(app)
    factory = Factory(app, testapp)
    account_id, owner_id = factory.account()
    testapp.post_json(
        "/api/account/users/",
        {"email": "late@example.com"},
        headers=factory.login(owner_id),
        status=201,  # answered at once, and the invitation is not lost
    )
    worker = app.registry.crunchusers_delivery
    assert worker.wait_for_pass()
    [(kind, attempts)] = pending(app.registry)
    assert kind == "mail" and attempts >= 1 and worker.backoff > 0

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert [m["To"] for m in inbox.wait_for(1, timeout=10)] == ["late@example.com"]
        assert worker.wait_until_sent()
        assert pending(app.registry) == []
    finally:
        controller.stop()


def queue_mails(registry, clock, subjects, **claim):
    def change(root):
        postbox = Postbox(root, None, clock.now)
        for subject in subjects:
            postbox.mail(to="x@example.com", subject=subject, body="b", sender="s@example.com")
        for key in root[OUTBOX_KEY].keys():
            for name, value in claim.items():
                setattr(root[OUTBOX_KEY].get(key), name, value)

    in_transaction(registry, change)


def test_passes_woken_by_commits_start_a_gathering_time_apart(app, clock, inbox, monkeypatch):
    """A stream of commits does not get a pass (a claim and a done commit)
    each: a pass a commit wakes starts ``GATHER_SECONDS`` after the one
    before, and takes what was queued meanwhile together."""
    worker = app.registry.crunchusers_delivery
    starts = []
    real_pass = DeliveryWorker._pass

    def timed_pass(self):
        starts.append(self._pass_started)
        real_pass(self)

    monkeypatch.setattr(DeliveryWorker, "_pass", timed_pass)
    for n in range(6):
        queue_mails(app.registry, clock, [f"m{n}"])
        worker.wake()
        time.sleep(0.01)
    assert len(inbox.wait_for(6)) == 6
    gaps = [later - earlier for earlier, later in pairwise(starts)]
    assert min(gaps, default=GATHER_SECONDS) >= GATHER_SECONDS * 0.99


def test_item07_06_two_workers_send_each_mail_once(app, clock, inbox):
    stop_delivery(app.registry)
    subjects = [f"m{i}" for i in range(30)]
    queue_mails(app.registry, clock, subjects)
    workers = [DeliveryWorker(app.registry) for _ in range(2)]
    for worker in workers:
        worker.start()
    try:
        assert workers[0].wait_until_sent(timeout=20)
    finally:
        for worker in workers:
            worker.stop()
    assert sorted(m["Subject"] for m in inbox.messages) == sorted(subjects)


def test_item07_06_racing_workers_send_a_message_once(app, clock, inbox, monkeypatch):
    """Worker B reads a message as free; before B's claim commits, worker A
    claims, sends and forgets it.  B's claim then conflicts: B sends nothing."""
    stop_delivery(app.registry)
    queue_mails(app.registry, clock, ["Raced"])
    a, b = DeliveryWorker(app.registry), DeliveryWorker(app.registry)
    checks = []
    original = Envelope.claimable

    def racing(self, now):
        checks.append(1)
        if len(checks) == 1:  # B, inside its claim transaction
            assert a.deliver_pending() == 1
        return original(self, now)

    monkeypatch.setattr(Envelope, "claimable", racing)
    assert b.deliver_pending() == 0
    assert [m["Subject"] for m in inbox.messages] == ["Raced"]


def test_a_batch_that_fails_halfway_keeps_what_was_sent_and_retries_the_rest(
    app, clock, inbox, monkeypatch
):
    """Mails are claimed and marked done in batches: the mail server going
    away in the middle of one neither loses nor repeats a mail."""
    stop_delivery(app.registry)
    queue_mails(app.registry, clock, ["one", "two", "three", "four"])
    original = Mailer.send_immediately

    def gone_at_three(self, message, fail_silently=False):
        if message.subject == "three":
            raise smtplib.SMTPServerDisconnected("gone")
        return original(self, message, fail_silently)

    monkeypatch.setattr(Mailer, "send_immediately", gone_at_three)
    worker = DeliveryWorker(app.registry)
    with pytest.raises(DeliveryFailed):
        worker.deliver_pending()
    assert [m["Subject"] for m in inbox.messages] == ["one", "two"]
    assert pending(app.registry) == [("mail", 1), ("mail", 1)]  # released, not claimed

    monkeypatch.setattr(Mailer, "send_immediately", original)
    assert worker.deliver_pending() == 2
    assert [m["Subject"] for m in inbox.messages] == ["one", "two", "three", "four"]
    assert pending(app.registry) == []


def test_item07_06_a_message_another_worker_claimed_waits_for_its_lease(app, clock, inbox):
    stop_delivery(app.registry)
    claim = {"claimed_by": "elsewhere", "claimed_until": clock.now() + LEASE}
    queue_mails(app.registry, clock, ["Claimed"], **claim)
    worker = DeliveryWorker(app.registry)
    assert worker.deliver_pending() == 0 and inbox.messages == []
    clock.advance(seconds=LEASE.total_seconds())
    assert worker.deliver_pending() == 0  # exactly at expiry the claim holds
    clock.advance(seconds=1)
    assert worker.deliver_pending() == 1
    assert [m["Subject"] for m in inbox.messages] == ["Claimed"]


def test_item07_06_queueing_and_purging_do_not_conflict(tmp_path):
    """On a conflict-resolving storage (FileStorage, RelStorage) a request
    queueing mail and a worker purging delivered mail both commit."""
    db = ZODB.DB(FileStorage(str(tmp_path / "Data.fs")))
    try:
        with db.transaction() as conn:
            outbox = ensure_outbox(conn.root())
            for _ in range(3):
                outbox.put(Envelope("mail", {}))
            outbox.get(outbox.keys()[0]).done = True
        request, worker = (transaction.TransactionManager(explicit=True) for _ in range(2))
        request_conn, worker_conn = db.open(request), db.open(worker)
        request.begin()
        worker.begin()
        request_conn.root()[OUTBOX_KEY].put(Envelope("mail", {}))
        assert worker_conn.root()[OUTBOX_KEY].purge() == 1
        worker.commit()
        request.commit()  # no ConflictError
        request_conn.close()
        worker_conn.close()
        with db.transaction() as conn:
            assert len(conn.root()[OUTBOX_KEY].pending()) == 3
    finally:
        db.close()


def test_item07_06_cli_mail_waits_in_the_outbox_while_smtp_is_down(
    tmp_path, settings, inbox, capsys
):
    from tests.test_cli import ROOT

    ini = tmp_path / "cli.ini"
    ini.write_text(
        "[app:main]\n"
        f"use = config:{ROOT / 'development.ini'}\n"
        f"zodbconn.uri = file://{tmp_path}/Data.fs\n"
        "crunchusers.mail_directory =\n"
        "mail.host = 127.0.0.1\n"
        f"mail.port = {free_port()}\n"
        + "".join(f"{key} = {value}\n" for key, value in FAST_ARGON2.items())
    )
    code = cli.main([str(ini), "create-account", "--name", "Acme", "--owner-email", "o@a.test"])
    assert code == 0
    assert "mail stays queued" in capsys.readouterr().err

    # The server, started later on the same database, delivers it.
    app = main({}, **{**settings, "zodbconn.uri": f"file://{tmp_path}/Data.fs"})
    try:
        assert app.registry.crunchusers_delivery.wait_until_sent()
        assert [m["To"] for m in inbox.messages] == ["o@a.test"]
    finally:
        stop_delivery(app.registry)
        get_db(app.registry).close()


def test_item07_06_worker_stops(app):
    worker = app.registry.crunchusers_delivery
    assert worker.is_running()
    worker.stop()
    assert not worker.is_running()
