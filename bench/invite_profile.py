"""Time and profile one invite (``POST /api/account/users/`` with
``send_invite``) in-process, end to end, as ``bench/run.py``'s invite row
makes it, with no server and no socket.

A temporary FileStorage is seeded with ``--users`` users in one account (the
default 10,000, as the wrk bench), the owner gets a Bearer token, then the
WSGI app is called directly with a new address each time.  The mail delivery
worker is stopped first, so that it takes no CPU from the request thread
while it is timed; each round then delivers its invitations in this thread
(``DeliveryWorker.deliver_pending`` and the purge, into files as in the wrk
bench).  Both are timed as CPU time of this thread per invite: the request
(its commit and the FileStorage fsync call included) and its mail.  Under
wrk the worker runs between the requests and claims fewer mails a pass, so
its share there is somewhat higher.

Usage::

    .venv/bin/python bench/invite_profile.py [--count 1000] [--rounds 3]
    .venv/bin/python bench/invite_profile.py --profile request|mail [--pyinstrument]
"""

import argparse
import io
import itertools
import json
import logging
import statistics
import threading
import time

import transaction
from hotpath import account_of, bench_app, environ_for

from crunchusers.infra.clock import SystemClock
from crunchusers.infra.mail import DeliveryWorker, stop_delivery
from crunchusers.infra.storage import ROOT_KEY, get_db


def seed(app, users: int) -> str:
    """One account of ``users`` users; the owner's Bearer token."""
    from datetime import timedelta

    now = SystemClock().now()
    manager = transaction.TransactionManager(explicit=True)
    conn = get_db(app.registry).open(transaction_manager=manager)
    try:
        with manager:
            api_root = conn.root()[ROOT_KEY]
            _, owner, _ = account_of(api_root, "bench", users, now)
            return api_root.sessions.start(owner, now, timedelta(days=1))
    finally:
        conn.close()


class Inviter:
    """Makes invite requests, each with a new address."""

    def __init__(self, app, token: str):
        self.app = app
        self.template = environ_for("/api/account/users/", token=token)
        self.template["REQUEST_METHOD"] = "POST"
        self.template["CONTENT_TYPE"] = "application/json"
        self.numbers = itertools.count(1)  # thread-safe in CPython

    def __call__(self):
        number = next(self.numbers)
        body = json.dumps({"email": f"inv-{number}@bench.example.com", "send_invite": True})
        body = body.encode()
        environ = dict(self.template)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.input"] = io.BytesIO(body)
        status = []
        result = self.app(environ, lambda s, h, exc_info=None: status.append(s))
        answer = b"".join(result)
        if not status[0].startswith("201"):
            raise SystemExit(f"invite: {status[0]} {answer[:300]!r}")


def deliver(worker):
    """Send everything queued, as the worker's pass does, then purge."""
    worker.deliver_pending()
    worker.purge()


def cpu(func, *args) -> float:
    started = time.thread_time()
    func(*args)
    return time.thread_time() - started


def measure(invite, worker, count: int) -> tuple[float, float]:
    """CPU seconds per invite: the requests', then their mail's."""
    request = cpu(lambda: [invite() for _ in range(count)])
    return request / count, cpu(deliver, worker) / count


def concurrently(invite, threads: int, seconds: float) -> float:
    """Invites per second (wall time) made by ``threads`` threads calling the
    app at once for ``seconds``, as waitress's threads do, with the mail
    worker running: the GIL, the storage's commit lock and the conflicts
    (retried) are shared as in a server, the sockets and wrk are not."""
    stop = time.monotonic() + seconds
    made = []

    def loop():
        count = 0
        while time.monotonic() < stop:
            invite()
            count += 1
        made.append(count)

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    started, cpu_started = time.monotonic(), time.process_time()
    retried = RETRIES.count
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    wall = time.monotonic() - started
    cpu_per = (time.process_time() - cpu_started) / sum(made)
    retries = (RETRIES.count - retried) / sum(made)
    return sum(made) / wall, cpu_per, retries


class RetryCounter(logging.Handler):
    """Counts the retries ``crunchusers.views.retry`` logs."""

    count = 0

    def emit(self, record):
        self.count += 1


RETRIES = RetryCounter()


def profile(func, use_pyinstrument: bool):
    if use_pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0001)
        profiler.start()
        func()
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    func()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(60)
    stats.sort_stats("tottime").print_stats(40)
    print(out.getvalue())


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--count", type=int, default=1000, help="invites per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--profile", choices=("request", "mail"), help="profile --count invites or their mail"
    )
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument(
        "--threads", type=int, help="instead: invites/s of this many threads, worker running"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="with --threads")
    return parser.parse_args(argv)


def run(args):
    with bench_app("invite") as (app, _):
        invite = Inviter(app, seed(app, args.users))
        if args.threads:
            for _ in range(50):
                invite()
            retry_log = logging.getLogger("crunchusers.views.retry")
            retry_log.setLevel(logging.INFO)
            retry_log.addHandler(RETRIES)
            for _ in range(args.rounds):
                rate, cpu_per, retries = concurrently(invite, args.threads, args.seconds)
                print(
                    f"{args.threads} threads: {rate:.0f} invites/s, process CPU "
                    f"{cpu_per * 1e3:.2f} ms an invite, {retries:.2f} retries an invite"
                )
            return
        stop_delivery(app.registry)
        worker = DeliveryWorker(app.registry)
        for _ in range(50):  # warm the connection cache and the code paths
            invite()
        deliver(worker)
        if args.profile == "request":
            profile(lambda: [invite() for _ in range(args.count)], args.pyinstrument)
        elif args.profile == "mail":
            [invite() for _ in range(args.count)]
            profile(lambda: deliver(worker), args.pyinstrument)
        else:
            rounds = [measure(invite, worker, args.count) for _ in range(args.rounds)]
            request = statistics.median(r[0] for r in rounds)
            mail = statistics.median(r[1] for r in rounds)
            print(
                f"CPU per invite, median of {args.rounds} rounds of {args.count}: request "
                f"{request * 1e3:.2f} ms, its mail {mail * 1e3:.2f} ms, "
                f"sum {(request + mail) * 1e3:.2f} ms"
            )


if __name__ == "__main__":
    run(parse_args())
