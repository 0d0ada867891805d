"""Issue 7 (security review), part b: projects under load and what Crunch
clients read.

Item 7: 16 clients creating datasets into one project all succeed (no list
is rewritten by every insert), and a conflict that outlasts every retry is a
503 with ``Retry-After``.  Items 23-25 here through WebTest (the real
scrunch drives them in ``test_scrunch.py``): folder documents with a name,
the personal project, creation with an empty ``table``.
"""

import threading

import pytest
import requests
import transaction
from persistent.list import PersistentList
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from webtest import TestApp

from crunchusers import main
from crunchusers.infra.storage import ROOT_KEY, get_db
from tests.factories import PASSWORD, Factory, acme_and_other
from tests.functional.helpers import create_dataset, id_of, read

BASE = "http://localhost"
CLIENTS = 16
PER_CLIENT = 30


@pytest.fixture
def acme(factory):
    return acme_and_other(factory, outsider_roles=("editor",))


def create_project(testapp, headers, name="Project"):
    body = {"element": "shoji:entity", "body": {"name": name}}
    return testapp.post_json("/api/projects/", body, headers=headers, status=201).location


# -- item 7 ----------------------------------------------------------------------


def bearer(server, email):
    res = requests.post(
        server + "public/login/", json={"email": email, "password": PASSWORD, "token": True}
    )
    assert res.status_code == 200, res.text
    return {"Authorization": f"Bearer {res.json()['access_token']}"}


def test_item07_07_sixteen_clients_create_datasets_into_one_project(live_app, server):
    """480 creations by 16 concurrent clients through waitress on a
    FileStorage: every one is 201 and the project lists each exactly once."""
    factory = Factory(live_app, None)
    account_id, owner_id = factory.account()
    editors = [factory.user(account_id, roles=("editor",)) for _ in range(CLIENTS)]
    owner = bearer(server, factory.email_of(owner_id))
    project = requests.post(server + "projects/", json={"name": "Busy"}, headers=owner)
    project_url = project.headers["Location"]
    members = {f"{server}users/{editor}/": {"permissions": {"edit": True}} for editor in editors}
    assert requests.patch(project_url + "members/", json=members, headers=owner).ok
    headers = [bearer(server, factory.email_of(e)) for e in editors]
    start = threading.Barrier(CLIENTS)
    answers = [[] for _ in range(CLIENTS)]

    def client(n):
        with requests.Session() as session:
            session.headers.update(headers[n])
            start.wait()
            for i in range(PER_CLIENT):
                body = {"name": f"c{n}-{i}", "project": project_url}
                res = session.post(server + "datasets/", json=body)
                answers[n].append((res.status_code, res.headers.get("Location"), res.text))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    results = [answer for per_client in answers for answer in per_client]
    assert len(results) == CLIENTS * PER_CLIENT
    assert [r for r in results if r[0] != 201] == []

    made = {location for _, location, _ in results}
    doc = requests.get(project_url, headers=owner).json()
    assert sorted(doc["graph"]) == sorted(made)  # each exactly once
    assert set(doc["index"]) == made
    catalog = requests.get(project_url + "datasets/", headers=owner).json()
    assert set(catalog["index"]) == made


def test_item07_07_a_project_stored_with_a_child_list_keeps_its_order(testapp, acme, factory):
    """Projects stored before this version kept their children in a list:
    it is read as it is, and the first write turns it into the order."""
    project = create_project(testapp, acme.headers("alice"), "Old")
    first = create_dataset(testapp, acme.headers("alice"), "First", project=project)
    second = create_dataset(testapp, acme.headers("alice"), "Second", project=project)

    def make_legacy(root):
        stored = root.projects[id_of(project)]
        stored._p_activate()
        del stored.__dict__["child_ordinals"], stored.__dict__["ordinal_counter"]
        stored.__dict__["graph"] = PersistentList([id_of(second), id_of(first)])
        stored._p_changed = True

    factory.write(make_legacy)
    assert read(testapp, project, acme.headers("alice"))["graph"] == [second, first]
    third = create_dataset(testapp, acme.headers("alice"), "Third", project=project)
    assert read(testapp, project, acme.headers("alice"))["graph"] == [second, first, third]

    def attributes(root):
        stored = root.projects[id_of(project)]
        stored._p_activate()
        return set(vars(stored))

    left = factory.read(attributes)
    assert "graph" not in left and "child_ordinals" in left


ATTEMPTS = []


def always_conflicts(request):
    """Every attempt loses a write race: another connection commits the same
    object first, so this request's commit raises ``ConflictError``."""
    ATTEMPTS.append(request.environ["retry.attempt"])
    request.api_root.secrets["counter"] = request.api_root.secrets.get("counter", 0) + 1
    manager = transaction.TransactionManager(explicit=True)
    conn = get_db(request.registry).open(transaction_manager=manager)
    try:
        with manager:
            other = conn.root()[ROOT_KEY]
            other.secrets["counter"] = other.secrets.get("counter", 0) + 100
    finally:
        conn.close()
    return Response(json_body={"counter": request.api_root.secrets["counter"]})


def includeme(config):
    """Test-only route, included through ``pyramid.includes``."""
    config.add_route("always_conflicts", "/test/always-conflicts/")
    config.add_view(
        always_conflicts, route_name="always_conflicts", permission=NO_PERMISSION_REQUIRED
    )


def test_item07_07_exhausted_retries_answer_503_with_retry_after(settings):
    ATTEMPTS.clear()
    quick = {"crunchusers.retry_backoff_ms": "1"}  # the waits before retries stay short
    app = main({}, **{**settings, **quick, "pyramid.includes": __name__})
    testapp = TestApp(app)
    res = testapp.get("/test/always-conflicts/", status=503)
    assert ATTEMPTS == list(range(10))  # retry.attempts, then it gives up
    assert res.headers["Retry-After"] == "1"
    assert res.content_type == "application/json"
    assert res.json["element"] == "crunch:error"
    assert res.json["status"] == "503 Service Unavailable"
    assert "Retry" in res.json["message"]
    # Only the competing writes landed: the request changed nothing.
    counter = Factory(app, testapp).read(lambda root: root.secrets["counter"])
    assert counter == 1000


# -- item 23 ---------------------------------------------------------------------


def test_item07_23_folder_roots_are_documents_with_a_name(testapp, acme):
    url = create_dataset(testapp, acme.headers("alice"), "Foldered")
    testapp.patch_json(
        url + "permissions/",
        {acme.url("bob"): {"dataset_permissions": {"view": True}}},
        headers=acme.headers("alice"),
        status=204,
    )
    names = {"public": "Public", "personal": "Personal", "hidden": "Hidden", "secure": "Secure"}
    root = read(testapp, url + "folders/", acme.headers("alice"))
    assert root["body"]["name"] == "Root"
    assert root["catalogs"] == {name: f"{url}folders/{name}/" for name in names}
    for name, title in names.items():
        doc = read(testapp, root["catalogs"][name], acme.headers("alice"))
        assert doc["element"] == "shoji:catalog"
        assert doc["self"] == f"{url}folders/{name}/"
        assert doc["body"] == {"name": title}
        assert (doc["index"], doc["graph"]) == ({}, [])

    # Viewers get the public and personal roots only.
    assert set(read(testapp, url + "folders/", acme.headers("bob"))["catalogs"]) == {
        "public",
        "personal",
    }
    read(testapp, url + "folders/public/", acme.headers("bob"))
    testapp.get(url + "folders/hidden/", headers=acme.headers("bob"), status=403)
    testapp.get(url + "folders/public/", headers=acme.headers("carol"), status=404)
    testapp.get(url + "folders/elsewhere/", headers=acme.headers("alice"), status=404)


# -- item 24 ---------------------------------------------------------------------

PERSONAL = f"{BASE}/api/projects/personal/"


def test_item07_24_each_user_has_a_personal_project(testapp, acme, factory):
    catalog = read(testapp, "/api/projects/", acme.headers("alice"))
    assert catalog["catalogs"]["personal"] == PERSONAL
    assert catalog["index"] == {}  # the listings are unchanged

    doc = read(testapp, PERSONAL, acme.headers("alice"))
    assert doc["self"] == PERSONAL
    assert doc["body"]["name"] == "Personal Project"
    assert doc["body"]["permissions"] == {"view": True, "edit": True}
    assert doc["catalogs"]["project"] == f"{BASE}/api/projects/"
    assert (doc["index"], doc["graph"]) == ({}, [])
    mine = f"{BASE}/api/projects/{doc['body']['id']}/"
    assert read(testapp, PERSONAL, acme.headers("alice"))["body"]["id"] == doc["body"]["id"]
    assert read(testapp, mine, acme.headers("alice"))["body"]["id"] == doc["body"]["id"]
    assert read(testapp, PERSONAL, acme.headers("dave"))["body"]["id"] != doc["body"]["id"]

    # Alice's alone: not her admin's, not in any listing.
    for name in ("owner", "dave", "outsider"):
        testapp.get(mine, headers=acme.headers(name), status=404)
    assert mine not in read(testapp, "/api/account/projects/", acme.headers("owner"))["index"]
    assert mine not in read(testapp, "/api/projects/", acme.headers("alice"))["index"]
    members = {acme.url("bob"): {"permissions": {"edit": False}}}
    testapp.patch_json(mine + "members/", members, headers=acme.headers("alice"), status=400)
    testapp.delete(mine, headers=acme.headers("alice"), status=400)
    testapp.delete(mine, headers=acme.headers("owner"), status=404)
    assert read(testapp, mine, acme.headers("alice"))["body"]["id"] == id_of(mine)


def test_item07_24_datasets_move_into_the_personal_project(testapp, acme, factory):
    dataset = create_dataset(testapp, acme.headers("alice"), "Private")
    testapp.patch_json(dataset, {"project": PERSONAL}, headers=acme.headers("alice"), status=204)
    mine = f"{BASE}/api/projects/{read(testapp, PERSONAL, acme.headers('alice'))['body']['id']}/"
    assert read(testapp, dataset, acme.headers("alice"))["body"]["project"] == mine
    assert read(testapp, PERSONAL, acme.headers("alice"))["graph"] == [dataset]
    # Its datasets stay in the catalogs of those who reach them.
    assert dataset in read(testapp, "/api/datasets/", acme.headers("alice"))["index"]
    assert dataset in read(testapp, "/api/account/datasets/", acme.headers("owner"))["index"]

    # Dave cannot put his dataset into Alice's personal project.
    his = create_dataset(testapp, acme.headers("dave"), "His")
    testapp.patch_json(his, {"project": mine}, headers=acme.headers("dave"), status=403)

    # Handing Alice's things to Dave moves her personal project's contents
    # into his: a personal project is never handed over.
    testapp.post_json(
        f"/api/users/{acme.id('alice')}/reassign/",
        {"owner": acme.url("dave")},
        headers=acme.headers("owner"),
        status=204,
    )
    assert read(testapp, PERSONAL, acme.headers("dave"))["graph"] == [dataset]
    assert read(testapp, PERSONAL, acme.headers("alice"))["graph"] == []
    assert read(testapp, PERSONAL, acme.headers("alice"))["body"]["id"] == id_of(mine)


def test_item07_24_first_uses_at_once_make_one_personal_project(live_app, server):
    factory = Factory(live_app, None)
    account_id, _ = factory.account()
    user_id = factory.user(account_id, roles=("editor",))
    headers = bearer(server, factory.email_of(user_id))
    start = threading.Barrier(8)
    seen = []

    def first_use():
        start.wait()
        res = requests.get(server + "projects/personal/", headers=headers)
        seen.append((res.status_code, res.json()["body"]["id"]))

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(seen) == 8 and {status for status, _ in seen} == {200}
    assert len({project_id for _, project_id in seen}) == 1
    personal = factory.read(lambda root: [p.__name__ for p in root.projects.values()])
    assert personal == [seen[0][1]]


# -- item 25 ---------------------------------------------------------------------


def test_item07_25_create_accepts_a_table_without_variables(testapp, acme, factory):
    table = {"element": "crunch:table", "metadata": {}}
    body = {"element": "shoji:entity", "body": {"name": "From scrunch", "table": table}}
    url = testapp.post_json(
        "/api/datasets/", body, headers=acme.headers("alice"), status=201
    ).location
    assert read(testapp, url, acme.headers("alice"))["body"]["name"] == "From scrunch"
    assert read(testapp, url + "variables/", acme.headers("alice"))["index"] == {}

    variables = {"age": {"name": "Age", "alias": "age", "type": "numeric"}}
    for bad in (
        {"element": "crunch:table", "metadata": variables},
        {"element": "crunch:table", "metadata": []},
        {"element": "shoji:entity", "metadata": {}},
        {"element": "crunch:table", "metadata": {}, "rows": 3},
        "table",
    ):
        body = {"element": "shoji:entity", "body": {"name": "Rejected", "table": bad}}
        res = testapp.post_json("/api/datasets/", body, headers=acme.headers("alice"), status=400)
        assert res.json["errors"][0]["name"] == "table"
    body["body"]["table"] = {"element": "crunch:table", "metadata": variables}
    res = testapp.post_json("/api/datasets/", body, headers=acme.headers("alice"), status=400)
    assert "metadata only" in res.json["message"]
    names = factory.read(lambda root: [d.name for d in root.datasets.values()])
    assert names == ["From scrunch"]
