"""Benchmark crunchusers' hot GETs against a bare Pyramid JSON view.

Seeds a temporary FileStorage with one account of --users users, --teams
teams, --datasets datasets and --projects projects, times
``access.visible_datasets`` in-process on it, then serves the real app and a
bare Pyramid baseline with waitress (threads=4) in child processes on
127.0.0.1, logs in once as the owner and once as a typical member for Bearer
tokens, and measures each scenario with wrk.  Prints tables and writes
bench/results/<timestamp>.json.

    .venv/bin/python bench/run.py [--duration 10] [--users 10000] [--teams 1000]
                                  [--datasets 10000] [--projects 100] [--rounds 1]

See bench/README.txt for how to read the output.
"""

import argparse
import importlib.metadata
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import inprocess
import seed
import wrk

HERE = Path(__file__).resolve().parent
RESULTS_DIR = HERE / "results"
HOST = "127.0.0.1"
WARMUP_SECONDS = 2
# Dataset catalogs do real work per request (one permission check and one
# tuple per visible dataset); see README.txt for why they get fewer connections.
CATALOG_CONNECTIONS = 4
STARTUP_TIMEOUT = 60
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
    """A waitress child process and where its stderr goes."""

    name: str
    proc: subprocess.Popen
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"


@dataclass
class Scenario:
    """One URL measured with wrk; ``runs`` collects one parsed report per round."""

    name: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    connections: int = wrk.CONNECTIONS
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
        default=1,
        help="interleaved rounds over all scenarios; medians are reported",
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


def start_server(stack: ExitStack, name: str, workdir: Path, *extra: str) -> Server:
    """Start ``serve.py <name>`` and register its shutdown before anything can fail."""
    port = free_port()
    log_path = workdir / f"{name}.log"
    log = stack.enter_context(open(log_path, "w"))  # closed after the server is stopped
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "serve.py"), name, "--port", str(port), *extra],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    server = Server(name, proc, port, log_path)
    stack.callback(stop_server, server)
    return server


def stop_server(server: Server):
    """Stop exactly this child by its PID: SIGTERM, then SIGKILL after 5 s."""
    if server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()


def wait_until_ready(server: Server, path: str):
    """Poll ``path`` until the server answers at all; fail fast if it died."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} server exited at start-up:\n{log_tail(server)}")
        try:
            with urllib.request.urlopen(server.base_url + path, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer means it is serving
        except OSError:
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


def make_scenarios(app: Server, baseline: Server, seeded: seed.Seeded) -> list[Scenario]:
    """The owner (account admin) reads the user entity and the member's
    visible_datasets; the member reads their own catalog and one dataset."""
    owner = login(app, seeded.owner_email, seeded.password)
    member = login(app, seeded.member_email, seeded.password)
    api = app.base_url + "/api"
    dataset = f"{api}/datasets/{seeded.dataset_id}/"
    return [
        Scenario("baseline GET /json", baseline.base_url + "/json"),
        Scenario("GET /api/", api + "/", owner),
        Scenario("GET /api/users/<id>/", f"{api}/users/{seeded.target_user_id}/", owner),
        Scenario("GET /api/datasets/ (member)", api + "/datasets/", member, CATALOG_CONNECTIONS),
        Scenario(
            "GET /api/users/<member>/visible_datasets/ (owner)",
            f"{api}/users/{seeded.member_id}/visible_datasets/",
            owner,
            CATALOG_CONNECTIONS,
        ),
        Scenario("GET /api/datasets/<id>/ (member)", dataset, member),
        Scenario("GET /api/datasets/<id>/permissions/ (member)", dataset + "permissions/", member),
    ]


def check_scenarios(scenarios: list[Scenario]) -> dict[str, int]:
    """Each URL must answer 200 with JSON once, so we never benchmark a 401 page.
    Returns how many entries each catalog answer's index holds."""
    sizes = {}
    for scenario in scenarios:
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
            options = (scenario.headers, scenario.connections)
            wrk.run(scenario.url, WARMUP_SECONDS, *options)
            scenario.runs.append(wrk.run(scenario.url, seconds, *options))
            for server in servers:
                if server.proc.poll() is not None:
                    raise RuntimeError(f"{server.name} server died:\n{log_tail(server)}")


def summarise(scenarios: list[Scenario]) -> list[dict]:
    """Medians over rounds, error counts summed, req/s ratio to the baseline median."""
    rows = []
    for scenario in scenarios:
        runs = scenario.runs
        rows.append(
            {
                "scenario": scenario.name,
                "url": scenario.url,
                "connections": scenario.connections,
                "rps": statistics.median(r["rps"] for r in runs),
                "p50_ms": statistics.median(r["p50_ms"] for r in runs),
                "p99_ms": statistics.median(r["p99_ms"] for r in runs),
                "non_2xx": sum(r["non_2xx"] for r in runs),
                "socket_errors": sum(sum(r["socket_errors"].values()) for r in runs),
                "runs": runs,
            }
        )
    baseline_rps = rows[0]["rps"]
    for row in rows:
        row["ratio"] = row["rps"] / baseline_rps if baseline_rps else float("nan")
    return rows


def print_table(rows: list[dict], rounds: int):
    label = f"median of {rounds} rounds" if rounds > 1 else "1 round"
    width = max(len(row["scenario"]) for row in rows)
    header = (
        f"{'scenario':<{width}} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'vs base':>8} {'non-2xx':>8} {'sock err':>8}"
    )
    print(f"\nResults ({label}; wrk -t{wrk.THREADS} -c<conns>, waitress threads=4)")
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['scenario']:<{width}} {row['connections']:>5} {row['rps']:>9.1f} "
            f"{row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} {row['ratio']:>8.3f} "
            f"{row['non_2xx']:>8} {row['socket_errors']:>8}"
        )
    bad = [r["scenario"] for r in rows if r["non_2xx"] or r["socket_errors"]]
    if bad:
        print(f"WARNING: non-2xx responses or socket errors in: {', '.join(bad)}")


def server_log_notes(server: Server) -> dict[str, int]:
    """Warnings and errors a server logged, digits folded so repeats group."""
    counts = Counter()
    for line in server.log_path.read_text(errors="replace").splitlines():
        if re.match(r"(WARNING|ERROR|CRITICAL)\b", line) or line.startswith("Traceback"):
            counts[re.sub(r"\d+", "N", line)] += 1
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


def write_results(
    args,
    seeded: seed.Seeded,
    timings: list[inprocess.Timing],
    sizes: dict[str, int],
    rows: list[dict],
    notes: dict,
) -> Path:
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
            "warmup_seconds": WARMUP_SECONDS,
            "wrk_threads": wrk.THREADS,
            "wrk_connections": wrk.CONNECTIONS,
            "catalog_connections": CATALOG_CONNECTIONS,
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
        "server_log_notes": notes,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def main(argv=None):
    args = parse_args(argv)
    raise_on_sigterm()
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
        print()
        with ExitStack() as stack:  # stops every server, also on error or Ctrl-C
            app = start_server(stack, "crunchusers", workdir, "--db", str(db_path))
            baseline = start_server(stack, "baseline", workdir)
            wait_until_ready(app, "/api/public/")
            wait_until_ready(baseline, "/json")
            scenarios = make_scenarios(app, baseline, seeded)
            sizes = check_scenarios(scenarios)
            print_sizes(sizes, seeded)
            measure(scenarios, [app, baseline], args.rounds, args.duration)
        notes = {s.name: server_log_notes(s) for s in (app, baseline)}
    rows = summarise(scenarios)
    print_table(rows, args.rounds)
    print_log_notes(notes)
    path = write_results(args, seeded, timings, sizes, rows, notes)
    print(f"\nWrote {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
