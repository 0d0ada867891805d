"""Issue 7, items 5, 8, 9, 10, 16 and 18: cross-site requests, sizes of
teams, API keys and login bodies, hostile JSON and page parameters, the API
key cap under concurrency, uncacheable credentials, and permission PATCHes
that would do nothing."""

import json
import threading

import pytest
from webtest import TestApp

from crunchusers import main
from crunchusers.infra.clock import FrozenClock
from crunchusers.infra.storage import get_db
from tests.conftest import SUPERUSER_EMAIL, SUPERUSER_PASSWORD
from tests.factories import PASSWORD, Cast, Factory, acme_and_other
from tests.functional.helpers import create_dataset, create_team, read

USERS = "/api/account/users/"
LOGIN = "/api/public/login/"
EVIL = "https://evil.example"
NEW_ADMIN = {
    "element": "shoji:entity",
    "body": {"email": "mallory@example.com", "name": "Mallory", "roles": ["administrator"]},
}


def assert_error(res, status, field=None):
    assert res.status_int == status
    assert res.content_type == "application/json"
    assert res.json["element"] == "crunch:error" and res.json["message"]
    if field is not None:
        assert res.json["errors"][0]["name"] == field


@pytest.fixture
def acme(factory):
    ids, account, _other = acme_and_other(factory)
    return Cast(factory, ids, account_id=account)


def cookie_login(testapp, email, password=PASSWORD, **kw):
    return testapp.post_json(LOGIN, {"email": email, "password": password}, **kw)


def user_count(factory, account_id):
    return factory.read(lambda root: len(root.accounts[account_id].user_ids))


def post_raw(testapp, url, body, content_type, status, **headers):
    return testapp.post(
        url, json.dumps(body), headers={"Content-Type": content_type, **headers}, status=status
    )


# -- item 5: CSRF -----------------------------------------------------------


def test_item07_05_cross_site_text_plain_post_is_415_and_creates_nobody(testapp, acme, factory):
    cookie_login(testapp, acme.email("owner"), status=204)
    before = user_count(factory, acme.account_id)
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        res = post_raw(testapp, USERS, NEW_ADMIN, content_type, 415, Origin=EVIL)
        assert_error(res, 415)
    # Bearer requests need a JSON body too.
    res = post_raw(testapp, "/api/teams/", {"name": "T"}, "text/plain", 415)
    testapp.reset()
    res = testapp.post("/api/teams/", '{"name": "T"}', headers=acme.h("alice"), status=415)
    assert_error(res, 415)
    assert user_count(factory, acme.account_id) == before


def test_item07_05_cookie_requests_from_a_foreign_origin_are_403(testapp, acme, factory):
    cookie_login(testapp, acme.email("owner"), status=204)
    before = user_count(factory, acme.account_id)
    for header, value in (
        ("Origin", EVIL),
        ("Origin", "null"),
        ("Origin", "http://localhost.evil.example"),
        ("Referer", f"{EVIL}/page.html"),
    ):
        res = testapp.post_json(USERS, NEW_ADMIN, headers={header: value}, status=403)
        assert_error(res, 403)
        res = testapp.patch_json("/api/teams/", {}, headers={header: value}, status=403)
        res = testapp.delete("/api/teams/x/", headers={header: value}, status=403)
    assert user_count(factory, acme.account_id) == before
    # Our own origin, or no Origin and no Referer at all (curl, pycrunch), pass.
    testapp.post_json(
        "/api/teams/", {"name": "A"}, headers={"Origin": "http://localhost"}, status=201
    )
    testapp.post_json(
        "/api/teams/", {"name": "B"}, headers={"Referer": "http://localhost:80/x"}, status=201
    )
    testapp.post_json("/api/teams/", {"name": "C"}, status=201)


def test_item07_05_bearer_requests_are_not_checked(testapp, acme):
    headers = {**acme.h("alice"), "Origin": EVIL}
    testapp.post_json("/api/teams/", {"name": "Scripted"}, headers=headers, status=201)


def test_item07_05_login_from_a_foreign_origin_is_403(testapp, acme):
    res = cookie_login(testapp, acme.email("alice"), headers={"Origin": EVIL}, status=403)
    assert_error(res, 403)
    assert "Set-Cookie" not in res.headers
    cookie_login(testapp, acme.email("alice"), headers={"Origin": "http://localhost"}, status=204)


def test_item07_05_public_url_and_link_origins_are_trusted(settings, clock):
    app = main(
        {},
        **{
            **settings,
            "crunchusers.public_url": "https://crunch.example.com/",
            "crunchusers.link_origins": "https://app.example.com\n  http://tools.example:8080",
        },
    )
    app.registry.crunchusers_clock = clock
    testapp = TestApp(app)
    cookie_login(testapp, SUPERUSER_EMAIL, SUPERUSER_PASSWORD, status=204)
    for origin in (
        "https://crunch.example.com",
        "https://app.example.com:443",
        "http://tools.example:8080",
    ):
        testapp.post_json(
            "/api/apikeys/", {"name": "k"}, headers={"Origin": origin}, status=(201, 409)
        )
    for origin in ("http://app.example.com", "http://tools.example", EVIL):
        testapp.post_json("/api/apikeys/", {"name": "k"}, headers={"Origin": origin}, status=403)


def test_item07_05_json_media_types_and_bodiless_requests(testapp, acme):
    headers = acme.h("alice")
    for content_type in (
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/shoji+json",
    ):
        post_raw(testapp, "/api/teams/", {"name": "T"}, content_type, 201, **headers)
    # No body, no content type needed (DELETE, an empty POST).
    team = create_team(testapp, headers)
    testapp.delete(team, headers=headers, status=204)
    res = testapp.post("/api/apikeys/", headers=headers, status=201)
    assert res.json["body"]["name"] == "API Key"


# -- item 8: sizes ----------------------------------------------------------


def test_item07_08_team_and_api_key_names_are_bounded(testapp, acme):
    headers = acme.h("alice")
    assert_error(
        testapp.post_json("/api/teams/", {"name": "x" * 256}, headers=headers, status=400),
        400,
        "name",
    )
    team = create_team(testapp, headers, name="x" * 255)
    res = testapp.patch_json(team, {"name": "y" * 256}, headers=headers, status=400)
    assert_error(res, 400, "name")
    for name in ("k" * 256, "line\nbreak"):
        res = testapp.post_json("/api/apikeys/", {"name": name}, headers=headers, status=400)
        assert_error(res, 400, "name")
    testapp.post_json("/api/apikeys/", {"name": "k" * 255}, headers=headers, status=201)


def test_item07_08_login_bodies_are_bounded(testapp, acme):
    res = cookie_login(testapp, "a" * 300 + "@example.com", status=400)
    assert_error(res, 400, "email")
    res = cookie_login(testapp, acme.email("alice"), password="p" * 257, status=400)
    assert_error(res, 400, "password")


def test_item07_08_member_patch_keys_and_options_are_bounded(testapp, acme):
    headers = acme.h("alice")
    team = create_team(testapp, headers)
    dataset = create_dataset(testapp, headers)
    long_ref = "http://localhost/api/users/" + "a" * 5000 + "/"
    res = testapp.patch_json(team + "members/", {long_ref: {}}, headers=headers, status=400)
    assert_error(res, 400, "member reference")
    body = {acme.url("bob"): {"dataset_permissions": {"view": True}}, "message": "m" * 5000}
    res = testapp.patch_json(dataset + "permissions/", body, headers=headers, status=400)
    assert_error(res, 400, "message")
    body = {acme.email("bob"): {}, "url_base": "u" * 5000 + "${token}"}
    res = testapp.patch_json(team + "members/", body, headers=headers, status=400)
    assert_error(res, 400, "url_base")


# -- item 9: hostile JSON and page parameters --------------------------------


def deep(levels):
    return '{"a":' * levels + "1" + "}" * levels


HOSTILE = {
    "10000-deep": deep(10_000),
    "100-deep": deep(100),
    "NaN": "NaN",
    "Infinity": "Infinity",
    "-Infinity": "-Infinity",
}


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_item07_09_hostile_json_is_400(testapp, acme, value):
    """Anonymous login included: the value sits where a login ignores it."""
    headers = {"Content-Type": "application/json"}
    login = f'{{"email": "a@b.c", "password": "some password", "token": {value}}}'
    assert_error(testapp.post(LOGIN, login, headers=headers, status=400), 400)
    body = f'{{"name": "T", "x": {value}}}'
    auth = {**headers, **acme.h("alice")}
    for method, url in (("post", "/api/teams/"), ("patch", acme.url("alice"))):
        res = getattr(testapp, method)(url, body, headers=auth, status=400)
        assert_error(res, 400)


def test_item07_09_body_that_is_not_utf8_is_400(testapp, acme):
    body = '{"name": "Caf\u00e9"}'.encode("latin-1")
    headers = {"Content-Type": "application/json; charset=latin-1", **acme.h("alice")}
    res = testapp.post("/api/teams/", body, headers=headers, status=400)
    assert "UTF-8" in res.json["message"]
    assert_error(testapp.post(LOGIN, b'{"email": "\xff"}', headers=headers, status=400), 400)


@pytest.mark.parametrize(
    "query",
    [
        "page_size=%C2%B2",  # SUPERSCRIPT TWO, a digit to str.isdigit()
        "page_size=%D9%A1",  # ARABIC-INDIC DIGIT ONE
        "page_size=" + "9" * 5000,
        "page_size=1&page_index=" + "9" * 5000,
        "page_size=1&page_index=%C2%B2",
        "page_size=0",
        "page_size=-1",
        "page_size=+1",
        "page_size=%201",
        "page_size=1.0",
        "page_size=",
    ],
)
def test_item07_09_bad_page_parameters_are_400(testapp, acme, query):
    res = testapp.get(f"{USERS}?{query}", headers=acme.h("owner"), status=400)
    assert_error(res, 400)
    assert res.json["errors"][0]["name"] in ("page_size", "page_index")


def test_item07_09_url_that_is_not_utf8_is_400(testapp, acme):
    for url in ("/api/%FF/", f"{USERS}?page_size=%B2", "/api/users/%C0%AF/"):
        assert_error(testapp.get(url, headers=acme.h("owner"), status=400), 400)
    assert_error(testapp.get("/api/%FF/", status=400), 400)


def test_item07_09_good_page_parameters_still_page(testapp, acme):
    doc = read(testapp, f"{USERS}?page_size=2&page_index=2", acme.h("owner"))
    assert len(doc["index"]) == 2 and doc["total"] == 5


# -- item 10: the API key cap under concurrency ------------------------------


class GatheringClock(FrozenClock):
    """Holds each request thread at its first look at the clock (while its
    credentials are checked, after it opened its database view) until all
    ``parties`` threads are there: every creation then starts from the same
    snapshot, which is the race — without sleeping or timing."""

    def __init__(self, parties):
        super().__init__()
        self.barrier = threading.Barrier(parties, timeout=60)
        self.local = threading.local()

    def now(self):
        if not getattr(self.local, "gathered", False):
            self.local.gathered = True
            self.barrier.wait()
        return super().now()


def test_item07_10_concurrent_api_key_creation_keeps_the_cap(settings, tmp_path):
    app = main({}, **{**settings, "zodbconn.uri": f"file://{tmp_path / 'Data.fs'}"})
    factory = Factory(app, TestApp(app))
    account_id, owner_id = factory.account()
    headers = factory.login(owner_id)
    threads = 10
    app.registry.crunchusers_clock = GatheringClock(threads)
    statuses = []

    def create():
        res = TestApp(app).post_json(
            "/api/apikeys/", {"name": "k"}, headers=headers, status="*", expect_errors=True
        )
        statuses.append(res.status_int)

    workers = [threading.Thread(target=create) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    app.registry.crunchusers_clock = FrozenClock()
    try:
        keys = factory.read(
            lambda root: len(root.sessions.of_user(root.users[owner_id], "apikey"))
        )
    finally:
        get_db(app.registry).close()
    assert keys == 2
    assert sorted(statuses) == [201, 201] + [409] * (threads - 2)


# -- item 16: credentials are never cached -----------------------------------


def test_item07_16_answers_with_credentials_are_no_store(testapp, acme):
    res = cookie_login(testapp, acme.email("alice"), status=204)
    assert res.headers["Cache-Control"] == "no-store"
    res = testapp.post_json(
        LOGIN, {"email": acme.email("bob"), "password": PASSWORD, "token": True}, status=200
    )
    assert res.headers["Cache-Control"] == "no-store"
    assert res.content_type == "application/json" and res.json["token_type"] == "Bearer"
    res = testapp.post_json("/api/apikeys/", {"name": "k"}, headers=acme.h("alice"), status=201)
    assert res.headers["Cache-Control"] == "no-store"


# -- item 18: permission PATCHes that would do nothing -----------------------


def team_members(testapp, team, headers):
    return read(testapp, team + "members/", headers)["index"]


@pytest.mark.parametrize(
    "tuple_",
    [{"view": True}, {"perms": {"team_admin": True}}, {"permissions": {"admin": True}}],
    ids=["flat", "perms", "unknown-flag"],
)
def test_item07_18_team_member_patch_with_unknown_keys_is_400(testapp, acme, tuple_):
    headers = acme.h("alice")
    team = create_team(testapp, headers)
    bob = acme.url("bob")
    res = testapp.patch_json(team + "members/", {bob: tuple_}, headers=headers, status=400)
    assert_error(res, 400, bob)
    assert bob not in team_members(testapp, team, headers)


@pytest.mark.parametrize(
    "tuple_",
    [
        {"view": True},
        {"edit": True},
        {"perms": {"edit": True}},
        {"permissions": {"edit": True}, "dataset_permissions": {"edit": True}},
        {"permissions": {"view": False}},
        {"permissions": {"owner": True}},
    ],
)
def test_item07_18_project_member_patch_that_would_do_nothing_is_400(testapp, acme, tuple_):
    headers = acme.h("alice")
    project = testapp.post_json(
        "/api/projects/", {"name": "P"}, headers=headers, status=201
    ).location
    bob = acme.url("bob")
    res = testapp.patch_json(project + "members/", {bob: tuple_}, headers=headers, status=400)
    assert_error(res, 400, bob)
    assert bob not in read(testapp, project + "members/", headers)["index"]
    # The documented forms still work.
    testapp.patch_json(
        project + "members/",
        {bob: {"permissions": {"edit": True, "view": True}}},
        headers=headers,
        status=204,
    )
    assert read(testapp, project + "members/", headers)["index"][bob]["permissions"]["edit"]


@pytest.mark.parametrize(
    "tuple_",
    [{"view": True}, {"perms": {"view": True}}, {"permissions": {"view": True}}],
    ids=["flat", "perms", "permissions"],
)
def test_item07_18_dataset_permissions_patch_with_unknown_keys_is_400(testapp, acme, tuple_):
    headers = acme.h("alice")
    dataset = create_dataset(testapp, headers)
    bob = acme.url("bob")
    for body in (
        {bob: tuple_},
        {"element": "shoji:catalog", "index": {bob: tuple_}},
    ):
        res = testapp.patch_json(dataset + "permissions/", body, headers=headers, status=400)
        assert_error(res, 400, bob)
        assert "dataset_permissions" in res.json["message"]
    assert bob not in read(testapp, dataset + "permissions/", headers)["index"]
    testapp.get(dataset, headers=acme.h("bob"), status=404)
    grant = {bob: {"dataset_permissions": {"view": True}, "profile": {"weight": None}}}
    testapp.patch_json(dataset + "permissions/", grant, headers=headers, status=204)
    testapp.get(dataset, headers=acme.h("bob"), status=200)


def test_item07_18_read_only_tuple_members_alone_are_400(testapp, acme):
    """What a catalog GET shows may be sent back beside the permissions
    member (ignored), but not alone: that would change nothing."""
    headers = acme.h("alice")
    team = create_team(testapp, headers)
    bob = acme.url("bob")
    body = {bob: {"name": "Bob", "email": "x@example.com"}}
    assert_error(
        testapp.patch_json(team + "members/", body, headers=headers, status=400), 400, bob
    )
    assert bob not in team_members(testapp, team, headers)
    body = {bob: {"name": "Bob", "permissions": {"team_admin": True}}}
    testapp.patch_json(team + "members/", body, headers=headers, status=204)
    assert team_members(testapp, team, headers)[bob]["permissions"] == {"team_admin": True}


@pytest.mark.parametrize("profile", ["x", 3, [1]], ids=["string", "number", "list"])
def test_item07_15_share_profile_must_be_an_object(testapp, acme, profile):
    headers = acme.h("alice")
    dataset = create_dataset(testapp, headers)
    bob = acme.url("bob")
    grant = {bob: {"dataset_permissions": {"view": True}, "profile": profile}}
    res = testapp.patch_json(dataset + "permissions/", grant, headers=headers, status=400)
    assert_error(res, 400, bob)
    assert bob not in read(testapp, dataset + "permissions/", headers)["index"]
