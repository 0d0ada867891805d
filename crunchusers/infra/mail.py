"""Outgoing mail: the mailer, and the worker that empties the outbox.

Requests only write into the durable outbox (:mod:`crunchusers.infra.outbox`) in
their own transaction; a daemon :class:`DeliveryWorker`, started by
``main()``, sends through pyramid_mailer's mailer — SMTP from the ``mail.*``
settings, or files under ``crunchusers.mail_directory`` (development),
each a text and an HTML part with unbroken links (:mod:`.mime`).  So
a slow or dead mail server delays no answer and loses no mail: the worker
retries with backoff until it is back.

Several processes may share one database (RelStorage, ZEO), each with a
worker: a worker claims a message in a transaction before sending it, and a
conflict means another worker has it, so nobody sends it twice.  Delivery is
at least once: a worker that dies between sending and forgetting a message
leaves a claim that expires after :data:`LEASE`, and it is sent again.
"""

import logging
import os
import secrets
import smtplib
import socket
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

import transaction
from pyramid_mailer import get_mailer
from pyramid_mailer.interfaces import IMailer
from pyramid_mailer.mailer import Mailer
from ZODB.POSException import ConflictError

from .clock import get_clock
from .mime import MailDirectory, message_from
from .outbox import MAIL, OUTBOX_KEY, Envelope, Postbox
from .settings import get_config
from .storage import get_db

log = logging.getLogger(__name__)

#: How long a claimed message is left to its worker before another may send it.
LEASE = timedelta(minutes=5)

#: Delivered envelopes are removed from the outbox at most this often.
PURGE_SECONDS = 5.0

#: Mails claimed in one transaction and marked done in one: on FileStorage
#: every commit waits for an fsync under the storage's commit lock, so two
#: commits per mail would take more of a busy server's commits than the
#: requests that queue the mail.
BATCH = 50

#: A pass woken by a commit starts at least this long after the previous
#: one started.  Under a stream of requests (16 clients inviting) the worker
#: was woken by every commit and claimed the two or three mails queued since
#: its last batch: two commits (and two fsyncs under FileStorage's commit
#: lock) for every few mails, about as many commits as the requests made,
#: and more CPU per invite in the worker than in the request.  Waiting lets
#: a batch gather the mails of that time; one mail waits at most this long.
#: ``wait_for_pass`` (callers that need the mail now) does not wait.
GATHER_SECONDS = 0.1

#: Outbox job kinds and the functions that turn them into mail; see :func:`job`.
JOBS = {}

_running = set()


def includeme(config):
    directory = get_config(config.registry).mail_directory
    if directory:
        mailer = MailDirectory(directory)
    else:
        mailer = Mailer.from_settings(config.registry.settings)
    config.registry.registerUtility(mailer, IMailer)


def job(kind: str):
    """Register ``func(registry, zodb_root, postbox, **payload)`` as the
    handler of outbox jobs of ``kind``: it runs in the worker's transaction
    and calls ``postbox.mail(to=, subject=, body=, sender=)`` for its mail."""

    def register(func):
        JOBS[kind] = func
        return func

    return register


def postbox_for_request(request) -> Postbox:
    """The outbox inside the request's transaction."""
    from pyramid_zodbconn import get_connection

    registry = request.registry
    return Postbox(
        get_connection(request).root(),
        request.tm,
        get_clock(registry).now,
        wake=partial(wake_delivery, registry),
    )


def send_mail(request, *, to: str, subject: str, body: str):
    """Queue one plain-text message; it leaves only if the request commits."""
    sender = get_config(request.registry).mail_sender
    postbox_for_request(request).mail(to=to, subject=subject, body=body, sender=sender)


# -- delivery -----------------------------------------------------------------


class DeliveryFailed(Exception):
    """The mail server failed (down, refusing, timing out): retry later."""


def permanent(exc: Exception) -> bool:
    """Failures retrying cannot fix: the server refused the recipients or
    the message itself.  Anything else (connection, auth, 4xx) is retried."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500


class DeliveryWorker:
    """Sends what the outbox holds: on every commit that queued something
    (``wake``), every ``crunchusers.mail_poll_seconds`` (mail queued by other
    processes), and after a failure with a doubling delay capped at
    ``crunchusers.mail_retry_max_seconds``."""

    def __init__(self, registry):
        config = get_config(registry)
        self.registry = registry
        self.poll = config.mail_poll_seconds
        self.max_backoff = config.mail_retry_max_seconds
        self.name = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.backoff = 0.0
        self._wake = threading.Event()
        self._urgent = threading.Event()  # a pass is awaited: skip the gathering
        self._stopping = threading.Event()
        self._pass_started = float("-inf")
        self._made_more = False  # a job of the current batch queued more mail
        self._passes = threading.Condition()
        self._completed = 0
        self._unmarked = set()  # sent, but marking them done conflicted
        self._last_purge = 0.0
        self._thread = None

    # -- lifecycle

    def start(self):
        self._thread = threading.Thread(target=self._run, name="crunchusers-mail", daemon=True)
        self._thread.start()
        _running.add(self)

    def stop(self, timeout: float = 15.0):
        """Finish the current pass and end the thread."""
        self._stopping.set()
        self._urgent.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        _running.discard(self)

    def wake(self):
        self._wake.set()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self):
        while not self._stopping.is_set():
            if self.backoff:
                self._stopping.wait(self.backoff)  # commits do not cut a backoff short
            else:
                self._wake.wait(self.poll)
                self._urgent.wait(self._pass_started + GATHER_SECONDS - time.monotonic())
            self._wake.clear()
            self._urgent.clear()
            if not self._stopping.is_set():
                self._pass_started = time.monotonic()
                self._pass()

    def _pass(self):
        try:
            self.deliver_pending()
            self.backoff = 0.0
        except Exception as exc:
            self.backoff = min(self.max_backoff, max(self.poll, self.backoff * 2))
            if isinstance(exc, DeliveryFailed):
                log.warning("Mail delivery failed (%s); retrying in %.1f s", exc, self.backoff)
            else:
                log.exception("Mail delivery pass failed; retrying in %.1f s", self.backoff)
        finally:
            with self._passes:
                self._completed += 1
                self._passes.notify_all()

    def wait_until_sent(self, timeout: float = 5.0) -> bool:
        """Block until nothing in the outbox waits (True) or ``timeout`` passed."""
        deadline = time.monotonic() + timeout
        while self.has_pending():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.wait_for_pass(remaining)
        return True

    def wait_for_pass(self, timeout: float = 5.0) -> bool:
        """Wake the worker and wait until it completed one more pass."""
        with self._passes:
            seen = self._completed
            self._urgent.set()
            self.wake()
            return self._passes.wait_for(lambda: self._completed > seen, timeout)

    def has_pending(self) -> bool:
        with self._connection() as (conn, tm), atomic(tm):
            return conn.root()[OUTBOX_KEY].has_pending()

    # -- one pass

    def deliver_pending(self) -> int:
        """Send everything that can go now, oldest first; returns how many
        envelopes were handled.  Raises :class:`DeliveryFailed` (the rest
        waits) when the mail server fails."""
        handled = 0
        with self._connection() as (conn, tm):
            if self._unmarked:
                self._mark_done(conn, tm, list(self._unmarked))
            while True:
                with atomic(tm):
                    keys = conn.root()[OUTBOX_KEY].pending(BATCH)
                self._made_more = False
                progress = self._handle_batch(conn, tm, keys)
                handled += progress
                # A batch that was not full took everything queued when it
                # began; what came since waits for the next (gathered) pass.
                if not progress or (len(keys) < BATCH and not self._made_more):
                    break
        if time.monotonic() - self._last_purge >= PURGE_SECONDS:
            self.purge()
        return handled

    def purge(self):
        """Remove what was delivered, in one transaction: the only write to
        the outbox's tree besides queueing, and rare, so it seldom meets a
        request's queueing in a conflict (which is then simply retried)."""
        self._last_purge = time.monotonic()
        try:
            with self._connection() as (conn, tm), atomic(tm):
                conn.root()[OUTBOX_KEY].purge()
        except ConflictError:
            self._last_purge = 0.0  # another worker or a request: next pass

    def _connection(self):
        return _Connection(get_db(self.registry))

    def _now(self):
        return get_clock(self.registry).now()

    def _handle_batch(self, conn, tm, keys) -> int:
        """Claim the mails among ``keys`` in one transaction, send them and
        mark them done in one; jobs go one by one (:meth:`_handle`), and so
        does everything when another worker claimed one of them first."""
        try:
            claimed, jobs = self._claim(conn, tm, keys)
        except ConflictError:
            return sum(self._handle(conn, tm, key) for key in keys)
        progress = sum(self._handle(conn, tm, key) for key in jobs)
        sent = []
        try:
            for key, payload in claimed:
                self._deliver(payload)
                sent.append(key)
        except DeliveryFailed:
            self._release(conn, tm, [key for key, _ in claimed[len(sent) :]])
            raise
        finally:
            self._mark_done(conn, tm, sent)
        return progress + len(claimed)

    def _claim(self, conn, tm, keys) -> tuple[list, list]:
        """``(key, payload)`` of each mail among ``keys`` this worker may
        send, claimed in one transaction; and the keys of the jobs."""
        claimed, jobs = [], []
        with atomic(tm):
            outbox = conn.root()[OUTBOX_KEY]
            now = self._now()
            for key in keys:
                envelope = outbox.get(key)
                if envelope is None or envelope.done or not envelope.claimable(now):
                    continue
                if envelope.kind != MAIL:
                    jobs.append(key)
                    continue
                envelope.claimed_by, envelope.claimed_until = self.name, now + LEASE
                claimed.append((key, dict(envelope.payload)))
        return claimed, jobs

    def _handle(self, conn, tm, key) -> int:
        """Claim one envelope (running it first if it is a job), then send
        it; 0 when it is not this worker's to send."""
        try:
            with atomic(tm):
                envelope = conn.root()[OUTBOX_KEY].get(key)
                now = self._now()
                if envelope is None or envelope.done or not envelope.claimable(now):
                    return 0
                if envelope.kind != MAIL:
                    self._run_job(conn.root(), envelope)
                    if envelope.done:
                        return 1
                envelope.claimed_by, envelope.claimed_until = self.name, now + LEASE
                payload = dict(envelope.payload)
        except ConflictError:  # another worker claimed it first
            return 0
        except Exception:
            log.exception("Outbox job %s failed and was dropped", key)
            self._mark_done(conn, tm, [key])  # running it again would fail again
            return 1
        self._send(conn, tm, key, payload)
        return 1

    def _run_job(self, root, envelope):
        """Turn a job into the mail it makes, in place (no write to the
        outbox's tree), or mark it done when it makes none."""
        made = _Collector()
        JOBS[envelope.kind](self.registry, root, made, **envelope.payload)
        if not made.mails:
            envelope.done = True
            return
        first, *more = made.mails
        envelope.kind, envelope.payload = MAIL, first
        for payload in more:
            root[OUTBOX_KEY].put(Envelope(MAIL, payload, self._now()))
        self._made_more = self._made_more or bool(more)

    def _send(self, conn, tm, key, payload):
        try:
            self._deliver(payload)
        except DeliveryFailed:
            self._release(conn, tm, [key])
            raise
        self._mark_done(conn, tm, [key])

    def _deliver(self, payload):
        """Send one mail; a refusal for good is logged (and the mail counts
        as handled), any other failure raises :class:`DeliveryFailed`."""
        try:
            get_mailer(self.registry).send_immediately(message_from(payload))
        except Exception as exc:
            if not permanent(exc):
                raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
            log.error("Mail %r to %s refused for good: %s", payload["subject"], payload["to"], exc)

    def _release(self, conn, tm, keys):
        if not keys:
            return
        try:
            with atomic(tm):
                outbox = conn.root()[OUTBOX_KEY]
                for envelope in filter(None, map(outbox.get, keys)):
                    if envelope.claimed_by == self.name:
                        envelope.claimed_by = envelope.claimed_until = None
                        envelope.attempts += 1
        except ConflictError:
            pass  # the claims expire by themselves

    def _mark_done(self, conn, tm, keys):
        if not keys:
            return
        try:
            with atomic(tm):
                outbox = conn.root()[OUTBOX_KEY]
                for envelope in filter(None, map(outbox.get, keys)):
                    envelope.done = True
            self._unmarked.difference_update(keys)
        except ConflictError:
            self._unmarked.update(keys)  # still claimed by us: nobody else sends them


class _Collector:
    """The postbox a job writes to: the worker decides where its mail goes."""

    def __init__(self):
        self.mails = []

    def mail(self, **payload):
        self.mails.append(payload)


@contextmanager
def atomic(tm):
    """One transaction of ``tm``: committed, or aborted if anything (the
    commit included) fails, so the next one can begin."""
    tm.begin()
    try:
        yield
        tm.commit()
    except BaseException:
        tm.abort()
        raise


class _Connection:
    """A ZODB connection with its own explicit transaction manager."""

    def __init__(self, db):
        self.tm = transaction.TransactionManager(explicit=True)
        self.conn = db.open(transaction_manager=self.tm)

    def __enter__(self):
        return self.conn, self.tm

    def __exit__(self, *exc):
        self.conn.close()


def start_delivery(registry) -> DeliveryWorker:
    """Start the registry's delivery worker (``main()`` does this)."""
    worker = registry.crunchusers_delivery = DeliveryWorker(registry)
    worker.start()
    return worker


def stop_delivery(registry):
    worker = getattr(registry, "crunchusers_delivery", None)
    if worker is not None:
        worker.stop()


def wake_delivery(registry):
    worker = getattr(registry, "crunchusers_delivery", None)
    if worker is not None:
        worker.wake()


def running_workers() -> set:
    """Workers started and not stopped (tests stop the ones they started)."""
    return set(_running)
