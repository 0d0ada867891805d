"""Invites take turns in a process (``infra.write_turns``), and a request
waiting for a password hash leaves its turn to the others."""

import threading
import time

from webtest import TestApp

from crunchusers import main
from crunchusers.infra import passwords
from crunchusers.views import accounts
from tests.factories import PASSWORD, Factory

USERS = "/api/account/users/"


def invite(app, headers, email, **body):
    return TestApp(app).post_json(
        USERS, {"element": "shoji:entity", "body": {"email": email, **body}}, headers=headers
    )


def owner_of_new_account(settings, tmp_path):
    app = main({}, **{**settings, "zodbconn.uri": f"file://{tmp_path / 'Data.fs'}"})
    factory = Factory(app, TestApp(app))
    _, owner_id = factory.account()
    return app, factory.login(owner_id)


def test_concurrent_invites_run_one_at_a_time(settings, tmp_path, monkeypatch):
    app, headers = owner_of_new_account(settings, tmp_path)
    inside, most = [0], [0]
    new_user = accounts.new_user

    def slow_new_user(*args, **kwargs):
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        time.sleep(0.02)  # long enough for the other threads to arrive
        try:
            return new_user(*args, **kwargs)
        finally:
            inside[0] -= 1

    monkeypatch.setattr(accounts, "new_user", slow_new_user)
    threads = [
        threading.Thread(target=invite, args=(app, headers, f"t{n}@example.com")) for n in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1


def test_a_request_waiting_for_a_hash_leaves_its_turn(settings, tmp_path, monkeypatch):
    """A user made with a password waits for its hash; an invite made
    meanwhile goes through (without the pause it would wait for the turn,
    and the hash for the invite: neither would finish)."""
    app, headers = owner_of_new_account(settings, tmp_path)
    invited = threading.Event()
    hasher = passwords.hasher_for(app.registry)
    real_hash = type(hasher).hash

    def hash_after_the_invite(self, password, *args, **kwargs):
        invited.wait(10)
        return real_hash(self, password, *args, **kwargs)

    monkeypatch.setattr(type(hasher), "hash", hash_after_the_invite)
    made = []
    with_password = threading.Thread(
        target=lambda: made.append(invite(app, headers, "pw@example.com", password=PASSWORD))
    )
    with_password.start()
    time.sleep(0.2)  # it is hashing, or waiting for its hash
    started = time.monotonic()
    invite(app, headers, "plain@example.com")
    invited.set()
    with_password.join(10)
    assert time.monotonic() - started < 5
    assert [res.status_int for res in made] == [201]
