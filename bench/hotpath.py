"""Time the read hot paths in-process, as ratios to a bare Pyramid JSON view.

No server and no socket: the crunchusers WSGI app (on a temporary
FileStorage seeded with ``--users`` users in one account, ``--teams`` teams
and a 100-user account) and a bare Pyramid ``renderer="json"`` view are
called directly as ``app(environ, start_response)`` in this process,
scenario after scenario, round after round, and timed by the CPU time of
this thread, so machine load affects all alike.  The figure to read is the
ratio: bare-view time per request ÷ scenario time per request (1.0 = as fast
as the bare view).  Waitress's own cost (~30 % of a request under wrk) is left
out of both, so these ratios are lower than wrk's for the same code.

References: the bare view, and ``minimal ZODB entity``, a user read with
only Pyramid, pyramid_tm and pyramid_zodbconn (no Cornice, security,
traversal or Shoji): the most a ZODB-backed view can be on this stack.

Scenarios (all GET, Bearer tokens made directly in the session store):

* ``stack floor``: ``/api/progress/``, a constant answer behind the whole
  stack (tweens, transaction, ZODB connection, session lookup, Cornice,
  permission, renderer): what any view costs at least;
* ``user entity``: the account owner reads a member (full profile, two
  ``display`` times formatted with Babel);
* ``API root``: the owner;
* ``dataset entity``: a member reads a dataset shared with one of their teams;
* ``100-user account``: the owner of an account of 100 users reads its
  whole users catalog (100 tuples, each with two ``display`` times);
* ``account users 100``: the owner reads ``page_size=100`` of the account
  users (all ``--users`` of them are read and sorted to find the page);
* ``member datasets``: a member's dataset catalog, 50 datasets shared with
  the member's teams and 50 directly (``--grants``).

Usage::

    .venv/bin/python bench/hotpath.py [--rounds 3] [--seconds 1.0]
    .venv/bin/python bench/hotpath.py --profile "member datasets"  # cProfile, top 30

With ``pyinstrument`` installed, ``--profile NAME --pyinstrument`` prints its
call tree instead.
"""

import argparse
import cProfile
import io
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import transaction
from pyramid.config import Configurator

from crunchusers import main
from crunchusers.domain.collaboration import (
    create_dataset,
    create_team,
    set_team_member,
    share_dataset,
)
from crunchusers.domain.users import create_account, new_user
from crunchusers.infra.clock import SystemClock
from crunchusers.infra.mail import stop_delivery
from crunchusers.infra.storage import ROOT_KEY, get_db

BARE = "bare Pyramid view"
SMALL_ACCOUNT = 100  # users in the account whose whole users catalog is read

CHEAP_ARGON2 = {
    "crunchusers.argon2.time_cost": "1",
    "crunchusers.argon2.memory_cost": "1024",
    "crunchusers.argon2.parallelism": "1",
}


def bare_app():
    """The reference: one Pyramid JSON view, nothing else."""

    def hello(request):
        return {"hello": "world", "n": 1}

    config = Configurator()
    config.add_route("json", "/json")
    config.add_view(hello, route_name="json", renderer="json")
    return config.make_wsgi_app()


def minimal_zodb_app(databases):
    """A user entity with Pyramid, pyramid_tm and pyramid_zodbconn only (the
    "minimal ZODB entity view" of the issue): what the storage stack costs
    without Cornice, security, traversal or Shoji.  It shares the app's
    database (a FileStorage can be opened once)."""

    def entity(request):
        from pyramid_zodbconn import get_connection

        user = get_connection(request).root()[ROOT_KEY].users[request.matchdict["id"]]
        return {"id": user.__name__, "name": user.name, "email": user.email}

    config = Configurator(settings={"tm.manager_hook": "pyramid_tm.explicit_manager"})
    config.include("pyramid_tm")
    config.registry._zodb_databases = databases
    config.add_route("user", "/user/{id}")
    config.add_view(entity, route_name="user", renderer="json")
    return config.make_wsgi_app()


def account_of(api_root, name: str, users: int, now):
    """An account of ``users`` users (its owner included), all logged in
    once (so ``last_login`` is shown too)."""
    account, owner = create_account(
        api_root, name=name, owner_email=f"owner@{name}.test", now=now, password_hash="x"
    )
    people = [
        new_user(
            api_root,
            account,
            email=f"user{n:06d}@{name}.test",
            name=f"User {n:06d}",
            now=now,
            password_hash="x",
            roles=("editor",),
        )
        for n in range(users - 1)
    ]
    for person in (owner, *people):
        person.email_verified = True  # made with a password: as if the link was followed
    for person in people:
        person.last_login = now
    return account, owner, people


def seed(app, users: int, teams: int, grants: int) -> dict:
    """One account with ``users`` users; ``teams`` teams of 10; a member in
    two of them who sees ``grants`` datasets through them and ``grants``
    shared directly.  Returns tokens and ids for the scenarios."""
    registry = app.registry
    now = SystemClock().now()
    manager = transaction.TransactionManager(explicit=True)
    conn = get_db(registry).open(transaction_manager=manager)
    try:
        with manager:
            api_root = conn.root()[ROOT_KEY]
            account, owner, people = account_of(api_root, "bench", users, now)
            small, small_owner, _ = account_of(api_root, "small", SMALL_ACCOUNT, now)
            member, target = people[0], people[len(people) // 2]
            made = []
            for t in range(teams):
                team = create_team(api_root, people[(t * 7 + 1) % len(people)], f"Team {t}", now)
                for k in range(1, 10):
                    set_team_member(team, people[(t * 7 + 1 + k * 13) % len(people)], False)
                made.append(team)
            member_teams = made[:2]
            for team in member_teams:
                set_team_member(team, member, False)
            for d in range(2 * grants):
                dataset = create_dataset(
                    api_root, people[1 + d % 50], f"Dataset {d:05d}", now, current_editor_id=None
                )
                if d < grants:
                    share_dataset(dataset, member_teams[d % 2], "team", {"view": True})
                else:
                    share_dataset(dataset, member, "user", {"view": True})
                if d == 0:
                    dataset_id = dataset.__name__
            lifetime = timedelta(days=1)
            return {
                "owner": api_root.sessions.start(owner, now, lifetime),
                "member": api_root.sessions.start(member, now, lifetime),
                "small owner": api_root.sessions.start(small_owner, now, lifetime),
                "account": account.__name__,
                "small": small.__name__,
                "target": target.__name__,
                "dataset": dataset_id,
            }
    finally:
        conn.close()


def scenarios(ids: dict) -> dict:
    """name -> (path, query, token name)."""
    return {
        "stack floor": ("/api/progress/", "", "owner"),
        "user entity": (f"/api/users/{ids['target']}/", "", "owner"),
        "API root": ("/api/", "", "owner"),
        "dataset entity": (f"/api/datasets/{ids['dataset']}/", "", "member"),
        "100-user account": (f"/api/accounts/{ids['small']}/users/", "", "small owner"),
        "account users 100": (f"/api/accounts/{ids['account']}/users/", "page_size=100", "owner"),
        "member datasets": ("/api/datasets/", "", "member"),
    }


def environ_for(path: str, query: str = "", token: str | None = None) -> dict:
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "6543",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost:6543",
        "HTTP_ACCEPT": "application/json",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return environ


def call(app, template: dict) -> tuple[str, bytes]:
    """One request, as waitress would make it: the whole body is read."""
    status = []

    def start_response(s, headers, exc_info=None):
        status.append(s)

    environ = dict(template)
    environ["wsgi.input"] = io.BytesIO(b"")
    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return status[0], body


def per_request(app, template: dict, seconds: float) -> float:
    """CPU seconds of this thread per request, calling for about ``seconds``
    of it (CPU time, not wall time: on a shared machine the time this
    process waits for a core is not the app's)."""
    count, started = 0, time.thread_time()
    deadline = started + seconds
    while True:
        for _ in range(20):
            call(app, template)
        count += 20
        now = time.thread_time()
        if now >= deadline:
            return (now - started) / count


def measure(apps: dict, templates: dict, rounds: int, seconds: float) -> dict:
    """name -> list of seconds per request, one per round, interleaved."""
    timings = {name: [] for name in templates}
    for _ in range(rounds):
        for name, (app_name, template) in templates.items():
            timings[name].append(per_request(apps[app_name], template, seconds))
    return timings


def check(apps, templates):
    for name, (app_name, template) in templates.items():
        status, body = call(apps[app_name], template)
        if not status.startswith("200"):
            raise SystemExit(f"{name}: {status} {body[:300]!r}")
        call(apps[app_name], template)  # warm the connection cache


def profile(app, template, count: int, use_pyinstrument: bool):
    if use_pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0001)
        profiler.start()
        for _ in range(count):
            call(app, template)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        call(app, template)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(40)
    stats.sort_stats("tottime").print_stats(30)
    print(out.getvalue())


def print_table(timings: dict):
    """us per request and ratio (bare view time / scenario time), medians."""
    bare = timings[BARE]
    print(f"{'scenario':<20} {'us/req':>9} {'ratio':>7}   (median of {len(bare)} rounds)")
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"{name:<20} {median * 1e6:>9.1f} {statistics.median(bare) / median:>7.2f}")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=1.0, help="per scenario and round")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--teams", type=int, default=1_000)
    parser.add_argument("--grants", type=int, default=50)
    parser.add_argument("--profile", metavar="SCENARIO", help="profile one scenario instead")
    parser.add_argument("--count", type=int, default=2000, help="requests to profile")
    parser.add_argument("--pyinstrument", action="store_true")
    return parser.parse_args(argv)


@contextmanager
def bench_app(name: str, uri_query: str = ""):
    """``(app, workdir)``: the real app on a new FileStorage in a temporary
    folder (mail to files, cheap argon2), as the in-process benchmarks build
    it; stopped and removed afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix=f"crunchusers-{name}-"))
    app = main(
        {},
        **{
            "zodbconn.uri": f"file://{workdir}/Data.fs{uri_query}",
            "crunchusers.superuser_email": "super@bench.test",
            "crunchusers.superuser_password": "bench-superuser-password",
            "crunchusers.mail_directory": str(workdir / "mail"),
            "crunchusers.public_url": "http://localhost:6543",
            **CHEAP_ARGON2,
        },
    )
    try:
        yield app, workdir
    finally:
        stop_delivery(app.registry)
        get_db(app.registry).close()
        shutil.rmtree(workdir, ignore_errors=True)


def run(args):
    with bench_app("hotpath", "?connection_cache_size=50000") as (app, _):
        ids = seed(app, args.users, args.teams, args.grants)
        apps = {
            "bare": bare_app(),
            "minimal": minimal_zodb_app(app.registry._zodb_databases),
            "app": app,
        }
        templates = {
            BARE: ("bare", environ_for("/json")),
            "minimal ZODB entity": ("minimal", environ_for(f"/user/{ids['target']}")),
        }
        for name, (path, query, who) in scenarios(ids).items():
            templates[name] = ("app", environ_for(path, query, ids[who]))
        check(apps, templates)
        if args.profile:
            app_name, template = templates[args.profile]
            profile(apps[app_name], template, args.count, args.pyinstrument)
            return
        print_table(measure(apps, templates, args.rounds, args.seconds))


if __name__ == "__main__":
    run(parse_args())
