"""Concurrent second-factor sign-ins of one user, through a live waitress
on a FileStorage (as ``sign_in/test_concurrent_logins.py``): 16 clients
at once, each with its own challenge, all signed in with mailed codes; with
one app code, exactly one (the step works once per user) and the others
refused without a count, their challenges alive; 16 wrong codes at once on
one challenge count exactly 5 and kill it.  No 500, no lost history."""

import re
import threading

import pyotp
import pytest
import requests
from webtest import TestApp

from crunchusers.domain.second_factor import MAX_WRONG_CODES, set_email
from crunchusers.infra.mail import stop_delivery
from crunchusers.infra.storage import get_db
from tests.factories import PASSWORD, Factory
from tests.functional.conftest import stop_server
from tests.functional.sign_in.helpers import history_of
from tests.functional.sign_in.test_concurrent_logins import file_app, serve

from .helpers import REAUTH

CLIENTS = 16
CODE = re.compile(r"Your sign-in code is (\d{6})\.")


@pytest.fixture
def live(settings, tmp_path, clock):
    """``(factory, user id, base URL)``: an app on a FileStorage and the
    test's clock, served by as many threads as clients; the user is an
    account owner whose lockout threshold is out of these tests' way."""
    changes = {
        "crunchusers.hashing.waiting": str(CLIENTS),
        "crunchusers.mail_budget_per_hour": str(CLIENTS * 2),
        "crunchusers.login.failures_per_address": "50",
    }
    app = file_app(settings, tmp_path, **changes)
    app.registry.crunchusers_clock = clock
    factory = Factory(app, TestApp(app))
    account_id, owner_id = factory.account()
    factory.write(lambda root: setattr(root.accounts[account_id], "lockout_threshold", 50))
    server = serve(app, threads=CLIENTS)
    try:
        yield factory, owner_id, server.application_url
    finally:
        stop_server(server)
        stop_delivery(app.registry)
        get_db(app.registry).close()


def at_once(count, work) -> list:
    """``work(i)`` for each ``i < count`` from as many threads at once; the
    results in ``i`` order."""
    start = threading.Barrier(count, timeout=30)
    results = [None] * count

    def one(i):
        start.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def log_in(base, email) -> requests.Response:
    body = {"email": email, "password": PASSWORD, "token": True}
    return requests.post(base + "api/public/login/", json=body, timeout=60)


def answer(challenge: dict, code: str) -> requests.Response:
    body = {"challenge": challenge["challenge"], "code": code}
    return requests.post(challenge["url"], json=body, timeout=60)


def challenges_of(responses) -> list[dict]:
    assert [r.status_code for r in responses] == [401] * len(responses)
    return [r.json()["second_factor"] for r in responses]


def mfa_entries(factory, user_id, outcome, reason=None) -> int:
    entries = history_of(factory, user_id)
    return sum(
        e["method"] == "mfa" and e["outcome"] == outcome and e["reason"] == reason for e in entries
    )


def test_sixteen_mailed_codes_exchanged_at_once_all_sign_in(live, inbox):
    """The mails do not say which challenge they answer, so the logins come
    one after another (their concurrency is ``test_concurrent_logins``'s);
    the 16 exchanges run at once."""
    factory, user_id, base = live
    email = factory.email_of(user_id)
    factory.write(lambda root: set_email(root.users[user_id], True))
    pairs = []
    for i in range(CLIENTS):
        (challenge,) = challenges_of([log_in(base, email)])
        mail = inbox.wait_for(i + 1, timeout=10)[i]
        pairs.append((challenge, CODE.search(mail.text).group(1)))
    answers = at_once(CLIENTS, lambda i: answer(*pairs[i]))
    assert [r.status_code for r in answers] == [200] * CLIENTS
    tokens = {r.json()["access_token"] for r in answers}
    assert len(tokens) == CLIENTS
    for token in tokens:
        me = requests.get(base + "api/", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert me.status_code == 200
    assert mfa_entries(factory, user_id, "success") == CLIENTS


def enrolled(factory, user_id, base, clock) -> tuple[str, list[str]]:
    """An app confirmed for the user over HTTP: its secret, recovery codes."""
    headers = factory.login(user_id)
    url = factory.user_url(user_id).replace("http://localhost/", base) + "second_factor/"
    secret = requests.post(url + "totp/", json=REAUTH, headers=headers, timeout=30).json()
    secret = secret["secret"]
    code = pyotp.TOTP(secret).at(clock.now())
    done = requests.post(url + "totp/confirm/", json={"code": code}, headers=headers, timeout=30)
    return secret, done.json()["recovery_codes"]


def test_sixteen_sign_ins_with_one_app_code_one_succeeds_none_is_lost(live, clock):
    """The step works once per user: one 200, fifteen 401 that count
    nothing; those fifteen challenges then sign in with recovery codes
    (ten at once) and the next steps' codes."""
    factory, user_id, base = live
    secret, recovery = enrolled(factory, user_id, base, clock)
    clock.advance(seconds=30)
    email = factory.email_of(user_id)
    challenges = challenges_of(at_once(CLIENTS, lambda i: log_in(base, email)))
    assert len({c["challenge"] for c in challenges}) == CLIENTS
    code = pyotp.TOTP(secret).at(clock.now())
    statuses = [r.status_code for r in at_once(CLIENTS, lambda i: answer(challenges[i], code))]
    assert sorted(statuses) == [200] + [401] * (CLIENTS - 1)
    waiting = [c for c, status in zip(challenges, statuses, strict=True) if status == 401]
    assert mfa_entries(factory, user_id, "failure", "replayed_code") == CLIENTS - 1
    failures = factory.read(lambda root: root.sign_ins.of(root.users[user_id]).failures)
    assert failures == 0 and mfa_entries(factory, user_id, "failure", "wrong_code") == 0

    with_codes = at_once(len(recovery), lambda i: answer(waiting[i], recovery[i]))
    assert [r.status_code for r in with_codes] == [200] * len(recovery)
    for challenge in waiting[len(recovery) :]:
        clock.advance(seconds=30)  # a new step: a new code
        assert answer(challenge, pyotp.TOTP(secret).at(clock.now())).status_code == 200
    assert mfa_entries(factory, user_id, "success") == CLIENTS


def test_sixteen_wrong_codes_at_once_count_five_and_kill_the_challenge(live, inbox):
    factory, user_id, base = live
    factory.write(lambda root: set_email(root.users[user_id], True))
    (challenge,) = challenges_of([log_in(base, factory.email_of(user_id))])
    right = CODE.search(inbox.wait_for(1, timeout=10)[0].text).group(1)
    wrong = [f"{(int(right) + 1 + i) % 10**6:06d}" for i in range(CLIENTS)]
    answers = at_once(CLIENTS, lambda i: answer(challenge, wrong[i]))
    assert [r.status_code for r in answers] == [401] * CLIENTS
    assert mfa_entries(factory, user_id, "failure", "wrong_code") == MAX_WRONG_CODES
    failures = factory.read(lambda root: root.sign_ins.of(root.users[user_id]).failures)
    assert failures == MAX_WRONG_CODES
    assert answer(challenge, right).status_code == 401  # dead: no 6th answer
    assert mfa_entries(factory, user_id, "success") == 0
