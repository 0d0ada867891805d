"""Signing in with a second factor, end to end over HTTP: the password
answers 401 with a challenge, the code (mailed through the real SMTP
server, computed by pyotp at the injected clock's time, or a recovery
code) answers exactly as the login would have; wrong codes kill the
challenge and count toward lockout."""

import re

import pytest
from webtest import TestApp

from crunchusers.domain.second_factor import set_email
from crunchusers.views.bodies import SecondFactorAnswer
from crunchusers.views.openapi import json_schema
from tests.conftest import delivering
from tests.factories import PASSWORD, Factory
from tests.functional.helpers import LOGIN, assert_error
from tests.functional.sign_in.helpers import history_of, status_of

from .helpers import factor_url, totp_code, with_totp

EXCHANGE = "http://localhost/api/public/login/second_factor/"
CODE = re.compile(r"Your sign-in code is (\d{6})\.")
NEEDED = "A second factor is needed"
WRONG = "The code is wrong or this sign-in has expired"


def opt_in(testapp, scene, who):
    """Mailed codes for ``who`` (their session is made first, before)."""
    url = factor_url(scene, who)
    testapp.patch_json(url, {"email": True}, headers=scene.headers(who), status=204)


def login(testapp, scene, who, status=401, password=PASSWORD, token=True):
    body = {"email": scene.email(who), "password": password, "token": token}
    return testapp.post_json(LOGIN, body, status=status)


def challenge_of(res) -> dict:
    """The ``second_factor`` member of a 401 asking for one."""
    assert res.status_int == 401 and res.json["message"].startswith(NEEDED)
    assert "Set-Cookie" not in res.headers and res.headers["Cache-Control"] == "no-store"
    return res.json["second_factor"]


def send(testapp, challenge, code, status=200):
    body = {"challenge": challenge["challenge"], "code": code}
    return testapp.post_json(challenge["url"], body, status=status)


def mailed_code(inbox, scene, who) -> str:
    mails = [m for m in inbox.to(scene.email(who)) if m["Subject"] == "Your sign-in code"]
    return CODE.search(mails[-1].text).group(1)


def codes_mailed(inbox, scene, who) -> int:
    return len([m for m in inbox.to(scene.email(who)) if m["Subject"] == "Your sign-in code"])


def assert_wrong(res):
    assert_error(res, 401)
    assert res.json["message"].startswith(WRONG) and "second_factor" not in res.json


def works(testapp, token):
    testapp.get("/api/", headers={"Authorization": f"Bearer {token}"}, status=200)


def other_than(code):
    return "000000" if code != "000000" else "111111"


# -- no second factor: nothing changes ------------------------------------------


def test_without_a_second_factor_the_login_is_unchanged(testapp, acme, inbox):
    res = login(testapp, acme, "alice", status=200)
    assert set(res.json) == {"access_token", "token_type"}
    cookie = login(testapp, acme, "alice", status=204, token=False)
    assert cookie.headers["Set-Cookie"].startswith("token=")
    assert codes_mailed(inbox, acme, "alice") == 0
    assert history_of(acme.factory, acme.alice)[0]["method"] == "password"


# -- by mail ------------------------------------------------------------------------


def test_a_mailed_code_signs_in_with_a_bearer_token(testapp, acme, inbox):
    opt_in(testapp, acme, "alice")
    challenge = challenge_of(login(testapp, acme, "alice"))
    assert challenge["methods"] == ["email"] and challenge["url"] == EXCHANGE
    assert len(challenge["challenge"]) >= 43  # 256 bits
    res = send(testapp, challenge, mailed_code(inbox, acme, "alice"))
    assert set(res.json) == {"access_token", "token_type"}
    assert res.headers["Cache-Control"] == "no-store"
    works(testapp, res.json["access_token"])
    entry = history_of(acme.factory, acme.alice)[0]
    assert entry["method"] == "mfa" and entry["outcome"] == "success"


def test_a_cookie_login_gets_its_cookie_after_the_code(testapp, acme, inbox):
    opt_in(testapp, acme, "alice")
    challenge = challenge_of(login(testapp, acme, "alice", token=False))
    res = send(testapp, challenge, mailed_code(inbox, acme, "alice"), status=204)
    cookie = res.headers["Set-Cookie"]
    assert cookie.startswith("token=") and "HttpOnly" in cookie
    token = cookie.split(";")[0].removeprefix("token=")
    testapp.get("/api/", headers={"Cookie": f"token={token}"}, status=200)


def test_the_code_works_once(testapp, acme, inbox):
    opt_in(testapp, acme, "alice")
    challenge = challenge_of(login(testapp, acme, "alice"))
    code = mailed_code(inbox, acme, "alice")
    send(testapp, challenge, code)
    assert_wrong(send(testapp, challenge, code, status=401))


def test_each_login_mails_a_new_code_bound_to_its_challenge(testapp, acme, inbox):
    opt_in(testapp, acme, "alice")
    first = challenge_of(login(testapp, acme, "alice"))
    first_code = mailed_code(inbox, acme, "alice")
    second = challenge_of(login(testapp, acme, "alice"))
    second_code = mailed_code(inbox, acme, "alice")
    assert codes_mailed(inbox, acme, "alice") == 2
    if first_code != second_code:  # one in a million they are the same
        assert_wrong(send(testapp, second, first_code, status=401))
    send(testapp, second, second_code)
    send(testapp, first, first_code)


def test_a_challenge_lives_ten_minutes_exactly(testapp, acme, inbox, clock):
    opt_in(testapp, acme, "alice")
    on_time = challenge_of(login(testapp, acme, "alice"))
    on_time_code = mailed_code(inbox, acme, "alice")
    late = challenge_of(login(testapp, acme, "alice"))
    late_code = mailed_code(inbox, acme, "alice")
    clock.advance(minutes=10)
    send(testapp, on_time, on_time_code)
    clock.advance(seconds=1)
    assert_wrong(send(testapp, late, late_code, status=401))


def test_the_fifth_wrong_code_kills_the_challenge(testapp, acme, inbox, factory):
    testapp.patch_json(
        "/api/account/", {"lockout_threshold": 10}, headers=acme.headers("admin"), status=204
    )
    opt_in(testapp, acme, "alice")
    challenge = challenge_of(login(testapp, acme, "alice"))
    code = mailed_code(inbox, acme, "alice")
    answers = [send(testapp, challenge, other_than(code), status=401) for _ in range(5)]
    assert all(a.json == answers[0].json for a in answers)
    assert_wrong(send(testapp, challenge, code, status=401))  # dead
    assert status_of(factory, acme.alice) == "active"
    entries = history_of(factory, acme.alice)[:5]
    assert [(e["method"], e["reason"]) for e in entries] == [("mfa", "wrong_code")] * 5


def test_unknown_expired_and_wrong_are_one_answer(testapp, acme, inbox, clock):
    opt_in(testapp, acme, "alice")
    challenge = challenge_of(login(testapp, acme, "alice"))
    code = mailed_code(inbox, acme, "alice")
    wrong = send(testapp, challenge, other_than(code), status=401)
    unknown = send(testapp, {**challenge, "challenge": "x" * 43}, code, status=401)
    clock.advance(minutes=11)
    expired = send(testapp, challenge, code, status=401)
    assert wrong.json == unknown.json == expired.json
    assert_wrong(wrong)


@pytest.mark.parametrize(
    "body", [{}, {"challenge": "x"}, {"code": "123456"}, {"challenge": "x", "code": 1}]
)
def test_a_malformed_answer_is_a_400(testapp, body):
    assert_error(testapp.post_json(EXCHANGE, body, status=400), 400)


# -- lockout ------------------------------------------------------------------------


def test_wrong_codes_count_toward_lockout(testapp, acme, inbox, factory):
    opt_in(testapp, acme, "alice")
    acme.headers("admin")
    first = challenge_of(login(testapp, acme, "alice"))
    for _ in range(3):
        send(testapp, first, other_than(mailed_code(inbox, acme, "alice")), status=401)
    # a right password is no sign-in: it does not clear the count
    second = challenge_of(login(testapp, acme, "alice"))
    code = mailed_code(inbox, acme, "alice")
    send(testapp, second, other_than(code), status=401)
    assert status_of(factory, acme.alice) == "active"
    send(testapp, second, other_than(code), status=401)
    assert status_of(factory, acme.alice) == "locked"
    assert [m for m in inbox.to(acme.email("alice")) if m["Subject"] == "Your account was locked"]
    # locked: the right code of a live challenge, and the password, fail alike
    third = login(testapp, acme, "alice")
    assert "second_factor" not in third.json
    assert_wrong(send(testapp, second, code, status=401))


def test_wrong_passwords_and_wrong_codes_add_up(testapp, acme, inbox, factory):
    opt_in(testapp, acme, "alice")
    for _ in range(2):
        login(testapp, acme, "alice", password="wrong password here")
    challenge = challenge_of(login(testapp, acme, "alice"))
    code = mailed_code(inbox, acme, "alice")
    for _ in range(3):
        send(testapp, challenge, other_than(code), status=401)
    assert status_of(factory, acme.alice) == "locked"


def test_a_right_code_clears_the_count(testapp, acme, inbox, factory):
    opt_in(testapp, acme, "alice")
    challenge = challenge_of(login(testapp, acme, "alice"))
    code = mailed_code(inbox, acme, "alice")
    for _ in range(4):
        send(testapp, challenge, other_than(code), status=401)
    send(testapp, challenge, code)
    challenge = challenge_of(login(testapp, acme, "alice"))
    code = mailed_code(inbox, acme, "alice")
    for _ in range(4):
        send(testapp, challenge, other_than(code), status=401)
    assert status_of(factory, acme.alice) == "active"


def test_a_user_locked_since_the_challenge_spends_no_recovery_code(testapp, acme, clock):
    _secret, codes = with_totp(testapp, acme, "alice", clock)
    challenge = challenge_of(login(testapp, acme, "alice"))
    body = {"status": "locked"}
    testapp.patch_json(acme.url("alice"), body, headers=acme.headers("admin"), status=204)
    assert_wrong(send(testapp, challenge, codes[0], status=401))
    state = testapp.get(factor_url(acme, "alice"), headers=acme.headers("admin")).json
    assert state["body"]["recovery_codes_left"] == 10


# -- TOTP and recovery codes ------------------------------------------------------------


def test_an_authenticator_app_signs_in_and_no_mail_goes(testapp, acme, inbox, clock):
    secret, _codes = with_totp(testapp, acme, "alice", clock)
    clock.advance(seconds=30)
    challenge = challenge_of(login(testapp, acme, "alice"))
    assert challenge["methods"] == ["totp", "recovery_code"]
    assert codes_mailed(inbox, acme, "alice") == 0
    code = totp_code(secret, clock)
    clock.advance(seconds=59)  # one step after the code's own: still accepted
    works(testapp, send(testapp, challenge, code).json["access_token"])
    again = challenge_of(login(testapp, acme, "alice"))
    assert_wrong(send(testapp, again, code, status=401))  # a used step
    # not a guess: recorded, not counted, and the challenge lives on
    (replayed, _signed_in) = history_of(acme.factory, acme.alice)[:2]
    assert replayed["reason"] == "replayed_code" and replayed["method"] == "mfa"
    assert acme.factory.read(lambda root: root.sign_ins.of(root.users[acme.alice]).failures) == 0
    clock.advance(seconds=30)
    send(testapp, again, totp_code(secret, clock))


def test_an_app_code_two_steps_old_is_refused(testapp, acme, clock):
    secret, _codes = with_totp(testapp, acme, "alice", clock)
    clock.advance(seconds=30)
    challenge = challenge_of(login(testapp, acme, "alice"))
    code = totp_code(secret, clock)
    clock.advance(seconds=60)
    assert_wrong(send(testapp, challenge, code, status=401))
    send(testapp, challenge, totp_code(secret, clock))


def test_a_recovery_code_signs_in_once(testapp, acme, clock):
    _secret, codes = with_totp(testapp, acme, "alice", clock)
    challenge = challenge_of(login(testapp, acme, "alice"))
    works(testapp, send(testapp, challenge, codes[3]).json["access_token"])
    again = challenge_of(login(testapp, acme, "alice"))
    assert_wrong(send(testapp, again, codes[3], status=401))
    send(testapp, again, codes[4].upper().replace("-", " "))
    state = testapp.get(factor_url(acme, "alice"), headers=acme.headers("alice")).json
    assert state["body"]["recovery_codes_left"] == 8


def test_with_an_app_and_mailed_codes_either_works(testapp, acme, inbox, clock):
    secret, _codes = with_totp(testapp, acme, "alice", clock)
    opt_in(testapp, acme, "alice")
    challenge = challenge_of(login(testapp, acme, "alice"))
    assert challenge["methods"] == ["totp", "recovery_code", "email"]
    send(testapp, challenge, mailed_code(inbox, acme, "alice"))


# -- the account's requirement, the admin's reset --------------------------------------


def test_an_account_requiring_a_factor_mails_codes_to_users_without_one(
    testapp, acme, inbox, clock
):
    secret, _codes = with_totp(testapp, acme, "alice", clock)
    acme.headers("outsider")
    body = {"mfa_required": True}
    testapp.patch_json("/api/account/", body, headers=acme.headers("admin"), status=204)
    challenge = challenge_of(login(testapp, acme, "bob"))
    assert challenge["methods"] == ["email"]
    send(testapp, challenge, mailed_code(inbox, acme, "bob"))
    assert challenge_of(login(testapp, acme, "alice"))["methods"] == ["totp", "recovery_code"]
    assert codes_mailed(inbox, acme, "alice") == 0
    login(testapp, acme, "outsider", status=200)  # another account: unchanged


def test_after_an_admins_reset_the_password_alone_signs_in(testapp, acme, clock):
    secret, _codes = with_totp(testapp, acme, "alice", clock)
    before = challenge_of(login(testapp, acme, "alice"))
    testapp.delete(factor_url(acme, "alice"), headers=acme.headers("admin"), status=204)
    clock.advance(seconds=30)
    assert_wrong(send(testapp, before, totp_code(secret, clock), status=401))
    login(testapp, acme, "alice", status=200)


def test_the_exchange_is_public_described_and_listed(testapp):
    doc = testapp.get("/api/openapi.json").json
    post = doc["paths"]["/api/public/login/second_factor/"]["post"]
    assert post["security"] == []
    body = post["requestBody"]["content"]["application/json"]["schema"]["anyOf"][0]
    assert body == json_schema(SecondFactorAnswer())
    assert body["required"] == ["challenge", "code"]
    assert testapp.get("/api/public/").json["views"]["second_factor"] == EXCHANGE


def test_wrong_codes_are_throttled_like_wrong_passwords(app_with, inbox):
    app = app_with(
        **{
            "crunchusers.login.failures_per_address": "3",
            "crunchusers.login.refusal_delay_seconds": "0",
        }
    )
    factory = Factory(app, TestApp(delivering(app)))
    _account_id, owner = factory.account()
    factory.write(lambda root: set_email(root.users[owner], True))
    email, testapp = factory.email_of(owner), factory.testapp
    body = {"email": email, "password": PASSWORD, "token": True}
    challenge = challenge_of(testapp.post_json(LOGIN, body, status=401))
    code = CODE.search(inbox.wait_for(1)[-1].text).group(1)
    for _ in range(3):
        send(testapp, challenge, other_than(code), status=401)
    res = send(testapp, challenge, code, status=429)  # even the right code
    assert_error(res, 429)
    assert int(res.headers["Retry-After"]) > 0
    assert_error(testapp.post_json(LOGIN, body, status=429), 429)
