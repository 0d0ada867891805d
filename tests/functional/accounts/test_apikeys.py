"""API keys: shown once, stored hashed, two per user, expiring, revocable."""

from datetime import timedelta

from tests.factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD


def test_create_use_list_and_revoke_a_key(testapp, factory, clock):
    headers = factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    res = testapp.post_json(
        "/api/apikeys/",
        {"element": "shoji:entity", "body": {"name": "CI"}},
        headers=headers,
        status=201,
    )
    key = res.json["body"]["key"]
    assert key.startswith("apk-") and len(key) >= 47
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
        testapp.post_json("/api/apikeys/", {"name": "k"}, headers=headers, status=201)
    res = testapp.post_json("/api/apikeys/", {"name": "k"}, headers=headers, status=409)
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
    url = testapp.post_json("/api/apikeys/", {"name": "k"}, headers=mine, status=201).location
    other = factory.login(factory.user(account_id))
    testapp.get(url, headers=other, status=404)
    testapp.delete(url, headers=other, status=404)
    assert testapp.get("/api/apikeys/", headers=other, status=200).json["index"] == {}


def test_removed_user_keys_stop_working(testapp, factory):
    account_id, owner_id = factory.account()
    user_id = factory.user(account_id)
    key = testapp.post_json(
        "/api/apikeys/", {"name": "k"}, headers=factory.login(user_id), status=201
    ).json["body"]["key"]
    testapp.delete(f"/api/users/{user_id}/", headers=factory.login(owner_id), status=200)
    testapp.get("/api/", headers={"Authorization": f"Bearer {key}"}, status=401)
