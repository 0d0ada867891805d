"""API tokens are JWTs: required future expiry, signature, algorithm, ``exp``
and server-side id checked on every request, the owner mailed, a 409 that
lists the existing tokens, and the opaque ``apk-`` keys of older versions
honoured until their expiry."""

import base64
import json
from datetime import timedelta

import jwt
import pytest
from webtest import TestApp

from crunchusers import main
from crunchusers.domain.resources.credentials import API_KEY, Credential
from crunchusers.infra.clock import FrozenClock
from crunchusers.infra.tokens import hash_token
from tests.factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD
from tests.functional.helpers import new_key

CREATED = "An API token was created"
#: The tests' clock is frozen in the past: the real one would call tokens expired.
NO_EXP = {"verify_exp": False}


@pytest.fixture
def headers(factory):
    return factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)


def create(testapp, headers, body=None, status=201):
    return testapp.post_json("/api/apikeys/", body or new_key(), headers=headers, status=status)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def signing_key(factory):
    return factory.read(lambda root: root.sessions.signing_key)


def test_the_token_is_an_hs256_jwt_naming_the_key(testapp, headers, factory):
    res = create(testapp, headers)
    token = res.json["body"]["key"]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, signing_key(factory), algorithms=["HS256"], options=NO_EXP)
    assert claims["jti"] == res.json["body"]["id"] and res.location.endswith(f"/{claims['jti']}/")
    assert claims["exp"] == 1772323200  # new_key's 2026-03-01T00:00:00Z
    stored = factory.read(lambda root: list(root.sessions.data.keys()))
    assert token not in stored and hash_token(token) in stored


def test_expires_is_required_and_later_than_now(testapp, headers, clock):
    now = clock.now()
    for expires in (None, now.isoformat(), (now - timedelta(seconds=1)).isoformat()):
        res = create(testapp, headers, {"name": "k", "expires": expires}, status=400)
        assert "expires" in res.json["message"]
    assert testapp.get("/api/apikeys/", headers=headers).json["index"] == {}
    create(testapp, headers, {"name": "k", "expires": (now + timedelta(seconds=1)).isoformat()})


def test_the_third_token_is_a_409_listing_the_others(testapp, headers):
    urls = {create(testapp, headers).location for _ in range(2)}
    res = create(testapp, headers, status=409)
    assert set(res.json["index"]) == urls and res.json["message"]
    assert all("key" not in entry for entry in res.json["index"].values())


def forged(factory, token, **change):
    """``token`` re-signed (with the server's key unless ``key``) after ``change``."""
    key = change.pop("key", signing_key(factory))
    algorithm = change.pop("algorithm", "HS256")
    claims = {**jwt.decode(token, options={"verify_signature": False}), **change}
    return jwt.encode(claims, key, algorithm=algorithm)


def unsigned(token):
    """``token`` with ``alg: none`` and no signature."""

    def part(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = jwt.decode(token, options={"verify_signature": False})
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def test_tampered_unsigned_and_foreign_tokens_are_refused(testapp, headers, factory):
    token = create(testapp, headers).json["body"]["key"]
    head, claims, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    for bad in (
        f"{head}.{claims}.{flipped}",
        unsigned(token),
        forged(factory, token, key="another-secret-of-at-least-32-bytes!"),
        forged(factory, token, jti="someone-else"),  # right key, unknown id
        forged(factory, token, exp=1772323201),  # right key, not the stored token
        forged(factory, token, algorithm="HS512"),
    ):
        res = testapp.get("/api/", headers=bearer(bad), status=401)
        assert res.json["message"]
    testapp.get("/api/", headers=bearer(token), status=200)


def test_a_session_token_is_no_jwt_and_a_jwt_no_session(testapp, headers, factory):
    """A stored JWT that is not an API key (it cannot be made so, but a
    confusion of kinds must not let it in)."""
    token = create(testapp, headers).json["body"]["key"]

    def make_session(root):
        root.sessions.data[hash_token(token)].kind = "session"

    factory.write(make_session)
    testapp.get("/api/", headers=bearer(token), status=401)


@pytest.mark.parametrize("status", ["locked", "inactive"])
def test_revocation_and_a_locked_or_inactive_owner_stop_the_token_at_once(
    testapp, factory, status
):
    account_id, owner_id = factory.account()
    user_id = factory.user(account_id)
    user = factory.login(user_id)
    first = create(testapp, user)
    second = create(testapp, user).json["body"]["key"]
    testapp.delete(first.location, headers=user, status=204)
    testapp.get("/api/", headers=bearer(first.json["body"]["key"]), status=401)
    testapp.get("/api/", headers=bearer(second), status=200)

    def lock(root):
        root.users[user_id].status = status

    factory.write(lock)
    testapp.get("/api/", headers=bearer(second), status=401)


def test_the_owner_is_mailed_when_a_token_is_created(testapp, headers, inbox):
    create(testapp, headers, new_key("deploy"))
    mails = [m for m in inbox.to(SUPERUSER_EMAIL) if m["Subject"] == CREATED]
    assert len(mails) == 1 and "'deploy'" in mails[0].text
    create(testapp, headers, {"name": "k"}, status=400)
    assert len([m for m in inbox.to(SUPERUSER_EMAIL) if m["Subject"] == CREATED]) == 1


def test_an_older_opaque_key_works_until_its_expiry(testapp, factory, clock):
    legacy = "apk-" + "x" * 43

    def store(root):
        user = root.users.find_by_email(SUPERUSER_EMAIL)
        expires = clock.now() + timedelta(days=1)
        credential = Credential(user.__name__, clock.now(), expires, API_KEY, "old")
        root.sessions.data[hash_token(legacy)] = credential
        root.sessions.key_index[credential.public_id] = hash_token(legacy)
        user.session_hashes.add(hash_token(legacy))

    factory.write(store)
    clock.advance(days=1)
    testapp.get("/api/", headers=bearer(legacy), status=200)
    clock.advance(seconds=1)
    testapp.get("/api/", headers=bearer(legacy), status=401)


def test_a_configured_secret_signs_the_tokens(settings):
    """``crunchusers.jwt_secret`` replaces the database's key."""
    secret = "s" * 48
    wsgi = main({}, **{**settings, "crunchusers.jwt_secret": secret})
    wsgi.registry.crunchusers_clock = FrozenClock()
    app = TestApp(wsgi)
    res = app.post_json(
        "/api/public/login/",
        {"email": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD, "token": True},
    )
    headers = bearer(res.json["access_token"])
    token = app.post_json("/api/apikeys/", new_key(), headers=headers, status=201).json["body"]
    claims = jwt.decode(token["key"], secret, algorithms=["HS256"], options=NO_EXP)
    assert claims["jti"] == token["id"]


def test_a_stored_but_unsigned_token_is_refused(testapp, headers, factory):
    """Even a token whose hash the store holds must carry a good signature."""
    token = create(testapp, headers).json["body"]["key"]
    bad = unsigned(token)

    def store(root):
        root.sessions.data[hash_token(bad)] = root.sessions.data[hash_token(token)]

    factory.write(store)
    testapp.get("/api/", headers=bearer(bad), status=401)
    testapp.get("/api/", headers=bearer(token), status=200)
