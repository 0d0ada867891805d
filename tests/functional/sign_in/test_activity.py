"""On-demand activity tracking (seed 003): an admin switches it on for a
user; each of that user's requests (method, path, status, time, address)
is then recorded, readable by the account's admins, bounded.  While it is
off, requests write nothing at all."""

import pytest
from webtest import TestApp

from tests.factories import Factory
from tests.functional.helpers import assert_error

from .helpers import last_transaction

HOME = {"REMOTE_ADDR": "192.0.2.30"}


def activity_url(acme, who):
    return acme.url(who) + "activity/"


def track(testapp, acme, who, on=True, by="admin", status=204):
    return testapp.patch_json(
        activity_url(acme, who), {"tracking": on}, headers=acme.headers(by), status=status
    )


def activity(testapp, acme, who, by="admin", **params):
    url = activity_url(acme, who)
    return testapp.get(url, params=params, headers=acme.headers(by), status=200).json


def test_while_tracking_is_off_a_request_writes_nothing(testapp, acme, app):
    alice = acme.headers("alice")
    testapp.get("/api/", headers=alice, status=200)
    before = last_transaction(app)
    testapp.get("/api/", headers=alice, status=200)
    testapp.get(acme.url("alice"), headers=alice, status=200)
    testapp.get("/api/datasets/nothing-here/", headers=alice, status=404)
    assert last_transaction(app) == before
    doc = activity(testapp, acme, "alice")
    assert doc["body"] == {"tracking": False} and doc["index"] == {} and doc["total"] == 0


def test_each_request_of_a_tracked_user_is_recorded(testapp, acme, app, clock):
    alice = acme.headers("alice")
    track(testapp, acme, "alice")
    clock.advance(seconds=10)
    before = last_transaction(app)
    testapp.get("/api/", headers=alice, extra_environ=HOME, status=200)
    assert last_transaction(app) != before  # tracking on: a GET writes its record
    clock.advance(seconds=10)
    testapp.get("/api/users/", params={"email": "secret@example.com"}, headers=alice, status=200)
    testapp.get("/api/datasets/nothing-here/", headers=alice, status=404)
    refused = testapp.patch_json(
        acme.url("alice"), {"status": "inactive"}, headers=alice, status="*"
    )
    assert_error(refused, 403)
    doc = activity(testapp, acme, "alice")
    assert doc["body"] == {"tracking": True} and doc["total"] == 4
    rows = list(doc["index"].values())
    assert [(r["method"], r["path"], r["status"]) for r in rows] == [
        ("PATCH", f"/api/users/{acme.alice}/", 403),
        ("GET", "/api/datasets/nothing-here/", 404),
        ("GET", "/api/users/", 200),  # no query string: it may hold secrets
        ("GET", "/api/", 200),
    ]
    assert rows[-1] == {
        "time": "2026-01-01T00:00:10+00:00",
        "method": "GET",
        "path": "/api/",
        "status": 200,
        "ip": "192.0.2.30",
    }
    # the refused change changed nothing: only its record was kept
    assert (
        testapp.get(acme.url("alice"), headers=acme.headers("admin")).json["body"]["status"]
        == "active"
    )
    # other users' requests are not recorded
    testapp.get("/api/", headers=acme.headers("bob"), status=200)
    assert activity(testapp, acme, "alice")["total"] == 4


def test_switching_tracking_off_stops_the_records_and_the_writes(testapp, acme, app):
    alice = acme.headers("alice")
    track(testapp, acme, "alice")
    testapp.get("/api/", headers=alice, status=200)
    track(testapp, acme, "alice", on=False)
    before = last_transaction(app)
    testapp.get("/api/", headers=alice, status=200)
    assert last_transaction(app) == before
    doc = activity(testapp, acme, "alice")
    assert doc["body"] == {"tracking": False} and doc["total"] == 1  # kept for reading


def test_an_entry_is_an_entity_at_its_index_key(testapp, acme):
    track(testapp, acme, "alice")
    testapp.get("/api/", headers=acme.headers("alice"), status=200)
    url, row = next(iter(activity(testapp, acme, "alice")["index"].items()))
    entity = testapp.get(url, headers=acme.headers("admin"), status=200).json
    assert entity["body"] == row
    testapp.get(url, headers=acme.headers("alice"), status=404)


def test_storage_per_user_is_bounded(app_with, clock):
    app = app_with(**{"crunchusers.login.activity_size": "3"})
    factory = Factory(app, TestApp(app))
    account_id, owner_id = factory.account()
    user_id = factory.user(account_id)
    owner, user = factory.login(owner_id), factory.login(user_id)
    url = factory.user_url(user_id) + "activity/"
    factory.testapp.patch_json(url, {"tracking": True}, headers=owner, status=204)
    for _ in range(10):
        clock.advance(seconds=1)
        factory.testapp.get("/api/", headers=user, status=200)
    doc = factory.testapp.get(url, headers=owner).json
    assert 3 <= doc["total"] <= 4
    assert next(iter(doc["index"].values()))["time"] == clock.now().isoformat()


@pytest.mark.parametrize(
    "who, status",
    [
        ("admin", 200),
        ("owner", 200),
        ("superuser", 200),
        ("alice", 404),  # the tracked user: admins' business
        ("bob", 404),
        ("outsider", 404),
        ("other_owner", 404),
        ("anonymous", 401),
    ],
)
def test_only_the_accounts_admins_read_it(testapp, acme, who, status):
    res = testapp.get(activity_url(acme, "alice"), headers=acme.headers(who), status=status)
    if status != 200:
        assert_error(res, status)
    entity = testapp.get(acme.url("alice"), headers=acme.headers(who), status="*")
    if entity.status_int == 200:
        linked = "activity" in entity.json.get("catalogs", {})
        assert linked == (status == 200)


@pytest.mark.parametrize(
    "who, target, status",
    [
        ("alice", "alice", 404),
        ("bob", "alice", 404),
        ("outsider", "alice", 404),
        ("other_owner", "alice", 404),
        ("anonymous", "alice", 401),
        ("admin", "admin", 403),  # nobody switches their own
        ("owner", "owner", 403),
        ("owner", "admin", 204),
        ("superuser", "alice", 204),
    ],
)
def test_who_may_switch_tracking(testapp, acme, factory, who, target, status):
    res = track(testapp, acme, target, by=who, status=status)
    if status != 204:
        assert_error(res, status)
    on = factory.read(
        lambda root: bool(
            (record := root.sign_ins.of(root.users[acme.id(target)])) and record.tracking
        )
    )
    assert on == (status == 204)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"tracking": "yes"}, "tracking"),
        ({"tracking": 1}, "tracking"),
        ({"tracking": None}, "tracking"),
        ({}, "tracking"),
        ({"tracking": True, "everyone": True}, "everyone"),
        ([True], None),
    ],
)
def test_the_switch_takes_one_boolean(testapp, acme, body, field):
    res = testapp.patch_json(
        activity_url(acme, "alice"), body, headers=acme.headers("admin"), status=400
    )
    assert_error(res, 400, field)
    assert activity(testapp, acme, "alice")["body"] == {"tracking": False}


def test_the_switch_accepts_a_wrapped_entity(testapp, acme):
    body = {"element": "shoji:entity", "body": {"tracking": True}}
    url = activity_url(acme, "alice")
    testapp.patch_json(url, body, headers=acme.headers("admin"), status=204)
    assert activity(testapp, acme, "alice")["body"] == {"tracking": True}
