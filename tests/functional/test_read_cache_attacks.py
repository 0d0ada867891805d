"""Attacks on the read cache (``views.read_cache``): whatever a client does,
an answer it is served is the one the views would give it afresh at that
moment.  Each test compares served answers with fresh ones (the cache
switched off for that one request) and shows the cache really answered,
so it fails if the protection it attacks were removed."""

import gc
import threading
import tracemalloc
from datetime import timedelta

import pytest
import requests
from pyramid.request import Request
from pyramid.response import Response
from webtest import TestApp
from webtest.http import StopableWSGIServer

from crunchusers import main
from crunchusers.infra.clock import TICK, FrozenClock
from crunchusers.infra.mail import stop_delivery
from crunchusers.infra.settings import get_config
from crunchusers.infra.storage import get_db
from crunchusers.views import read_cache
from crunchusers.views.read_cache import Kept, ReadCache
from tests.conftest import TEST_STORAGE, free_port
from tests.factories import Scene
from tests.functional.conftest import make_live_app, stop_server
from tests.functional.helpers import request_reset, token_from

pytestmark = pytest.mark.skipif(
    TEST_STORAGE == "relstorage", reason="off over RelStorage: test_storage_rules.py"
)

BASE = "http://localhost/api/"
#: GET links a crawl must not follow: logging out ends the crawler's session.
UNSAFE = ("/logout/",)


@pytest.fixture
def scene(factory):
    """Acme (owner, member) and Other (oscar); a dataset, a team and a
    project of the owner's, shared with the member; the member signed in."""
    scene = Scene(factory)
    scene.add("member", roles=("editor",))
    scene.add_account("Other", owner="oscar")
    dataset = scene.create_dataset("owner")
    scene.share(dataset, "owner", {"member": {"view": True}})
    scene.create_team("owner", members=("member",))
    scene.create_project("owner", members={"member": {}})
    scene.headers("member")
    return scene


def cache_of(app) -> ReadCache:
    return read_cache.cache_of(app.registry, get_config(app.registry).read_cache_mb << 20)


def fresh(testapp, app, url, headers=None, method="get", **kw):
    """The answer the views give now: the cache switched off for it."""
    cache = cache_of(app)
    budget, cache.budget = cache.budget, 0
    try:
        return getattr(testapp, method)(url, headers=headers or {}, expect_errors=True, **kw)
    finally:
        cache.budget = budget


def served(testapp, app, url, headers=None, method="get", **kw):
    """``(answer, whether the cache gave it)``."""
    before = cache_of(app).hits
    res = getattr(testapp, method)(url, headers=headers or {}, expect_errors=True, **kw)
    return res, cache_of(app).hits > before


def warm(testapp, app, url, headers):
    """Read ``url`` until the cache answers (a first read may write)."""
    for _ in range(3):
        if served(testapp, app, url, headers)[1]:
            return
    raise AssertionError(f"{url} is not kept")


def answer(res) -> tuple:
    return res.status, sorted(res.headerlist), res.body


def links_in(value) -> set:
    """Every followable API link in a JSON document."""
    if isinstance(value, dict):
        return set().union(*map(links_in, value.keys()), *map(links_in, value.values()))
    if isinstance(value, list):
        return set().union(*map(links_in, value))
    if isinstance(value, str) and value.startswith(BASE) and "{" not in value:
        return set() if any(part in value for part in UNSAFE) else {value.split("?")[0]}
    return set()


def crawl(testapp, headers, start, limit=150) -> list:
    """The API's GET URLs reachable from ``start`` as that client."""
    seen, todo = set(start), list(start)
    while todo and len(seen) < limit:
        res = testapp.get(todo.pop(0), headers=headers, expect_errors=True)
        if res.content_type == "application/json" and res.status_code == 200:
            for link in sorted(links_in(res.json) - seen):
                seen.add(link)
                todo.append(link)
    return sorted(seen)


def identities(scene) -> dict:
    """The clients of the crawl: each user (Bearer header), and nobody."""
    return {
        "owner": scene.headers("owner"),
        "member": scene.headers("member"),
        "oscar": scene.headers("oscar"),
        "superuser": scene.headers("superuser"),
        "anonymous": {},
    }


def test_every_kept_answer_is_the_fresh_one(app, testapp, scene, clock):
    """Crawl the whole API as each client, then read every page again from
    the cache and afresh, now and a minute later: any input of a view that
    is neither the request, the database, the settings nor a watched clock
    reading (an in-memory counter, ``datetime.now``) would differ."""
    clients = identities(scene)
    for headers in clients.values():
        testapp.get("/api/", headers=headers, expect_errors=True)  # first uses: writes
    pages = {
        who: crawl(testapp, headers, [BASE, BASE + "public/", "http://localhost/api/openapi.json"])
        for who, headers in clients.items()
    }
    assert sum(map(len, pages.values())) > 100
    hits = 0
    for _moment in range(2):
        for who, urls in pages.items():
            for url in urls:
                served(testapp, app, url, clients[who])  # kept, if it may be
                res, hit = served(testapp, app, url, clients[who])
                assert answer(res) == answer(fresh(testapp, app, url, clients[who])), (who, url)
                hits += hit
        clock.advance(minutes=1)
    assert hits > 100


@pytest.mark.parametrize("replaced", [False, True])
def test_an_answer_a_tween_above_replaced_is_not_kept(app, replaced):
    """Kept is what the views answered with their callbacks applied; an
    answer a tween above replaced is not kept (that tween would replace
    it again on every hit)."""
    made = Response(json_body={"made": True})
    tween = read_cache.read_cache_tween_factory(lambda request: made, app.registry)
    kept = cache_of(app).kept
    request = Request.blank("/api/public/")
    request.registry = app.registry
    sent = Response(json_body={"replaced": True}) if replaced else tween(request)
    if replaced:
        tween(request)
    request._process_response_callbacks(sent)
    assert cache_of(app).kept == kept + (0 if replaced else 1)


#: Requests for the same URL that must not share an answer: headers, WSGI
#: environ and query.  Each changes what the views answer.
VARIANTS = {
    "plain": ({}, {}, ""),
    "other host": ({"Host": "other.example"}, {}, ""),
    "other port": ({"Host": "localhost:8080"}, {}, ""),
    "https": ({}, {"wsgi.url_scheme": "https"}, ""),
    "mounted": ({}, {"SCRIPT_NAME": "/prefix"}, ""),
    "virtual root": ({"X-Vhm-Root": "/api"}, {}, ""),
    "indent": ({"Accept": "application/json; indent=2"}, {}, ""),
    "pretty": ({}, {}, "?pretty"),
    "pretty off": ({}, {}, "?pretty=0"),
    "browser": ({"Accept": "text/html"}, {}, ""),
    "member by cookie": ("member-cookie", {}, ""),
    "member": ("member", {}, ""),
    "owner bearer, member cookie": ("both", {}, ""),
    "anonymous": ("anonymous", {}, ""),
}


def variant_headers(scene, who):
    owner = scene.headers("owner")
    member_cookie = {"Cookie": "token=" + scene.headers("member")["Authorization"].split()[1]}
    if who == "member-cookie":
        return member_cookie
    if who == "both":
        return {**owner, **member_cookie}
    if isinstance(who, str):
        return scene.headers(who)
    return {**owner, **who}


def test_no_request_gets_another_requests_answer(app, testapp, scene):
    """Every variant of one read is kept under its own key: warmed one
    after the other, each then gets its own answer, not the first's."""
    url = scene.url("member") + "?a=1&b=2"
    requests = {
        name: (variant_headers(scene, who), environ, url + query.replace("?", "&"))
        for name, (who, environ, query) in VARIANTS.items()
    }
    requests["reordered query"] = (scene.headers("owner"), {}, scene.url("member") + "?b=2&a=1")
    for headers, _environ, _url in requests.values():
        testapp.get("/api/", headers=headers, expect_errors=True)
    for headers, environ, target in requests.values():
        testapp.get(target, headers=headers, extra_environ=environ, expect_errors=True)
    bodies, missed = {}, set()
    for name, (headers, environ, target) in requests.items():
        res, hit = served(testapp, app, target, headers, extra_environ=environ)
        again = fresh(testapp, app, target, headers, extra_environ=environ)
        assert answer(res) == answer(again), name
        bodies.setdefault(res.body, set()).add(name)
        if not hit:
            missed.add(name)
    assert missed == {"virtual root", "browser", "anonymous"}  # 404, HTML, 401: never kept
    alike = sorted(sorted(names) for names in bodies.values() if len(names) > 1)
    assert alike == SAME_ANSWERS  # every other variant is answered differently


#: Variants the views answer alike (they still have keys of their own).
SAME_ANSWERS = [
    ["indent", "pretty"],
    ["member", "member by cookie"],
    ["owner bearer, member cookie", "plain", "pretty off", "reordered query"],
]


def test_a_head_is_never_answered_from_the_cache(app, testapp, scene):
    owner = scene.headers("owner")
    testapp.get("/api/", headers=owner)
    testapp.get(scene.url("member"), headers=owner)
    res, hit = served(testapp, app, scene.url("member"), owner, method="head")
    assert not hit and res.body == b""
    assert served(testapp, app, scene.url("member"), owner)[1]


def test_forwarded_headers_of_a_trusted_proxy_are_part_of_the_key(settings, tmp_path):
    """Behind a proxy waitress trusts, ``X-Forwarded-Host``/``-Proto``
    make the application URL: each forwarded host gets its own links."""
    port = free_port()
    wsgi = make_live_app(settings, tmp_path, port)
    server = StopableWSGIServer.create(
        wsgi,
        host="127.0.0.1",
        port=port,
        threads=2,
        trusted_proxy="127.0.0.1",
        trusted_proxy_headers="x-forwarded-host x-forwarded-proto",
    )
    assert server.wait()
    try:
        base = f"http://127.0.0.1:{port}"
        get = requests.Session().get
        for _ in range(2):
            for host in ("a.example", "b.example"):
                forwarded = {"X-Forwarded-Host": host, "X-Forwarded-Proto": "https"}
                doc = get(base + "/api/public/", headers=forwarded, timeout=10).json()
                assert doc["self"] == f"https://{host}/api/public/"
        assert cache_of(wsgi).hits == 2
    finally:
        stop_server(server)
        stop_delivery(wsgi.registry)  # its worker must not hold a connection
        get_db(wsgi.registry).close()


def test_every_read_of_a_tracked_user_is_recorded(app, testapp, scene):
    """Tracking is switched on (a commit) after the member's read was kept:
    each of their identical reads is then recorded, none answered from
    the cache, whose answer was made while nobody recorded them."""
    member = scene.headers("member")
    testapp.get("/api/", headers=member)
    warm(testapp, app, "/api/", member)
    activity = scene.url("member") + "activity/"
    owner = scene.headers("owner")
    testapp.patch_json(activity, {"tracking": True}, headers=owner, status=204)
    for _ in range(3):
        assert not served(testapp, app, "/api/", member)[1]
    assert testapp.get(activity, headers=owner).json["total"] == 3


# -- time rules -----------------------------------------------------------------


def timeline(testapp, app, url, headers, moments, clock, boundary):
    """Read ``url`` at ``boundary`` plus each of ``moments``, in order,
    comparing what is served with a fresh answer; the statuses and whether
    the cache answered, moment by moment."""
    seen = []
    for offset in moments:
        clock.current = boundary + offset
        res, hit = served(testapp, app, url, headers)
        assert answer(res) == answer(fresh(testapp, app, url, headers)), offset
        seen.append((res.status_code, hit))
    return seen


def frozen_app(settings, **seconds):
    """An app with its own session rules (``idle``, ``lifetime`` seconds),
    on a frozen clock."""
    names = {"idle": "session_idle_seconds", "lifetime": "session_lifetime_seconds"}
    changed = {f"crunchusers.{names[k]}": str(v) for k, v in seconds.items()}
    wsgi = main({}, **{**settings, **changed})
    wsgi.registry.crunchusers_clock = clock = FrozenClock()
    return wsgi, TestApp(wsgi), clock


def bearer(testapp, email="root@example.com", password="root-password-1"):
    body = {"email": email, "password": password, "token": True}
    token = testapp.post_json("/api/public/login/", body).json["access_token"]
    return {"Authorization": f"Bearer {token}"}


def api_key(testapp, scene, clock) -> dict:
    """Bearer headers of an API key of the owner's (they never idle out)."""
    body = {"name": "ci", "expires": (clock.now() + timedelta(days=300)).isoformat()}
    res = testapp.post_json("/api/apikeys/", body, headers=scene.headers("owner"), status=201)
    return {"Authorization": f"Bearer {res.json['body']['key']}"}


def test_the_use_stamp_to_the_microsecond(settings):
    """Kept 1 µs before the session's next use stamp is due (5 minutes
    after the last), an answer is not served when it is: the view writes it."""
    wsgi, testapp, clock = frozen_app(settings)
    headers = bearer(testapp)
    stamp = clock.now() + timedelta(minutes=5)
    testapp.get("/api/", headers=headers)  # the first use: stamped now
    clock.current = stamp - TICK
    warm(testapp, wsgi, "/api/", headers)
    moments = [-TICK, timedelta(0), TICK, 2 * TICK]
    assert timeline(testapp, wsgi, "/api/", headers, moments, clock, stamp) == [
        (200, True),
        (200, False),  # due: stamped, so not kept
        (200, False),  # kept again, under the new state
        (200, True),
    ]


def assert_kept_until_the_end(testapp, wsgi, headers, clock, end):
    """Kept 1 µs before ``end``: answered from the cache at ``end``, refused
    afresh 1 µs and 1 s after it."""
    clock.current = end - TICK
    warm(testapp, wsgi, "/api/", headers)
    moments = [timedelta(0), TICK, timedelta(seconds=1)]
    assert timeline(testapp, wsgi, "/api/", headers, moments, clock, end) == [
        (200, True),
        (401, False),
        (401, False),
    ]


def test_the_idle_end_to_the_microsecond(settings):
    """Sessions idle out after 4 minutes (before any new stamp is due): a
    kept answer lets in exactly at the end, not 1 µs later."""
    wsgi, testapp, clock = frozen_app(settings, idle=240)
    headers = bearer(testapp)
    end = clock.now() + timedelta(minutes=4)
    testapp.get("/api/", headers=headers)  # the first use: stamped now
    assert_kept_until_the_end(testapp, wsgi, headers, clock, end)


def test_the_session_lifetime_to_the_microsecond(settings):
    """A session used every 4 minutes ends 1 hour after the login: kept
    answers too, exactly then."""
    wsgi, testapp, clock = frozen_app(settings, lifetime=3600)
    headers = bearer(testapp)
    end = clock.now() + timedelta(hours=1)
    while clock.now() < end - timedelta(minutes=4):
        testapp.get("/api/", headers=headers)
        clock.advance(minutes=4)
    assert_kept_until_the_end(testapp, wsgi, headers, clock, end)


def test_a_count_of_live_sessions_ends_to_the_microsecond(app, testapp, scene, clock):
    """The member's profile counts their live sessions: kept with one
    live, the answer is not served once it idled out 1 µs ago."""
    owner_key = api_key(testapp, scene, clock)
    session_start = clock.now()  # the member's session, unused since
    end = session_start + timedelta(hours=8)
    url = scene.url("member")
    clock.current = end - timedelta(minutes=1)
    testapp.get(url, headers=owner_key)  # the key's stamp
    warm(testapp, app, url, owner_key)
    assert testapp.get(url, headers=owner_key).json["body"]["concurrent_sessions"] == 1
    moments = [timedelta(0), TICK]
    assert timeline(testapp, app, url, owner_key, moments, clock, end) == [
        (200, True),
        (200, False),
    ]
    assert testapp.get(url, headers=owner_key).json["body"]["concurrent_sessions"] == 0


def test_a_mailed_links_rules_end_with_the_link(app, testapp, scene, clock, inbox):
    """The public password rules with a reset link's token are its
    account's while the link lives (24 hours), the defaults after: read
    afresh each time, to the microsecond (nothing bounds that reading)."""
    owner = scene.headers("owner")
    testapp.patch_json("/api/account/", {"password_policy": {"min_length": 16}}, headers=owner)
    request_reset(testapp, scene.email("member"))
    url = "/api/public/password_policy/?token=" + token_from(inbox.wait_for(1)[0])
    end = clock.now() + timedelta(hours=24)
    assert timeline(testapp, app, url, {}, [-TICK, timedelta(0), TICK], clock, end) == [
        (200, False),
        (200, False),
        (200, False),
    ]
    assert testapp.get(url).json["value"]["min_length"] == 12
    clock.current = end
    assert testapp.get(url).json["value"]["min_length"] == 16


def test_a_clock_set_back_does_not_bring_back_a_later_answer(app, testapp, scene, clock):
    """An answer made at T is not served at an earlier time (a wall clock
    stepped back): the member's session, idled out at T, was live before."""
    owner_key = api_key(testapp, scene, clock)
    url = scene.url("member")
    end = clock.now() + timedelta(hours=8)  # the member's session ends
    clock.current = end + TICK
    testapp.get(url, headers=owner_key)  # the key's stamp
    warm(testapp, app, url, owner_key)
    clock.current = end - timedelta(minutes=1)
    res, hit = served(testapp, app, url, owner_key)
    assert not hit and res.json["body"]["concurrent_sessions"] == 1
    assert answer(res) == answer(fresh(testapp, app, url, owner_key))


# -- concurrency ----------------------------------------------------------------


def test_no_read_after_an_acknowledged_api_write_is_older(app, scene):
    """16 clients read a profile while another renames it through the API:
    a read that starts after a rename was acknowledged (its 204) never
    shows an older name, and the readers are answered from the cache."""
    owner = scene.headers("owner")
    url = scene.url("member")
    writer = TestApp(app)
    writer.get("/api/", headers=owner)
    acknowledged = [0]
    stale, errors = [], []
    done = threading.Event()

    def rename(version):
        writer.patch_json(url, {"title": f"Version {version}"}, headers=owner, status=204)
        acknowledged[0] = version

    def read():
        client = TestApp(app)
        try:
            while not done.is_set():
                floor = acknowledged[0]
                name = client.get(url, headers=owner).json["body"]["title"]
                if int(name.split()[-1]) < floor:
                    stale.append((floor, name))
        except Exception as exc:  # noqa: BLE001 -- reported below
            errors.append(exc)

    rename(0)
    hits = cache_of(app).hits
    readers = [threading.Thread(target=read) for _ in range(16)]
    for reader in readers:
        reader.start()
    for version in range(1, 41):
        rename(version)
    done.set()
    for reader in readers:
        reader.join()
    assert errors == [] and stale == []
    assert cache_of(app).hits > hits


def test_threads_keeping_and_finding_under_commits(app):
    """The cache's own state under 8 threads while another commits: a
    lookup finds only answers made under the state it asks about, and the
    memory used is exactly that of the kept answers, within the budget."""
    db = get_db(app.registry)
    cache = ReadCache(db, 64 * 1024)
    registry = app.registry
    done = threading.Event()
    wrong, found = [], [0]
    now = registry.crunchusers_clock.now()

    def work(n):
        keys = [f"{n}-{i}" for i in range(20)]
        while not done.is_set():
            for key in keys:
                state = cache.current_state(registry)
                entry = cache.find(key, state, now)
                if entry is None:
                    made = Response(body=state[0], content_type="application/json")
                    cache.keep(key, state, Kept(made, None), registry)
                elif entry.body != state[0]:
                    wrong.append((key, entry.body, state[0]))
                else:
                    found[0] += 1

    def commit():
        conn = db.open()
        root = conn.root()
        for i in range(200):
            root["n"] = i
            conn.transaction_manager.commit()
        conn.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    commit()
    done.set()
    for thread in threads:
        thread.join()
    assert wrong == [] and found[0] > 0
    with cache.lock:
        _state, entries = cache.snapshot
        assert cache.used == sum(entry.cost for entry in entries.values()) <= cache.budget


def test_an_answer_kept_again_is_counted_once(app):
    """An answer past its end is made again under the same state (no commit
    since) and kept again: it replaces the first in the count of memory
    used too, or the budget would fill with answers no longer there."""
    cache = ReadCache(get_db(app.registry), 1 << 20)
    state = cache.current_state(app.registry)
    for _ in range(3):
        cache.keep("key", state, Kept(Response(json_body={}), None), app.registry)
    assert cache.used == cache.snapshot[1]["key"].cost > 0


# -- memory ---------------------------------------------------------------------


@pytest.mark.parametrize("reads, junk_size", [(200, 64 * 1024), (600, 10)])
def test_junk_reads_cannot_take_more_memory_than_the_budget(settings, reads, junk_size):
    """Anonymous reads, each with junk in its query and in a header, keep
    the budget's memory (1 MB), their keys and the answers' real size
    counted.  Without, 200 reads with 64 kB of junk kept 25 MB (every key),
    600 short ones 3 MB (a 4-8 kB buffer behind each short body)."""
    wsgi = main({}, **{**settings, "crunchusers.read_cache_mb": "1"})
    TestApp(wsgi).get("/api/public/")
    junk = "x" * junk_size

    def junk_read(n):
        # Made as a WSGI server would, each with strings of its own (WebTest
        # would keep the URLs in urllib's cache, which is not the server's).
        environ = {"QUERY_STRING": f"{n}={junk}", "HTTP_X_JUNK": f"{n}{junk}"}
        assert Request.blank("/api/public/", environ).get_response(wsgi).status_code == 200

    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(reads):
            junk_read(n)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert 0 < cache_of(wsgi).kept < reads
    assert grown < 1.2 * 1024 * 1024, f"{grown} bytes kept"


def test_a_full_cache_still_serves_what_it_kept(app, testapp, scene):
    """Filling the budget with junk stops keeping new answers until the
    next commit; it cannot push out those already kept (judged acceptable:
    the worst a client gets is every read answered afresh, as without the
    cache, and any commit starts over)."""
    owner = scene.headers("owner")
    testapp.get("/api/", headers=owner)
    warm(testapp, app, scene.url("member"), owner)
    cache = cache_of(app)
    cache.budget = cache.used + 3 * 1024  # room for about two public answers
    for n in range(20):
        testapp.get(f"/api/public/?junk={n}")
    assert cache.used <= cache.budget
    assert served(testapp, app, scene.url("member"), owner)[1]
    assert not served(testapp, app, "/api/public/?junk=19")[1]
