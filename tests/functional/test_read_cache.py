"""Kept read answers (``views.read_cache``) are never stale, never another
client's, and never outlive the credential or the clock rule they were
made under.  Each test first shows the answer really was kept (the cache's
``hits``), so a cache that kept nothing could not pass it either."""

import threading
from datetime import timedelta

import pytest
from webtest import TestApp

from crunchusers import main
from crunchusers.infra.clock import FrozenClock
from crunchusers.views.read_cache import ReadCache, cache_of, is_keepable, request_key
from tests.conftest import TEST_STORAGE
from tests.factories import Scene

pytestmark = pytest.mark.skipif(
    TEST_STORAGE == "relstorage", reason="off over RelStorage: test_storage_rules.py"
)


@pytest.fixture
def scene(factory):
    scene = Scene(factory)
    scene.add("member")
    scene.add_account("Other", owner="oscar")
    return scene


def hits(app) -> int:
    return app.registry.crunchusers_read_cache.hits


def read_twice(testapp, app, url, headers, status=200):
    """GET ``url`` twice; asserts the second answer was the kept first one."""
    first = testapp.get(url, headers=headers, status=status)
    before = hits(app)
    second = testapp.get(url, headers=headers, status=status)
    assert hits(app) == before + 1, "the second read was not answered from the cache"
    assert second.body == first.body
    assert sorted(second.headerlist) == sorted(first.headerlist)  # nosniff too
    return second


def rename(factory, user_id, name):
    factory.write(lambda root: setattr(root.users[user_id], "display_name", name))


def test_a_repeated_read_is_answered_from_the_cache(app, testapp, scene):
    owner = scene.headers("owner")
    testapp.get("/api/", headers=owner)  # the login session's first use is a write
    body = read_twice(testapp, app, scene.url("member"), owner).json["body"]
    assert body["id"] == scene.member


def test_a_commit_by_anybody_ends_every_kept_answer(app, testapp, scene, factory):
    owner = scene.headers("owner")
    testapp.get("/api/", headers=owner)
    read_twice(testapp, app, scene.url("member"), owner)
    rename(factory, scene.member, "Renamed Elsewhere")  # another connection's commit
    assert testapp.get(scene.url("member"), headers=owner).json["body"]["name"] == (
        "Renamed Elsewhere"
    )
    read_twice(testapp, app, scene.url("member"), owner)
    testapp.patch_json(scene.url("member"), {"title": "Boss"}, headers=owner, status=204)
    assert testapp.get(scene.url("member"), headers=owner).json["body"]["title"] == "Boss"


@pytest.mark.parametrize("who", ["member", "oscar", "anonymous", "superuser"])
def test_one_clients_answer_never_reaches_another(app, testapp, scene, who):
    owner = scene.headers("owner")
    testapp.get("/api/", headers=owner)
    kept = read_twice(testapp, app, scene.url("owner"), owner)
    headers = scene.headers(who)
    if headers:
        testapp.get("/api/", headers=headers)
    before = hits(app)
    other = testapp.get(scene.url("owner"), headers=headers, expect_errors=True)
    assert hits(app) == before
    assert other.body != kept.body  # the superuser's own links, a member's smaller tier
    assert other.status_code == {"member": 200, "superuser": 200}.get(who, other.status_code)
    assert other.status_code in (200, 401, 403, 404)


def test_a_differing_header_is_another_request(app, testapp, scene):
    owner = scene.headers("owner")
    testapp.get("/api/", headers=owner)
    read_twice(testapp, app, scene.url("member"), owner)
    pretty = testapp.get(
        scene.url("member"), headers={**owner, "Accept": "application/json; indent=2"}
    )
    assert pretty.body.startswith(b"{\n  ")
    host = testapp.get(scene.url("member"), headers={**owner, "Host": "other.example"})
    assert host.json["self"].startswith("http://other.example/")


def test_a_user_locked_elsewhere_is_refused_at_once(app, testapp, scene, factory):
    member = scene.headers("member")
    testapp.get("/api/", headers=member)
    read_twice(testapp, app, "/api/", member)
    factory.write(lambda root: setattr(root.users[scene.member], "status", "locked"))
    testapp.get("/api/", headers=member, status=401)


def test_a_session_ended_by_logout_is_refused_at_once(app, testapp, scene):
    member = scene.headers("member")
    testapp.get("/api/", headers=member)
    read_twice(testapp, app, "/api/", member)
    testapp.get("/api/logout/", headers=member, status=204)
    testapp.get("/api/", headers=member, status=401)


def test_an_answer_that_read_the_clock_is_not_kept(app, testapp, scene, clock):
    """A dataset's ``access_time`` is now: each read is new."""
    dataset = scene.create_dataset("owner")
    owner = scene.headers("owner")
    first = testapp.get(dataset, headers=owner).json["body"]["access_time"]
    clock.advance(seconds=1)
    before = hits(app)
    second = testapp.get(dataset, headers=owner).json["body"]["access_time"]
    assert hits(app) == before and second != first


def test_the_use_stamp_is_written_on_time(app, testapp, scene, factory, clock):
    """Kept answers stop just before the session's next use stamp (every
    5 minutes), so the stamp is written as without the cache."""
    member = scene.headers("member")
    testapp.get("/api/", headers=member)

    def last_used():
        return factory.read(
            lambda root: max(
                c.last_used for c in root.sessions.data.values() if c.user_id == scene.member
            )
        )

    stamped = last_used()
    clock.advance(minutes=4, seconds=59)
    read_twice(testapp, app, "/api/", member)
    clock.advance(seconds=1)
    testapp.get("/api/", headers=member)
    assert last_used() == stamped + timedelta(minutes=5)


@pytest.fixture
def short_idle(settings):
    """An app whose sessions end after 60 s unused, on a frozen clock."""
    wsgi = main({}, **{**settings, "crunchusers.session_idle_seconds": "60"})
    wsgi.registry.crunchusers_clock = clock = FrozenClock()
    return wsgi, TestApp(wsgi), clock


def test_an_idle_session_ends_exactly_on_time_with_kept_answers(short_idle, settings):
    wsgi, app, clock = short_idle
    body = {"email": "root@example.com", "password": "root-password-1", "token": True}
    token = app.post_json("/api/public/login/", body).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    app.get("/api/", headers=headers)  # the first use: a write
    read_twice(app, wsgi, "/api/", headers)
    clock.advance(seconds=60)
    before = hits(wsgi)
    app.get("/api/", headers=headers, status=200)  # exactly at the limit: still in
    assert hits(wsgi) == before + 1
    clock.advance(seconds=1)
    app.get("/api/", headers=headers, status=401)


def test_an_api_token_ends_at_its_exp_with_kept_answers(app, testapp, scene, clock):
    """A JWT's ``exp`` is whole seconds: its kept answers end with it."""
    owner = scene.headers("owner")
    expires = clock.now() + timedelta(minutes=2, microseconds=500_000)
    body = {"name": "ci", "expires": expires.isoformat()}
    token = testapp.post_json("/api/apikeys/", body, headers=owner, status=201).json["body"]["key"]
    bearer = {"Authorization": f"Bearer {token}"}
    testapp.get("/api/", headers=bearer)  # the first use: a write
    read_twice(testapp, app, "/api/", bearer)
    clock.advance(minutes=2)  # exactly the token's exp
    before = hits(app)
    testapp.get("/api/", headers=bearer, status=200)
    assert hits(app) == before + 1
    clock.advance(milliseconds=250)  # past the exp, not yet the stored expiry
    testapp.get("/api/", headers=bearer, status=401)


def test_readers_see_every_acknowledged_write(app, scene, factory):
    """16 readers and one writer at once: a read that starts after a rename
    was acknowledged never shows an older name."""
    owner = scene.headers("owner")
    url = scene.url("member")
    TestApp(app).get("/api/", headers=owner)
    acknowledged = [0]
    stale = []
    done = threading.Event()

    def read():
        client = TestApp(app)
        while not done.is_set():
            floor = acknowledged[0]
            name = client.get(url, headers=owner).json["body"]["name"]
            if int(name.split()[-1]) < floor:
                stale.append((floor, name))

    rename(factory, scene.member, "Version 0")
    readers = [threading.Thread(target=read) for _ in range(16)]
    for reader in readers:
        reader.start()
    for version in range(1, 31):
        rename(factory, scene.member, f"Version {version}")
        acknowledged[0] = version
    done.set()
    for reader in readers:
        reader.join()
    assert stale == []
    assert hits(app) > 0


def test_swapped_settings_or_clock_are_a_new_state(app, testapp, scene):
    owner = scene.headers("owner")
    testapp.get("/api/", headers=owner)
    read_twice(testapp, app, "/api/", owner)
    app.registry.crunchusers_clock = FrozenClock(app.registry.crunchusers_clock.now())
    before = hits(app)
    testapp.get("/api/", headers=owner)
    assert hits(app) == before


def test_a_full_cache_keeps_nothing_more(app, testapp, scene):
    owner = scene.headers("owner")
    testapp.get("/api/", headers=owner)
    app.registry.crunchusers_read_cache.budget = 1  # smaller than any answer
    testapp.get("/api/", headers=owner)
    before = hits(app)
    testapp.get("/api/", headers=owner)
    assert hits(app) == before


def test_off_when_the_setting_is_zero(settings):
    wsgi = main({}, **{**settings, "crunchusers.read_cache_mb": "0"})
    assert cache_of(wsgi.registry, 0) is None


def test_only_plain_gets_have_a_key():
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/", "HTTP_ACCEPT": "*/*"}
    assert request_key(environ) is not None
    assert request_key({**environ, "REQUEST_METHOD": "HEAD"}) is None
    assert request_key({**environ, "REQUEST_METHOD": "POST"}) is None
    assert request_key({**environ, "CONTENT_LENGTH": "2"}) is None
    assert request_key(environ) != request_key({**environ, "HTTP_COOKIE": "token=x"})
    assert request_key(environ) != request_key({**environ, "REMOTE_ADDR": "10.0.0.9"})


def test_only_complete_cookieless_json_200s_are_kept():
    from pyramid.response import Response

    def json_response(**kw):
        return Response(json_body={"a": 1}, content_type="application/json", **kw)

    assert is_keepable(json_response())
    assert not is_keepable(json_response(status=201))
    assert not is_keepable(Response("<p>", content_type="text/html"))
    cookie = json_response()
    cookie.set_cookie("token", "x")
    assert not is_keepable(cookie)


def test_the_cache_belongs_to_one_database_state(tmp_path):
    """Kept under one last transaction, an answer is not found under the
    next; one made before a commit is not kept after it."""
    from types import SimpleNamespace

    import transaction
    from pyramid.response import Response
    from ZODB import DB

    from crunchusers.views.read_cache import Kept

    db = DB(None)
    registry = SimpleNamespace(crunchusers_config=object(), crunchusers_clock=FrozenClock())
    now = registry.crunchusers_clock.now()

    def commit():
        conn = db.open()
        conn.root()["n"] = conn.root().get("n", 0) + 1
        transaction.commit()
        conn.close()

    cache = ReadCache(db, 1 << 20)
    state = cache.current_state(registry)
    cache.keep("k", state, Kept(Response(json_body={}), None), registry)
    assert cache.find("k", state, now) is not None
    commit()
    assert cache.find("k", cache.current_state(registry), now) is None
    cache.keep("k", state, Kept(Response(json_body={}), None), registry)  # made before it
    assert cache.find("k", cache.current_state(registry), now) is None
    db.close()


def test_a_kept_answer_has_the_response_callbacks_headers(app, testapp, scene):
    """Cornice adds ``X-Content-Type-Options`` in a response callback, after
    the cache's tween: the kept copy is taken after it."""
    owner = scene.headers("owner")
    testapp.get("/api/", headers=owner)
    kept = read_twice(testapp, app, "/api/", owner)
    assert kept.headers["X-Content-Type-Options"] == "nosniff"


def test_a_callback_that_sets_a_cookie_keeps_the_answer_out(app):
    from pyramid.request import Request
    from pyramid.response import Response

    from crunchusers.views.read_cache import read_cache_tween_factory

    calls = []

    def handler(request):
        calls.append(request.path)
        if request.path == "/cookie":
            request.add_response_callback(lambda _, response: response.set_cookie("c", "v"))
        return Response(json_body={}, content_type="application/json")

    tween = read_cache_tween_factory(handler, app.registry)
    for path in ("/cookie", "/cookie", "/plain", "/plain"):
        request = Request.blank(path)
        response = tween(request)
        request._process_response_callbacks(response)  # as the router does
    assert calls == ["/cookie", "/cookie", "/plain"]
