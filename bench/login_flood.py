"""Authenticated reads while clients flood the login (issue 10).

    .venv/bin/python bench/login_flood.py [--duration 10] [--flood 16] [--readers 4]

Seeds a FileStorage with one account whose users have argon2id hashes with
the production parameters (argon2-cffi defaults: t=3, m=64 MiB, p=4), serves
the real app with waitress as the shipped ini files do (bench/serve.py,
24 threads, default settings), logs a reader in, and measures
``GET /api/`` with the reader's Bearer token using wrk (-c --readers):

* idle: nothing else runs;
* flood, right password: --flood connections POST logins of one other user
  with its right password as fast as answers come (parallel scripts sharing
  a service account: every attempt needs a hash);
* flood, wrong password: the same with a wrong password (an attacker: the
  user locks at 5 failures and the name is throttled at 10, so nearly all
  answers are 429s);
* idle again, to see that the server recovered.

Prints p50/p99 of the reads in each phase, their p50 against the idle p50,
and what the flood got (requests/s and answers by status).  Needs wrk
(apt-get install -y wrk); the server is stopped by PID at the end.
"""

import argparse
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import transaction
import wrk
from pyramid.registry import Registry
from run import (
    HOST,
    login,
    print_log_notes,
    raise_on_sigterm,
    server_log_notes,
    start_server,
    wait_until_ready,
)
from ZODB import DB
from ZODB.FileStorage import FileStorage

from crunchusers.domain.users import create_account, new_user
from crunchusers.infra.clock import SystemClock
from crunchusers.infra.passwords import hash_password
from crunchusers.infra.settings import Config
from crunchusers.infra.storage import bootstrap

HERE = Path(__file__).resolve().parent
PASSWORD = "bench-password-1"
READER = "reader@bench.example.com"
SCRIPT = "script@bench.example.com"
WARMUP_SECONDS = 2
#: As the shipped ini files: more threads than logins may hold (README).
THREADS = 24

#: Counts the flood's answers by status; wrk's done() prints them.
FLOOD_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email": "%(email)s", "password": "%(password)s", "token": true}'
ok, unauthorized, throttled, busy, other = 0, 0, 0, 0, 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function response(status, headers, body)
  if status < 300 then ok = ok + 1
  elseif status == 401 then unauthorized = unauthorized + 1
  elseif status == 429 then throttled = throttled + 1
  elseif status == 503 then busy = busy + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local totals = {ok = 0, unauthorized = 0, throttled = 0, busy = 0, other = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do totals[name] = totals[name] + thread:get(name) end
  end
  io.write(string.format("STATUSES 2xx=%%d 401=%%d 429=%%d 503=%%d other=%%d\\n",
    totals.ok, totals.unauthorized, totals.throttled, totals.busy, totals.other))
end
"""


def seed(db_path: Path):
    """An account with a reader and a script user, hashed as in production."""
    registry = Registry("crunchusers-login-flood")
    registry.crunchusers_config = Config.from_settings({})  # production argon2 parameters
    registry.crunchusers_clock = SystemClock()
    password_hash = hash_password(registry, PASSWORD)
    db = DB(FileStorage(str(db_path)))
    try:
        with transaction.manager:
            api_root = bootstrap(db.open().root(), registry)
            now = registry.crunchusers_clock.now()
            account, _ = create_account(
                api_root, name="Bench", owner_email=READER, now=now, password_hash=password_hash
            )
            new_user(api_root, account, email=SCRIPT, now=now, password_hash=password_hash)
    finally:
        db.close()


def flood_command(url: str, seconds: float, connections: int, script: Path) -> list[str]:
    return [*wrk.command(url, seconds, {}, connections), "-s", str(script)]


def reads_under(
    read_url, headers, readers, seconds, flood_url=None, script=None, flood=0, workdir=None
):
    """wrk's report of the reads, and the flood's (None when idle)."""
    if script is None:
        wrk.run(read_url, WARMUP_SECONDS, headers, readers)
        return wrk.run(read_url, seconds, headers, readers), None
    out = workdir / "flood.out"
    with open(out, "w") as sink:
        flood_proc = subprocess.Popen(
            flood_command(flood_url, seconds + 2 * WARMUP_SECONDS + 1, flood, script),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            wrk.run(read_url, WARMUP_SECONDS, headers, readers)
            reads = wrk.run(read_url, seconds, headers, readers)
        finally:
            flood_proc.wait(timeout=seconds + 60)
    report = out.read_text()
    flood_report = wrk.parse(report)
    flood_report["statuses"] = next(
        (line for line in report.splitlines() if line.startswith("STATUSES")), "STATUSES ?"
    )[len("STATUSES ") :]
    return reads, flood_report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per phase")
    parser.add_argument("--flood", type=int, default=16, help="flooding connections")
    parser.add_argument("--readers", type=int, default=4, help="reading connections")
    parser.add_argument("--threads", type=int, default=THREADS, help="waitress threads")
    parser.add_argument(
        "--setting", action="append", default=[], help="an app setting, name=value"
    )
    args = parser.parse_args(argv)
    raise_on_sigterm()
    with tempfile.TemporaryDirectory(prefix="crunchusers-flood-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        db_path = workdir / "Data.fs"
        print("seeding (production argon2 parameters) ...", flush=True)
        seed(db_path)
        uri = f"zodbconn.uri=file://{db_path}?connection_pool_size={args.threads}"
        extra = ["--threads", str(args.threads), "--setting", uri]
        for setting in args.setting:
            extra += ["--setting", setting]
        app = start_server(stack, "crunchusers", workdir, "--db", str(db_path), *extra)
        wait_until_ready(app, "/api/")
        headers = login(app, READER, PASSWORD)
        read_url = f"http://{HOST}:{app.port}/api/"
        flood_url = f"http://{HOST}:{app.port}/api/public/login/"
        phases = [("idle", None), ("flood, right password", PASSWORD)]
        phases += [("flood, wrong password", "wrong-password-1"), ("idle again", None)]
        rows = []
        for name, password in phases:
            print(f"  {name} ...", flush=True)
            script = None
            if password is not None:
                script = workdir / "flood.lua"
                script.write_text(FLOOD_LUA % {"email": SCRIPT, "password": password})
            reads, flood = reads_under(
                read_url,
                headers,
                args.readers,
                args.duration,
                flood_url,
                script,
                args.flood,
                workdir,
            )
            rows.append((name, reads, flood))
            if app.proc.poll() is not None:
                raise RuntimeError("the server died")
        print_table(rows, args)
        print_log_notes({"crunchusers": server_log_notes(app)})
    return 0


def print_table(rows, args):
    idle = rows[0][1]["p50_ms"]
    print()
    print(f"GET /api/ (Bearer), wrk -c{args.readers}, {args.duration:g} s per phase; ")
    print(f"flood: wrk -c{args.flood} POST /api/public/login/ as one user")
    print(f"{'phase':<24} {'p50 ms':>8} {'p99 ms':>8} {'p50/idle':>9} {'reads/s':>8}  flood")
    for name, reads, flood in rows:
        flood_text = ""
        if flood is not None:
            flood_text = f"{flood['rps']:.0f} req/s, {flood['statuses']}"
        errors = reads["non_2xx"] + sum(reads["socket_errors"].values())
        warn = f"  ({errors} read errors)" if errors else ""
        print(
            f"{name:<24} {reads['p50_ms']:>8.2f} {reads['p99_ms']:>8.2f} "
            f"{reads['p50_ms'] / idle:>9.2f} {reads['rps']:>8.0f}  {flood_text}{warn}"
        )


if __name__ == "__main__":
    sys.exit(main())
