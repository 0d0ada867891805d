"""API keys: shown once, stored hashed, two per user, expiring, revocable."""

from datetime import timedelta

import pytest

from tests.factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, acme_and_other
from tests.functional.helpers import new_key


def test_create_use_list_and_revoke_a_key(testapp, factory, clock):
    headers = factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    res = testapp.post_json(
        "/api/apikeys/",
        {"element": "shoji:entity", "body": new_key("CI")},
        headers=headers,
        status=201,
    )
    key = res.json["body"]["key"]
    assert key.count(".") == 2  # a JWT (test_api_tokens)
    assert res.location == res.json["self"]
    stored = factory.read(lambda root: list(root.sessions.data.keys()))
    assert key not in stored

    bearer = {"Authorization": f"Bearer {key}"}
    assert testapp.get("/api/", headers=bearer, status=200).json["element"] == "shoji:catalog"
    testapp.set_cookie("token", key)
    testapp.get("/api/", status=200)
    testapp.reset()

    listing = testapp.get("/api/apikeys/", headers=headers, status=200).json["index"]
    assert list(listing) == [res.location]
    entry = listing[res.location]
    assert entry["name"] == "CI" and "key" not in entry and entry["last_used"] is not None
    assert "key" not in testapp.get(res.location, headers=headers, status=200).json["body"]

    testapp.delete(res.location, headers=headers, status=204)
    testapp.get("/api/", headers=bearer, status=401)
    testapp.get(res.location, headers=headers, status=404)


def test_at_most_two_keys(testapp, factory):
    headers = factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    for _ in range(2):
        testapp.post_json("/api/apikeys/", new_key(), headers=headers, status=201)
    res = testapp.post_json("/api/apikeys/", new_key(), headers=headers, status=409)
    assert "2 API keys" in res.json["message"]


def test_key_expires_at_its_date(testapp, factory, clock):
    headers = factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    expires = (clock.now() + timedelta(days=2)).isoformat()
    key = testapp.post_json(
        "/api/apikeys/", {"name": "k", "expires": expires}, headers=headers, status=201
    ).json["body"]["key"]
    bearer = {"Authorization": f"Bearer {key}"}
    clock.advance(days=2)
    testapp.get("/api/", headers=bearer, status=200)
    clock.advance(seconds=1)
    testapp.get("/api/", headers=bearer, status=401)


def test_bad_expiry_and_name(testapp, factory):
    headers = factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    for body in (
        {"expires": "tomorrow"},
        {"expires": "2020-01-01T00:00:00+00:00"},
        {"expires": "2026-01-02T00:00:00"},
        {"name": 5},
    ):
        res = testapp.post_json("/api/apikeys/", body, headers=headers, status=400)
        assert res.json["message"]


def test_keys_of_others_are_invisible(testapp, factory):
    account_id, owner_id = factory.account()
    mine = factory.login(owner_id)
    url = testapp.post_json("/api/apikeys/", new_key(), headers=mine, status=201).location
    other = factory.login(factory.user(account_id))
    testapp.get(url, headers=other, status=404)
    testapp.delete(url, headers=other, status=404)
    assert testapp.get("/api/apikeys/", headers=other, status=200).json["index"] == {}


def test_removed_user_keys_stop_working(testapp, factory):
    account_id, owner_id = factory.account()
    user_id = factory.user(account_id)
    key = testapp.post_json(
        "/api/apikeys/", new_key(), headers=factory.login(user_id), status=201
    ).json["body"]["key"]
    testapp.delete(f"/api/users/{user_id}/", headers=factory.login(owner_id), status=200)
    testapp.get("/api/", headers={"Authorization": f"Bearer {key}"}, status=401)


WHO_MAY_SEE_A_KEY = [
    ("alice", 200, 204),  # the owner
    ("superuser", 200, 204),  # the operator (never the secret)
    ("owner", 404, 404),  # the account's owner, an admin: locks alice instead
    ("bob", 404, 404),  # another user of the account
    ("outsider", 404, 404),  # a user of another account
    ("anonymous", 401, 401),
]


@pytest.mark.parametrize(("who", "get", "delete"), WHO_MAY_SEE_A_KEY)
def test_who_may_see_and_revoke_a_key(testapp, factory, who, get, delete):
    scene = acme_and_other(factory)
    res = testapp.post_json("/api/apikeys/", new_key(), headers=scene.headers("alice"))
    url, bearer = res.location, {"Authorization": f"Bearer {res.json['body']['key']}"}
    body = testapp.get(url, headers=scene.headers(who), status=get).json
    if get == 200:
        assert body["self"] == url and body["body"]["name"] == "k" and "key" not in body["body"]
    testapp.delete(url, headers=scene.headers(who), status=delete)
    testapp.get("/api/", headers=bearer, status=401 if delete == 204 else 200)
    listed = testapp.get("/api/apikeys/", headers=scene.headers("alice")).json["index"]
    assert list(listed) == ([] if delete == 204 else [url])


def test_a_key_is_a_resource_until_its_expiry(testapp, factory, clock):
    headers = factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    expires = (clock.now() + timedelta(days=1)).isoformat()
    url = testapp.post_json(
        "/api/apikeys/", {"name": "k", "expires": expires}, headers=headers, status=201
    ).location
    clock.advance(days=1)
    headers = factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)  # the session expired
    testapp.get(url, headers=headers, status=200)
    clock.advance(seconds=1)
    testapp.get(url, headers=headers, status=404)
    testapp.delete(url, headers=headers, status=404)
    assert testapp.get("/api/apikeys/", headers=headers).json["index"] == {}
    testapp.get("/api/apikeys/nope/", headers=headers, status=404)
