"""Real server processes for the storage tests, always stopped by their id.

``Server`` runs the production recipe, ``gunicorn --paste <ini> --config
deploy/gunicorn.conf.py``, on a free loopback port, in its own session so
that its process group (master and workers) can be signalled as one.
``Zeo`` runs ``runzeo``.  Waits poll a real condition (the server answers,
the port accepts) with a deadline; nothing sleeps for a fixed time.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.conftest import FAST_ARGON2, free_port

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
SUPERUSER_EMAIL = "admin@example.com"  # production.ini's
PASSWORD = "storage password 1"
START_TIMEOUT = 60


def wait_until(condition, timeout: float, what: str, alive=lambda: True):
    """Poll ``condition()`` until it is true; fail after ``timeout`` seconds
    or as soon as ``alive()`` says the process it waits for has gone."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if not alive():
            raise AssertionError(f"{what}: the process exited")
        time.sleep(0.05)
    raise AssertionError(f"{what}: not after {timeout} s")


def write_ini(path: Path, smtp, port: int, **extra) -> Path:
    """An ini that is production.ini with the test's mail server, address,
    plain-http cookies, cheap argon2 and ``extra`` settings (e.g. its
    ``zodbconn.uri``)."""
    settings = {
        "crunchusers.public_url": f"http://127.0.0.1:{port}",
        "crunchusers.secure_cookies": "false",
        "mail.host": smtp.hostname,
        "mail.port": str(smtp.port),
        **FAST_ARGON2,
        **extra,
    }
    lines = ["[app:main]", f"use = config:{ROOT / 'production.ini'}"]
    lines += [f"{key} = {value}" for key, value in settings.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


class Process:
    """A child process in its own session, with its output in a log file."""

    def __init__(self, name: str, argv: list[str], log: Path, env: dict | None = None):
        self.name, self.log = name, log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=ROOT,
                env={**os.environ, **(env or {})},
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def signal_group(self, signum):
        """Signal the whole process group this child leads (its id is our child's pid)."""
        try:
            os.killpg(self.proc.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self):
        """SIGKILL the group at once: a crash, nothing runs its clean-up."""
        self.signal_group(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self, timeout: float = 20):
        """SIGTERM the group (graceful), SIGKILL it if it lingers."""
        if self.alive():
            self.signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        self.signal_group(signal.SIGKILL)  # any worker left behind
        self.proc.wait(timeout=30)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


class Server(Process):
    """``gunicorn --paste ini`` with ``workers`` processes of ``threads`` threads."""

    def __init__(self, ini: Path, port: int, env=None, workers=1, threads=4, name="server"):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        argv = [
            str(BIN / "gunicorn"),
            "--paste",
            str(ini),
            "--config",
            str(GUNICORN_CONF),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ]
        env = {"CRUNCHUSERS_SUPERUSER_PASSWORD": PASSWORD, **(env or {})}
        super().__init__(name, argv, ini.parent / f"{name}-{port}.log", env)

    def answers(self) -> bool:
        try:  # the socket is bound before the workers are ready: a timeout is "not yet"
            requests.get(self.url + "/api/public/", timeout=2)
        except (requests.ConnectionError, requests.Timeout):
            return False
        return True

    def wait_ready(self):
        wait_until(self.answers, START_TIMEOUT, f"{self.name} on {self.url}", self.alive)
        return self

    def worker_pids(self) -> list[int]:
        """gunicorn's workers: the children of the master."""
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.pid)], capture_output=True, text=True
        )
        return [int(pid) for pid in out.stdout.split()]


def initialize(ini: Path, env: dict):
    """Create a new database's schema, ZODB root and app containers once,
    before the servers start on it, so their logs show only the test's load
    (processes starting at once on an empty database retry, see
    ``test_bootstrap``).  ``show-user`` of the superuser changes nothing."""
    subprocess.run(
        [str(BIN / "crunchusers"), str(ini), "show-user", SUPERUSER_EMAIL],
        env={**os.environ, "CRUNCHUSERS_SUPERUSER_PASSWORD": PASSWORD, **env},
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=START_TIMEOUT,
    )


def port_accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Zeo(Process):
    """``runzeo -a 127.0.0.1:<port> -f <Data.fs>``, the README's command."""

    def __init__(self, data_fs: Path):
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        argv = [str(BIN / "runzeo"), "-a", self.address, "-f", str(data_fs)]
        super().__init__("zeo", argv, data_fs.parent / "zeo.log")
        wait_until(lambda: port_accepts(self.port), START_TIMEOUT, "runzeo", self.alive)
