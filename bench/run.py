"""Benchmark crunchusers against a bare Pyramid JSON view, in one command.

Seeds a temporary FileStorage with one account of --users users, --teams
teams, --datasets datasets and --projects projects (plus the few users and
datasets single scenarios need), times ``access.visible_datasets``
in-process on it, then serves, in child processes on 127.0.0.1:

* the real app and a bare Pyramid baseline, each one waitress process
  (threads=4), the app on the seeded FileStorage;
* ``runzeo`` on a copy of it, and gunicorn with the production settings
  (deploy/gunicorn.conf.py, 24 threads a worker) serving the app over ZEO
  with one and with two workers, and the baseline with two workers.

It logs in for Bearer tokens and measures each scenario with wrk, rounds
interleaved, and prints the medians with each row's ratio to the bare view
of its topology and the issue's target.  Writes bench/results/<timestamp>.json.

    .venv/bin/python bench/run.py [--duration 10] [--rounds 3] [--users 10000]
        [--teams 1000] [--datasets 100000] [--projects 100] [--compare RESULTS.json]
        [--only NAMES] [--gunicorn-threads N]

See bench/README.txt for how to read the output.
"""

import argparse
import importlib.metadata
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import argon2
import inprocess
import seed
import wrk

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
ZEO_CLIENT_CONF = ROOT / "deploy" / "zeo-client.conf"
RESULTS_DIR = HERE / "results"
HOST = "127.0.0.1"
WARMUP_SECONDS = 2
# Dataset catalogs do real work per request (one permission check and one
# tuple per visible dataset); see README.txt for why they get fewer connections.
CATALOG_CONNECTIONS = 4
LOGIN_CONNECTIONS = 1  # one login at a time: its latency against one hash verification
STARTUP_TIMEOUT = 120
PACKAGES = (
    "crunchusers",
    "pyramid",
    "cornice",
    "waitress",
    "WebOb",
    "ZODB",
    "BTrees",
    "persistent",
    "transaction",
    "pyramid_tm",
    "pyramid_zodbconn",
    "pyramid_retry",
    "argon2-cffi",
)


@dataclass
class Server:
    """A server child process (waitress, gunicorn or runzeo) in its own
    process group, and where its output goes."""

    name: str
    proc: subprocess.Popen
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"


@dataclass
class Scenario:
    """One URL measured with wrk; ``runs`` collects one parsed report per round.
    ``script`` is a Lua file making the requests (writes, logins); ``base`` is
    the name of the baseline row its ratio is taken against."""

    name: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    connections: int = wrk.CONNECTIONS
    script: str | None = None
    base: str = "baseline GET /json"
    runs: list[dict] = field(default_factory=list)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=float, default=10, help="seconds per wrk measurement (default 10)"
    )
    parser.add_argument(
        "--users",
        type=int,
        default=10_000,
        help="users in the one seeded account, owner included (default 10000)",
    )
    shape = seed.Shape()
    for name, default in (
        ("teams", shape.teams),
        ("datasets", shape.datasets),
        ("projects", shape.projects),
    ):
        parser.add_argument(
            f"--{name}", type=int, default=default, help=f"{name} to seed (default {default})"
        )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="interleaved rounds over all scenarios; medians are reported (default 3)",
    )
    parser.add_argument(
        "--compare",
        type=Path,
        help="an earlier results JSON (the 10,000-user run) to compare the email "
        "lookup and the user entity with (the 1,000,000-user target)",
    )
    parser.add_argument(
        "--only",
        help="comma-separated parts of scenario names to measure (case-insensitive), "
        "e.g. 'invite,2 processes'; their baseline rows are measured too",
    )
    parser.add_argument(
        "--gunicorn-threads",
        type=int,
        help="threads per gunicorn worker (default: deploy/gunicorn.conf.py's)",
    )
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.rounds < 1:
        parser.error("--duration must be > 0 and --rounds >= 1")
    try:
        shape_of(args).check()
    except ValueError as exc:
        parser.error(str(exc))
    return args


def shape_of(args) -> seed.Shape:
    return seed.Shape(args.users, args.teams, args.datasets, args.projects)


def raise_on_sigterm():
    """Turn SIGTERM into SystemExit so the ``finally`` that kills servers runs."""

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def free_port() -> int:
    """An unused port on 127.0.0.1 (the OS picks it; the window until bind is tiny)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_process(
    stack: ExitStack, name: str, workdir: Path, argv: list[str], port: int, env=None
) -> Server:
    """Start ``argv`` in its own process group and register its shutdown
    before anything can fail."""
    log_path = workdir / f"{name}.log"
    log = stack.enter_context(open(log_path, "w"))  # closed after the server is stopped
    proc = subprocess.Popen(
        argv,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    server = Server(name, proc, port, log_path)
    stack.callback(stop_server, server)
    return server


def start_server(
    stack: ExitStack, name: str, workdir: Path, *extra: str, app: str | None = None
) -> Server:
    """``serve.py <app>`` (``app`` defaults to ``name``): one waitress process."""
    port = free_port()
    argv = [sys.executable, str(HERE / "serve.py"), app or name, "--port", str(port), *extra]
    return start_process(stack, name, workdir, argv, port)


def start_gunicorn(
    stack: ExitStack,
    name: str,
    workdir: Path,
    factory: str,
    workers: int,
    env=None,
    threads: int | None = None,
) -> Server:
    """gunicorn with the production settings, ``workers`` worker processes
    (and ``threads`` threads each, if given)."""
    port = free_port()
    argv = [
        str(BIN / "gunicorn"),
        "--config",
        str(GUNICORN_CONF),
        "--chdir",
        str(HERE),
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        *(("--threads", str(threads)) if threads else ()),
        f"wsgi:{factory}()",
    ]
    return start_process(stack, name, workdir, argv, port, env)


def start_zeo(stack: ExitStack, workdir: Path, data_fs: Path) -> Server:
    """``runzeo -a 127.0.0.1:<port> -f <Data.fs>``; ready once the port accepts."""
    port = free_port()
    argv = [str(BIN / "runzeo"), "-a", f"{HOST}:{port}", "-f", str(data_fs)]
    server = start_process(stack, "zeo", workdir, argv, port)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"runzeo exited at start-up:\n{log_tail(server)}")
        with socket.socket() as sock:
            if sock.connect_ex((HOST, port)) == 0:
                return server
        time.sleep(0.1)
    raise RuntimeError(f"runzeo not ready after {STARTUP_TIMEOUT}s")


def stop_server(server: Server):
    """Stop exactly this child's process group (a gunicorn master and its
    workers): SIGTERM, then SIGKILL after 10 s."""
    if server.proc.poll() is None:
        os.killpg(server.proc.pid, signal.SIGTERM)
        try:
            server.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.proc.wait()


def wait_until_ready(server: Server, path: str):
    """Poll ``path`` until the server answers at all; fail fast if it died."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} server exited at start-up:\n{log_tail(server)}")
        try:
            with urllib.request.urlopen(server.base_url + path, timeout=5):
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer means it is serving
        except OSError:  # refused, or a gunicorn socket whose workers still boot
            time.sleep(0.1)
    raise RuntimeError(f"{server.name} server not ready after {STARTUP_TIMEOUT}s")


def log_tail(server: Server, lines: int = 30) -> str:
    return "\n".join(server.log_path.read_text(errors="replace").splitlines()[-lines:])


def http_json(url: str, body: dict | None = None, headers: dict | None = None) -> dict:
    """GET (or POST ``body``) and decode JSON; any non-2xx raises with its body."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=dict(headers or {}))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"{url} answered {exc.code}: {exc.read()[:500]!r}") from exc


def login(app: Server, email: str, password: str) -> dict[str, str]:
    """One real token login; its Bearer header authenticates every measured request."""
    answer = http_json(
        app.base_url + "/api/public/login/",
        {"email": email, "password": password, "token": True},
    )
    return {"Authorization": f"Bearer {answer['access_token']}"}


@dataclass
class Servers:
    """Every server of a run: one waitress process each for the app and the
    baseline; runzeo and gunicorn for the multi-process rows."""

    app: Server
    uncached: Server  # the app on its own copy of the seed, read cache off
    baseline: Server
    zeo: Server
    app_1proc: Server
    app_2proc: Server
    baseline_2proc: Server

    def all(self) -> list[Server]:
        return [
            self.app,
            self.uncached,
            self.baseline,
            self.zeo,
            self.app_1proc,
            self.app_2proc,
            self.baseline_2proc,
        ]

    def http(self) -> list[Server]:
        return [s for s in self.all() if s is not self.zeo]


BASE_1 = "baseline GET /json"
BASE_2 = "baseline GET /json, 2 processes"
USER_ENTITY = "user entity (owner)"
USER_1PROC = "user entity, 1 process over ZEO"
USER_2PROC = "user entity, 2 processes over ZEO"
PAGE_100 = "account users, 100-entry page"
MEMBER_CATALOG = "member's datasets (50 team + 50 direct)"
EMAIL_LOOKUP = "email lookup /api/users/?email="
LOGIN = "login (c1)"
INVITE = "invite (write)"
SHARE = "dataset share (write)"
#: Rows measured on the app with its read cache off (views.read_cache).
UNCACHED = ", read cache off"
MIXED = "user entity, 1 request in 10 a PATCH (owner)"


# The Lua files behind the POST/PATCH scenarios (@NAME@ is filled in).
LOGIN_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = @BODY@
"""
# Every invite has a new address: a random prefix per wrk run, a counter per
# request, behind a random part so that addresses spread over the email index
# as real ones do (not all into one BTree bucket).
INVITE_LUA = """
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
local prefix = string.format("%x%x", os.time(), math.random(0, 2147483647))
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  local body = string.format(
    '{"email": "%08x-inv-%s-%d@bench.example.com", "send_invite": true}',
    math.random(0, 2147483647), prefix, counter)
  return wrk.format(nil, nil, nil, body)
end
"""
# Reads of one user entity, every 10th request a PATCH of it: each write
# commits, which empties the read cache (the mixed rows).
MIXED_LUA = """
local counter = 0
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  if counter % 10 == 0 then
    return wrk.format("PATCH", nil, nil, '{"title": "bench ' .. counter .. '"}')
  end
  return wrk.format("GET", nil, nil, nil)
end
"""
# A random dataset of the sharer's, granted to a random user.
SHARE_LUA = """
local datasets = {@DATASETS@}
local grantees = {@GRANTEES@}
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local path = datasets[math.random(#datasets)]
  local user = grantees[math.random(#grantees)]
  local body = '{"element": "shoji:catalog", "index": {"' .. user ..
    '": {"dataset_permissions": {"view": true}}}}'
  return wrk.format(nil, path, nil, body)
end
"""


def lua_list(values) -> str:
    return ", ".join(json.dumps(v) for v in values)  # JSON strings are Lua strings here


def write_scripts(workdir: Path, app: Server, seeded: seed.Seeded) -> dict[str, str]:
    login = {"email": seeded.login_email, "password": seeded.password, "token": True}
    datasets = (f"/api/datasets/{d}/permissions/" for d in seeded.sharer_datasets)
    grantees = (f"{app.base_url}/api/users/{u}/" for u in seeded.grantees)
    scripts = {
        "login": LOGIN_LUA.replace("@BODY@", json.dumps(json.dumps(login))),
        "invite": INVITE_LUA,
        "mixed": MIXED_LUA,
        "share": SHARE_LUA.replace("@DATASETS@", lua_list(datasets)).replace(
            "@GRANTEES@", lua_list(grantees)
        ),
    }
    paths = {}
    for name, text in scripts.items():
        path = workdir / f"{name}.lua"
        path.write_text(text)
        paths[name] = str(path)
    return paths


def make_scenarios(servers: Servers, seeded: seed.Seeded, scripts: dict) -> list[Scenario]:
    """The owner (account admin) reads users, the page and visible_datasets;
    the typical member and the catalog member read their dataset catalogs;
    the sharer shares its datasets, the inviter invites into its account.
    The main read rows are measured again on the app with its read cache
    off, and the user entity under a mix of reads and writes on both."""
    app = servers.app
    owner = login(app, seeded.owner_email, seeded.password)
    member = login(app, seeded.member_email, seeded.password)
    catalog = login(app, seeded.catalog_email, seeded.password)
    sharer = login(app, seeded.sharer_email, seeded.password)
    inviter = login(app, seeded.inviter_email, seeded.password)
    owner_zeo = login(servers.app_1proc, seeded.owner_email, seeded.password)  # its own copy
    api = app.base_url + "/api"
    dataset = f"{api}/datasets/{seeded.dataset_id}/"
    user_path = f"/api/users/{seeded.target_user_id}/"
    email = urllib.parse.quote(seeded.target_email)
    return [
        Scenario(BASE_1, servers.baseline.base_url + "/json"),
        *read_rows(app, seeded, owner, catalog),
        Scenario(MIXED, app.base_url + user_path, owner, script=scripts["mixed"]),
        *uncached_rows(servers.uncached, seeded, scripts),
        Scenario("dataset entity (member)", dataset, member),
        Scenario("typical member's datasets", api + "/datasets/", member, CATALOG_CONNECTIONS),
        Scenario(
            "visible_datasets of the member (owner)",
            f"{api}/users/{seeded.member_id}/visible_datasets/",
            owner,
            CATALOG_CONNECTIONS,
        ),
        Scenario("dataset permissions (member)", dataset + "permissions/", member),
        Scenario(EMAIL_LOOKUP, f"{api}/users/?email={email}", owner),
        Scenario(LOGIN, api + "/public/login/", {}, LOGIN_CONNECTIONS, scripts["login"]),
        Scenario(INVITE, api + "/account/users/", inviter, script=scripts["invite"]),
        Scenario(SHARE, app.base_url, sharer, script=scripts["share"]),
        Scenario(BASE_2, servers.baseline_2proc.base_url + "/json", base=BASE_2),
        Scenario(USER_1PROC, servers.app_1proc.base_url + user_path, owner_zeo),
        Scenario(USER_2PROC, servers.app_2proc.base_url + user_path, owner_zeo, base=BASE_2),
    ]


def read_rows(app: Server, seeded: seed.Seeded, owner, catalog, suffix="") -> list[Scenario]:
    """The four read rows with targets (or, with ``suffix``, their twins)."""
    api = app.base_url + "/api"
    return [
        Scenario("GET /api/ (owner)" + suffix, api + "/", owner),
        Scenario(USER_ENTITY + suffix, f"{api}/users/{seeded.target_user_id}/", owner),
        Scenario(
            PAGE_100 + suffix, f"{api}/account/users/?page_size=100", owner, CATALOG_CONNECTIONS
        ),
        Scenario(MEMBER_CATALOG + suffix, api + "/datasets/", catalog, CATALOG_CONNECTIONS),
    ]


def uncached_rows(uncached: Server, seeded: seed.Seeded, scripts: dict) -> list[Scenario]:
    """The read rows and the mixed row on the app whose read cache is off
    (its own logins: its database is a copy)."""
    owner = login(uncached, seeded.owner_email, seeded.password)
    catalog = login(uncached, seeded.catalog_email, seeded.password)
    user_url = f"{uncached.base_url}/api/users/{seeded.target_user_id}/"
    return [
        *read_rows(uncached, seeded, owner, catalog, UNCACHED),
        Scenario(MIXED + UNCACHED, user_url, owner, script=scripts["mixed"]),
    ]


def select(scenarios: list[Scenario], only: str | None) -> list[Scenario]:
    """The scenarios whose names contain one of ``only``'s comma-separated
    parts, and the baseline rows (and, for the 2-process row, the 1-process
    row) their ratios and targets need; all of them without ``only``."""
    if not only:
        return scenarios
    parts = [p.strip().lower() for p in only.split(",") if p.strip()]
    wanted = {s.name for s in scenarios if any(p in s.name.lower() for p in parts)}
    if not wanted:
        raise SystemExit(f"--only {only!r} matches no scenario")
    if USER_2PROC in wanted:
        wanted.add(USER_1PROC)
    wanted |= {s.base for s in scenarios if s.name in wanted}
    return [s for s in scenarios if s.name in wanted]


def check_scenarios(scenarios: list[Scenario]) -> dict[str, int]:
    """Each GET URL must answer 200 with JSON once, so we never benchmark a 401
    page (the scripted writes are checked by their non-2xx count).  Returns how
    many entries each catalog answer's index holds."""
    sizes = {}
    for scenario in scenarios:
        if scenario.script:
            continue
        body = http_json(scenario.url, headers=scenario.headers)
        if isinstance(body.get("index"), dict):
            sizes[scenario.name] = len(body["index"])
    return sizes


def print_sizes(sizes: dict[str, int], seeded: seed.Seeded):
    print(
        f"Member {seeded.member_email} is in {seeded.member_teams} teams; "
        f"catalog sizes (out of {seeded.datasets} datasets):"
    )
    for name, size in sizes.items():
        print(f"  {name}: {size} entries")


def measure(scenarios: list[Scenario], servers: list[Server], rounds: int, seconds: float):
    """Interleave rounds (A B C, A B C, ...) so drift hits every scenario alike;
    each measurement follows its own short warm-up."""
    for number in range(1, rounds + 1):
        for scenario in scenarios:
            print(f"  round {number}/{rounds}: {scenario.name} ...", flush=True)
            options = (scenario.headers, scenario.connections, scenario.script)
            wrk.run(scenario.url, WARMUP_SECONDS, *options)
            scenario.runs.append(wrk.run(scenario.url, seconds, *options))
            for server in servers:
                if server.proc.poll() is not None:
                    raise RuntimeError(f"{server.name} server died:\n{log_tail(server)}")


def summarise(scenarios: list[Scenario]) -> list[dict]:
    """Medians over rounds, error counts summed, req/s ratio to the median of
    the scenario's baseline row (the bare view on the same topology)."""
    rows = []
    for scenario in scenarios:
        runs = scenario.runs
        rows.append(
            {
                "scenario": scenario.name,
                "url": scenario.url,
                "connections": scenario.connections,
                "base": scenario.base,
                "rps": statistics.median(r["rps"] for r in runs),
                "rps_min": min(r["rps"] for r in runs),
                "rps_max": max(r["rps"] for r in runs),
                "p50_ms": statistics.median(r["p50_ms"] for r in runs),
                "p99_ms": statistics.median(r["p99_ms"] for r in runs),
                "non_2xx": sum(r["non_2xx"] for r in runs),
                "socket_errors": sum(sum(r["socket_errors"].values()) for r in runs),
                "runs": runs,
            }
        )
    by_name = {row["scenario"]: row for row in rows}
    for row in rows:
        base_rps = by_name[row["base"]]["rps"]
        row["ratio"] = row["rps"] / base_rps if base_rps else float("nan")
    return rows


def targets(rows: list[dict], verify_ms: float, compare: dict | None) -> dict[str, dict]:
    """The issue's targets, each with the measured value and whether it is met."""
    by = {row["scenario"]: row for row in rows}
    found = {}

    def target(name, text, value, met):
        found[name] = {"target": text, "value": value, "met": bool(met)}

    for name, floor in ((USER_ENTITY, 0.70), (PAGE_100, 0.55), (MEMBER_CATALOG, 0.40)):
        if name not in by:
            continue
        target(
            name, f"ratio >= {floor:.2f}", f"{by[name]['ratio']:.2f}", by[name]["ratio"] >= floor
        )
    if LOGIN in by:
        login_target(by[LOGIN], verify_ms, target)
    if INVITE in by:
        invite = by[INVITE]
        target(
            INVITE,
            ">= 200/s, 0 failed at 16 clients",
            f"{invite['rps']:.0f}/s, {invite['non_2xx']} failed",
            invite["rps"] >= 200 and invite["non_2xx"] == 0,
        )
    if SHARE in by:
        target(
            SHARE,
            "0 failed at 16 clients",
            f"{by[SHARE]['non_2xx']} failed",
            by[SHARE]["non_2xx"] == 0,
        )
    if USER_2PROC in by:
        scale = by[USER_2PROC]["rps"] / by[USER_1PROC]["rps"]
        target(USER_2PROC, ">= 1.6 x one process", f"{scale:.2f} x", scale >= 1.6)
    if compare:
        earlier = {row["scenario"]: row for row in compare["results"]}
        for name in (EMAIL_LOOKUP, USER_ENTITY):
            if name in earlier and name in by:
                slower = by[name]["p50_ms"] / earlier[name]["p50_ms"]
                target(
                    f"{name} vs {compare['seed']['users']} users",
                    "p50 within 1.5 x",
                    f"{slower:.2f} x",
                    slower <= 1.5,
                )
    return found


def login_target(login: dict, verify_ms: float, target):
    login_ms = login["p50_ms"]
    target(
        LOGIN,
        f"<= 1.3 x one hash verification ({verify_ms:.0f} ms)",
        f"{login_ms / verify_ms:.2f} x" if login["rps"] else "no login finished",
        login["rps"] > 0 and login_ms <= 1.3 * verify_ms,
    )


def print_table(rows: list[dict], rounds: int, goals: dict[str, dict]):
    label = f"median of {rounds} rounds" if rounds > 1 else "1 round"
    width = max(len(row["scenario"]) for row in rows)
    header = (
        f"{'scenario':<{width}} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'vs base':>8} {'non-2xx':>8}  target"
    )
    print(
        f"\nResults ({label}; wrk -t{wrk.THREADS} -c<conns>; ratios to the bare view "
        "of the same topology)"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        goal = goals.get(row["scenario"])
        note = (
            f"{goal['target']}: {goal['value']} {'met' if goal['met'] else 'MISSED'}"
            if goal
            else ""
        )
        print(
            f"{row['scenario']:<{width}} {row['connections']:>5} {row['rps']:>9.1f} "
            f"{row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} {row['ratio']:>8.3f} "
            f"{row['non_2xx'] + row['socket_errors']:>8}  {note}"
        )
    for name, goal in goals.items():
        if name not in {row["scenario"] for row in rows}:
            print(
                f"{name}: {goal['target']}: {goal['value']} {'met' if goal['met'] else 'MISSED'}"
            )
    bad = [r["scenario"] for r in rows if r["non_2xx"] or r["socket_errors"]]
    if bad:
        print(f"WARNING: non-2xx responses or socket errors in: {', '.join(bad)}")


def verify_milliseconds() -> float:
    """One argon2 verification with the server's default parameters (the
    login user's hash has them), median of 5, in this process."""
    registry = seed.default_registry()
    config = registry.crunchusers_config
    hasher = argon2.PasswordHasher(
        time_cost=config.argon2_time_cost,
        memory_cost=config.argon2_memory_cost,
        parallelism=config.argon2_parallelism,
    )
    digest = hasher.hash(seed.PASSWORD)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        hasher.verify(digest, seed.PASSWORD)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def resident_mib(server: Server) -> float:
    """VmRSS of the server process and its children (gunicorn's workers), MiB."""
    out = subprocess.run(
        ["ps", "-o", "rss=", "--pid", str(server.proc.pid), "--ppid", str(server.proc.pid)],
        capture_output=True,
        text=True,
    )
    return sum(int(kib) for kib in out.stdout.split()) / 1024


def server_log_notes(server: Server) -> dict[str, int]:
    """Warnings and errors a server logged, digits folded so repeats group."""
    counts = Counter()
    for line in server.log_path.read_text(errors="replace").splitlines():
        if re.match(r"(WARNING|ERROR|CRITICAL)\b", line) or line.startswith("Traceback"):
            counts[re.sub(r"\d+", "N", line)] += 1
        elif "[crunchusers.views.retry]" in line:  # conflicts: keep the class and oid
            counts[re.sub(r"^INFO .*?: ", "retried after ", line)] += 1
    return dict(counts)


def print_log_notes(notes: dict[str, dict[str, int]]):
    for name, counts in notes.items():
        if not counts:
            print(f"{name} server log: no warnings or errors")
        for line, count in counts.items():
            print(f"{name} server log: {count} x {line}")


def environment() -> dict:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_count": os.cpu_count(),
        "wrk": wrk.version(),
        "packages": versions,
    }


def code_under_test() -> dict:
    """Which crunchusers was measured: where it was imported from and, if that
    is a git checkout, its HEAD and whether tracked files had local changes."""
    import crunchusers

    source = Path(crunchusers.__file__).resolve().parent.parent

    def git(*args):
        proc = subprocess.run(["git", *args], cwd=source, capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else None

    status = git("status", "--porcelain", "--untracked-files=no")
    return {
        "path": str(source),
        "commit": git("rev-parse", "HEAD"),
        "dirty": None if status is None else bool(status),
    }


def write_results(args, seeded: seed.Seeded, timings, sizes, rows, extra: dict) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{stamp}.json"
    document = {
        "timestamp": stamp,
        "argv": sys.argv,
        "options": {
            "duration": args.duration,
            "users": args.users,
            "teams": args.teams,
            "datasets": args.datasets,
            "projects": args.projects,
            "rounds": args.rounds,
            "only": args.only,
            "gunicorn_threads": args.gunicorn_threads,
            "warmup_seconds": WARMUP_SECONDS,
            "wrk_threads": wrk.THREADS,
            "wrk_connections": wrk.CONNECTIONS,
            "catalog_connections": CATALOG_CONNECTIONS,
            "login_connections": LOGIN_CONNECTIONS,
            "wrk_timeout": wrk.TIMEOUT,
            "waitress_threads": 4,
        },
        "seed": {
            "users": seeded.users,
            "teams": seeded.teams,
            "datasets": seeded.datasets,
            "projects": seeded.projects,
            "random_seed": seed.RANDOM_SEED,
            "member_email": seeded.member_email,
            "member_teams": seeded.member_teams,
            "seconds": round(seeded.seconds, 2),
            "phase_seconds": {k: round(v, 2) for k, v in seeded.phase_seconds.items()},
        },
        "visible_datasets_inprocess": {
            "calls": inprocess.CALLS,
            "timings": [t.as_dict() for t in timings],
        },
        "catalog_sizes": sizes,
        "environment": environment(),
        "code": code_under_test(),
        "results": rows,
        **extra,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def copy_storage(db_path: Path, folder: Path) -> Path:
    """A copy of the seeded FileStorage (and its index) in ``folder``."""
    folder.mkdir()
    copy = folder / "Data.fs"
    shutil.copy(db_path, copy)
    if db_path.with_suffix(".fs.index").exists():
        shutil.copy(db_path.with_suffix(".fs.index"), copy.with_suffix(".fs.index"))
    return copy


def start_servers(stack: ExitStack, workdir: Path, db_path: Path, threads=None) -> Servers:
    """Every server at once (their start-ups overlap), then wait for each."""
    zeo_fs = copy_storage(db_path, workdir / "zeo")
    mail = workdir / "mail"
    app = start_server(
        stack, "crunchusers", workdir, "--db", str(db_path), "--mail-directory", str(mail)
    )
    uncached_fs = copy_storage(db_path, workdir / "uncached")
    uncached = start_server(
        stack,
        "crunchusers-uncached",
        workdir,
        *("--db", str(uncached_fs), "--mail-directory", str(mail.with_name("mail-uncached"))),
        *("--setting", "crunchusers.read_cache_mb=0"),
        app="crunchusers",
    )
    baseline = start_server(stack, "baseline", workdir)
    zeo = start_zeo(stack, workdir, zeo_fs)
    env = {
        "BENCH_ZODB_URI": f"zconfig://{ZEO_CLIENT_CONF}",
        "CRUNCHUSERS_ZEO_SERVER": f"{HOST}:{zeo.port}",
    }
    servers = Servers(
        app=app,
        uncached=uncached,
        baseline=baseline,
        zeo=zeo,
        app_1proc=start_gunicorn(
            stack, "crunchusers-1proc", workdir, "crunchusers", 1, env, threads
        ),
        app_2proc=start_gunicorn(
            stack, "crunchusers-2proc", workdir, "crunchusers", 2, env, threads
        ),
        baseline_2proc=start_gunicorn(
            stack, "baseline-2proc", workdir, "baseline", 2, None, threads
        ),
    )
    for server in (app, uncached, servers.app_1proc, servers.app_2proc):
        wait_until_ready(server, "/api/public/")
    for server in (baseline, servers.baseline_2proc):
        wait_until_ready(server, "/json")
    return servers


def main(argv=None):
    args = parse_args(argv)
    raise_on_sigterm()
    compare = json.loads(args.compare.read_text()) if args.compare else None
    with tempfile.TemporaryDirectory(prefix="crunchusers-bench-") as tmp:
        workdir = Path(tmp)
        db_path = workdir / "Data.fs"
        print(
            f"Seeding {args.users} users, {args.teams} teams, {args.datasets} datasets, "
            f"{args.projects} projects ...",
            flush=True,
        )
        seeded = seed.seed(db_path, shape_of(args))
        phases = ", ".join(f"{k} {v:.1f}s" for k, v in seeded.phase_seconds.items())
        print(f"  done in {seeded.seconds:.1f}s ({phases})", flush=True)
        timings = inprocess.time_visible_datasets(db_path, seeded.probe_users)
        inprocess.print_timings(timings)
        verify_ms = verify_milliseconds()
        print(f"\nOne argon2 verification with the server's parameters: {verify_ms:.1f} ms\n")
        with ExitStack() as stack:  # stops every server, also on error or Ctrl-C
            servers = start_servers(stack, workdir, db_path, args.gunicorn_threads)
            scripts = write_scripts(workdir, servers.app, seeded)
            scenarios = select(make_scenarios(servers, seeded, scripts), args.only)
            sizes = check_scenarios(scenarios)
            print_sizes(sizes, seeded)
            measure(scenarios, servers.all(), args.rounds, args.duration)
            memory = {s.name: round(resident_mib(s), 1) for s in servers.http()}
        notes = {s.name: server_log_notes(s) for s in servers.all()}
    rows = summarise(scenarios)
    goals = targets(rows, verify_ms, compare)
    print_table(rows, args.rounds, goals)
    print(
        "\nResident memory after the load, MiB (gunicorn: master and workers): "
        + ", ".join(f"{k} {v}" for k, v in memory.items())
    )
    print_log_notes(notes)
    extra = {
        "verify_ms": verify_ms,
        "targets": goals,
        "resident_mib": memory,
        "server_log_notes": notes,
    }
    path = write_results(args, seeded, timings, sizes, rows, extra)
    print(f"\nWrote {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
