"""Attacks on the read cache (``views.read_cache``): whatever a client does,
an answer it is served is the one the views would give it afresh at that
moment.  Each test compares served answers with fresh ones (the cache
switched off for that one request) and shows the cache really answered,
so it fails if the protection it attacks were removed."""

import pytest

from crunchusers.views.read_cache import ReadCache
from tests.conftest import TEST_STORAGE
from tests.factories import Scene

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
    return app.registry.crunchusers_read_cache


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
