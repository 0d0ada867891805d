"""What every request costs: no class built per request, and reading writes
nothing (the session lookup is a lookup; a credential's ``last_used`` is
stamped coarsely, tests/functional/accounts/test_session_lifetime.py, and
parallel stamps merge)."""

from datetime import timedelta

import pytest
import transaction
import ZODB
from pyramid.interfaces import IRequestExtensions, IRequestFactory
from pyramid.util import InstancePropertyHelper
from ZODB.FileStorage import FileStorage

from crunchusers.domain.resources.credentials import Session
from tests.factories import Scene


@pytest.fixture
def scene(factory):
    scene = Scene(factory)
    scene.add("alice", roles=("editor",))
    return scene


def test_one_request_class_carries_every_extension(app):
    assert app.registry.queryUtility(IRequestExtensions) is None
    cls = app.registry.queryUtility(IRequestFactory)
    for name in ("api_root", "url_of", "tm", "current_service"):
        assert name in vars(cls), name


def test_no_class_is_built_per_request(testapp, scene, monkeypatch):
    built = []
    original = InstancePropertyHelper.apply_properties.__func__

    def counting(cls, target, properties):
        built.append(properties)
        return original(cls, target, properties)

    monkeypatch.setattr(InstancePropertyHelper, "apply_properties", classmethod(counting))
    headers = scene.headers("alice")
    testapp.get(scene.url("alice"), headers=headers, status=200)
    testapp.post_json("/api/teams/", {"name": "T"}, headers=headers, status=201)
    testapp.get("/api/nowhere/", headers=headers, status=404)
    assert built == []


def test_extensions_work_on_the_class(testapp, scene):
    """``tm`` (pyramid_tm) commits a write, ``current_service`` (Cornice)
    lists a 405's allowed methods, ``api_root`` and ``url_of`` make URLs."""
    headers = scene.headers("alice")
    made = testapp.post_json("/api/teams/", {"name": "T"}, headers=headers, status=201)
    assert made.location in testapp.get("/api/teams/", headers=headers).json["index"]
    res = testapp.post_json(scene.url("alice"), {}, headers=headers, status=405)
    assert "GET" in res.headers["Allow"]
    assert testapp.get(scene.url("alice"), headers=headers).json["self"] == scene.url("alice")


def serials(factory, user_id):
    def read(root):
        user = root.users[user_id]
        return [user._p_serial] + [root.sessions.data[h]._p_serial for h in user.session_hashes]

    return factory.read(read)


def test_reading_with_a_session_writes_nothing(testapp, scene, factory):
    """Beyond the first use's ``last_used`` stamp."""
    headers = scene.headers("alice")
    testapp.get("/api/", headers=headers, status=200)
    before = serials(factory, scene.alice)
    for url in (scene.url("alice"), "/api/", "/api/datasets/", "/api/users/"):
        testapp.get(url, headers=headers, status=200)
    assert serials(factory, scene.alice) == before


@pytest.fixture
def two_connections(tmp_path):
    db = ZODB.DB(FileStorage(str(tmp_path / "Data.fs")))
    start = db.open()
    start.root()["s"] = Session("u1", None, None, kind="apikey")
    transaction.commit()
    start.close()
    managers = [transaction.TransactionManager() for _ in range(2)]
    conns = [db.open(transaction_manager=m) for m in managers]
    yield db, list(zip(managers, conns, strict=True))
    for m, c in zip(managers, conns, strict=True):
        m.abort()
        c.close()
    db.close()


def test_parallel_stamps_merge_and_the_later_wins(two_connections, clock):
    db, [(first_tm, first), (second_tm, second)] = two_connections
    earlier, later = clock.now(), clock.now() + timedelta(seconds=5)
    first.root()["s"].last_used = later
    second.root()["s"].last_used = earlier
    first_tm.commit()
    second_tm.commit()  # no ConflictError
    check = db.open()
    assert check.root()["s"].last_used == later
    check.close()


def test_other_parallel_changes_still_conflict(two_connections, clock):
    from ZODB.POSException import ConflictError

    db, [(first_tm, first), (second_tm, second)] = two_connections
    first.root()["s"].last_used = clock.now()
    second.root()["s"].expires = clock.now()
    first_tm.commit()
    with pytest.raises(ConflictError):
        second_tm.commit()
