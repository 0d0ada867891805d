"""Login history (seed 003): every attempt whose credentials were checked —
time, address, user agent, method, outcome — in the user's
``login_history`` catalog, newest first, paged, bounded per user; readable
by the user and the admins of the user's account only."""

import pytest
from webtest import TestApp

from tests.factories import PASSWORD, Factory
from tests.functional.helpers import LOGIN, assert_error, cookie_login

from .helpers import WRONG, attempt, fail, history_of, succeed

HOME = {"REMOTE_ADDR": "192.0.2.10"}


def history_url(acme, who):
    return acme.url(who) + "login_history/"


def history(testapp, url, headers, **params):
    return testapp.get(url, params=params, headers=headers, status=200).json


def test_each_attempt_is_recorded_newest_first_without_secrets(testapp, acme, clock):
    email = acme.email("alice")
    agent = {"User-Agent": "Browser/1.0 (test)"}
    cookie_login(testapp, email, headers=agent, extra_environ=HOME, status=204)
    testapp.reset()
    clock.advance(seconds=90)
    attempt(testapp, email, WRONG, headers={"User-Agent": "script/2\x7f"}, extra_environ=HOME)
    clock.advance(seconds=30)
    doc = history(testapp, history_url(acme, "alice"), acme.headers("alice"))
    assert doc["element"] == "shoji:catalog" and doc["total"] == 3
    entries = list(doc["index"].values())
    assert list(doc["index"]) == doc["graph"]
    newest, failure, first = entries  # the newest is the login behind acme.headers
    assert newest["outcome"] == "success" and newest["method"] == "token"
    assert failure == {
        "time": "2026-01-01T00:01:30+00:00",
        "ip": "192.0.2.10",
        "user_agent": "script/2",
        "method": "token",
        "outcome": "failure",
        "reason": "wrong_password",
    }
    assert first == {
        "time": "2026-01-01T00:00:00+00:00",
        "ip": "192.0.2.10",
        "user_agent": "Browser/1.0 (test)",
        "method": "password",
        "outcome": "success",
        "reason": None,
    }
    assert PASSWORD not in str(doc) and WRONG not in str(doc)


def test_failures_of_non_active_users_are_recorded_with_their_reason(testapp, acme, factory):
    locked = acme.add("locked", status="locked")
    attempt(testapp, acme.email("locked"), PASSWORD)
    assert [e["reason"] for e in history_of(factory, locked)] == ["locked"]


def test_pages_follow_each_other(testapp, acme, clock):
    email = acme.email("alice")
    for n in range(4):
        clock.advance(seconds=1)
        fail(testapp, email) if n % 2 else succeed(testapp, email)
    url, headers = history_url(acme, "alice"), acme.headers("alice")
    whole = list(history(testapp, url, headers)["index"])
    assert len(whole) == 5
    first = history(testapp, url, headers, page_size=2)
    assert list(first["index"]) == whole[:2] and first["total"] == 5
    assert "previous" not in first.get("urls", {})
    second = testapp.get(first["urls"]["next"], headers=headers).json
    assert list(second["index"]) == whole[2:4]
    last = testapp.get(second["urls"]["next"], headers=headers).json
    assert list(last["index"]) == whole[4:] and "next" not in last["urls"]
    assert testapp.get(last["urls"]["previous"], headers=headers).json == second


def test_an_entry_is_an_entity_at_its_index_key(testapp, acme):
    headers = acme.headers("alice")
    doc = history(testapp, history_url(acme, "alice"), headers)
    url, row = next(iter(doc["index"].items()))
    entity = testapp.get(url, headers=headers, status=200).json
    assert entity["element"] == "shoji:entity" and entity["self"] == url
    assert entity["body"] == row
    testapp.get(url, headers=acme.headers("bob"), status=404)


@pytest.mark.parametrize("entry", ["nope", "1-2-3", "1-2-zz", "99999999999999999-1-ab", "x" * 300])
def test_unknown_or_malformed_entries_are_404(testapp, acme, entry):
    url = history_url(acme, "alice") + entry + "/"
    assert_error(testapp.get(url, headers=acme.headers("alice"), status=404), 404)


@pytest.mark.parametrize(
    "params",
    [{"page_size": "0"}, {"page_size": "x"}, {"page_size": "1001"}, {"page_index": "-1"}],
)
def test_bad_paging_is_a_400_naming_the_parameter(testapp, acme, params):
    res = testapp.get(
        history_url(acme, "alice"), params=params, headers=acme.headers("alice"), status=400
    )
    assert_error(res, 400, next(iter(params)))


@pytest.mark.parametrize(
    "who, status",
    [
        ("alice", 200),
        ("admin", 200),
        ("owner", 200),
        ("superuser", 200),
        ("bob", 404),
        ("outsider", 404),
        ("other_owner", 404),
        ("anonymous", 401),
    ],
)
def test_only_the_user_and_their_accounts_admins_read_it(testapp, acme, who, status):
    acme.headers("alice")  # one login of alice's to read
    res = testapp.get(history_url(acme, "alice"), headers=acme.headers(who), status=status)
    if status != 200:
        assert_error(res, status)
        return
    assert res.json["total"] == 1
    entity = testapp.get(acme.url("alice"), headers=acme.headers(who)).json
    assert entity["catalogs"]["login_history"] == history_url(acme, "alice")


@pytest.mark.parametrize("who", ["bob", "outsider", "other_owner"])
def test_the_entity_links_it_only_for_those_who_may_read_it(testapp, acme, who):
    res = testapp.get(acme.url("alice"), headers=acme.headers(who), status="*")
    if res.status_int == 200:
        assert "login_history" not in res.json.get("catalogs", {})


def test_storage_per_user_is_bounded(app_with, clock):
    app = app_with(**{"crunchusers.login.history_size": "3"})
    factory = Factory(app, TestApp(app))
    _, owner_id = factory.account()
    email = factory.email_of(owner_id)
    for n in range(12):
        clock.advance(seconds=1)
        attempt(factory.testapp, email, PASSWORD if n % 3 else WRONG, status="*")
    kept = [entry["time"] for entry in history_of(factory, owner_id)]
    assert 3 <= len(kept) <= 4  # the bound, and at most 10 % (here 1) more
    assert kept == sorted(kept, reverse=True) and kept[0] == clock.now()


def test_a_removed_user_keeps_no_history(testapp, acme, factory):
    acme.headers("bob")
    testapp.delete(acme.url("bob"), headers=acme.headers("admin"), status=200)
    assert factory.read(lambda root: root.sign_ins.of(root.users[acme.bob])) is None


def test_a_login_answers_as_before_for_pycrunch(testapp, acme):
    """Nothing new in the login answers themselves."""
    res = testapp.post_json(
        LOGIN, {"email": acme.email("bob"), "password": PASSWORD, "token": True}, status=200
    )
    assert set(res.json) == {"access_token", "token_type"}


def test_a_user_who_must_verify_their_email_is_gated_from_it(testapp, acme):
    """The email verification gate (authz/verification.py) holds here too:
    the history is no part of what an unverified user may use."""
    body = {"email": "nina@example.com", "password": "a brand new passphrase 42"}
    res = testapp.post_json("/api/account/users/", body, headers=acme.headers("owner"))
    acme.adopt("nina", res.location, body["password"])
    me = testapp.get(acme.url("nina"), headers=acme.headers("nina")).json
    assert "login_history" not in me.get("catalogs", {})  # links only what works
    res = testapp.get(history_url(acme, "nina"), headers=acme.headers("nina"), status=403)
    assert "Verify your email address first" in res.json["message"]
    doc = history(testapp, history_url(acme, "nina"), acme.headers("admin"))
    assert [e["outcome"] for e in doc["index"].values()] == ["success"]
