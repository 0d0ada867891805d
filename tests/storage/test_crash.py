"""A server killed with SIGKILL in the middle of a write load loses no
acknowledged write: after a restart on the same FileStorage every user whose
invitation answered 201 is there (once), and the file checks clean with
ZODB's ``fstest`` (and ``fsrefs``: no dangling reference).

The whole gunicorn process group (master and worker) is killed at once, the
way a power cut or the OOM killer would, while eight clients keep writing.
"""

import subprocess
import sys
import threading
from collections import Counter

import pytest
import requests

from .client import Api, seed_account
from .conftest import servers, storage
from .servers import SUPERUSER_EMAIL, wait_until

pytestmark = pytest.mark.storage

WRITERS = 8
KILL_AFTER = 40  # acknowledged writes before the kill


class Writer(threading.Thread):
    """Invites users until the server goes away; remembers what was acknowledged."""

    def __init__(self, number: int, owner: Api, acknowledged: list, stop: threading.Event):
        super().__init__(name=f"writer-{number}")
        self.number, self.owner, self.acknowledged, self.stop = number, owner, acknowledged, stop

    def run(self):
        api = self.owner.as_user(self.owner.token)  # its own HTTP session
        for n in range(10_000):
            if self.stop.is_set():
                return
            email = f"crash-{self.number}-{n}@acme.test"
            body = {"email": email, "send_invite": False}
            try:
                answer = api.request("POST", "/api/account/users/", body)
            except requests.RequestException:
                return  # the server is gone: this write was never acknowledged
            if answer.status_code == 201:
                self.acknowledged.append(email)
            elif answer.status_code >= 500:
                return


def check_filestorage(path):
    """fstest (the record structure) and fsrefs (no dangling reference)."""
    for script in ("fstest", "fsrefs"):
        done = subprocess.run(
            [sys.executable, "-m", f"ZODB.scripts.{script}", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0 and not done.stdout.strip(), (script, done.stdout, done.stderr)


def test_sigkill_during_writes_loses_no_acknowledged_write(tmp_path, smtp_server):
    data_fs = tmp_path / "Data.fs"
    acknowledged, stop = [], threading.Event()
    with storage("filestorage", tmp_path) as (uri, env):
        with servers(tmp_path, smtp_server, uri, env, ("before", 1)) as (server,):
            owner = seed_account(Api(server.url), SUPERUSER_EMAIL)
            writers = [Writer(n, owner, acknowledged, stop) for n in range(WRITERS)]
            try:
                for writer in writers:
                    writer.start()
                wait_until(lambda: len(acknowledged) >= KILL_AFTER, 60, "writes before the kill")
                server.kill()  # SIGKILL to master and worker, mid-load
            finally:
                stop.set()
                for writer in writers:
                    writer.join(timeout=60)
            assert not any(writer.is_alive() for writer in writers)
            written = list(acknowledged)

        with servers(tmp_path, smtp_server, uri, env, ("after", 1)) as (server,):
            owner = Api(server.url).login("owner@acme.test")
            users = owner.get("/api/account/users/")["index"].values()
            emails = Counter(user["email"] for user in users)
            assert len(written) >= KILL_AFTER
            assert {email: emails[email] for email in written} == dict.fromkeys(written, 1)
        check_filestorage(data_fs)
