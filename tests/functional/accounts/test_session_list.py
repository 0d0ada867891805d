"""``/api/users/{id}/sessions/``: the user's own live login sessions, each
with where and when, the current one marked; one can be ended."""

import pytest

from tests.factories import PASSWORD, acme_and_other
from tests.functional.helpers import LOGIN, new_key


@pytest.fixture
def acme(factory):
    return acme_and_other(factory)


def sessions_url(scene, who):
    return scene.url(who) + "sessions/"


def test_the_list_shows_each_session_and_marks_the_current(testapp, acme, factory, clock):
    mine = acme.headers("alice")
    other = factory.login(acme.id("alice"))
    clock.advance(minutes=10)
    testapp.get("/api/", headers=other)
    res = testapp.get(sessions_url(acme, "alice"), headers=mine, status=200).json
    assert res["element"] == "shoji:catalog" and res["self"] == sessions_url(acme, "alice")
    entries = list(res["index"].values())
    assert len(entries) == 2
    assert sorted(e["current"] for e in entries) == [False, True]
    used = [e for e in entries if not e["current"]][0]
    assert used["last_used"] == clock.now().isoformat()
    for entry in entries:
        assert entry["created"] and entry["expires"]
        assert set(entry) == {"id", "created", "last_used", "expires", "ip", "user_agent"} | {
            "current"
        }
    text = str(res)
    for secret in (mine["Authorization"][7:], other["Authorization"][7:]):
        assert secret not in text


def test_ip_and_user_agent_are_recorded_at_login(testapp, acme):
    body = {"email": acme.email("bob"), "password": PASSWORD, "token": True}
    headers = {"User-Agent": "pycrunch/0.5.9"}
    bobs = acme.headers("bob")
    environ = {"REMOTE_ADDR": "203.0.113.5"}
    testapp.post_json(LOGIN, body, headers=headers, extra_environ=environ, status=200)
    index = testapp.get(sessions_url(acme, "bob"), headers=bobs).json["index"]
    seen = [(e["ip"], e["user_agent"]) for e in index.values() if not e["current"]]
    assert seen == [("203.0.113.5", "pycrunch/0.5.9")]


def test_ending_one_session_leaves_the_others(testapp, acme, factory):
    mine = acme.headers("alice")
    other = factory.login(acme.id("alice"))
    index = testapp.get(sessions_url(acme, "alice"), headers=mine).json["index"]
    [url] = [u for u, e in index.items() if not e["current"]]
    testapp.delete(url, headers=mine, status=204)
    testapp.get("/api/", headers=other, status=401)
    testapp.get("/api/", headers=mine, status=200)
    testapp.delete(url, headers=mine, status=404)
    assert len(testapp.get(sessions_url(acme, "alice"), headers=mine).json["index"]) == 1


def test_api_keys_are_not_sessions(testapp, acme):
    mine = acme.headers("alice")
    key = testapp.post_json("/api/apikeys/", new_key(), headers=mine, status=201).json["body"]
    index = testapp.get(sessions_url(acme, "alice"), headers=mine).json["index"]
    assert len(index) == 1
    testapp.delete(sessions_url(acme, "alice") + key["id"] + "/", headers=mine, status=404)


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 403), ("bob", 403), ("superuser", 403), ("outsider", 404), ("anonymous", 401)],
)
def test_nobody_else_lists_or_ends_them(testapp, acme, who, status):
    mine = acme.headers("alice")
    index = testapp.get(sessions_url(acme, "alice"), headers=mine).json["index"]
    [url] = index
    res = testapp.get(sessions_url(acme, "alice"), headers=acme.headers(who), status=status)
    assert res.json["message"]
    testapp.delete(url, headers=acme.headers(who), status=status)
    testapp.get("/api/", headers=mine, status=200)
