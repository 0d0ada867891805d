"""Datasets, metadata only (reference crunch-api.md §8.1–§8.3).

Covered: creation needs ``create_datasets`` (a standard user gets 403); the
catalog lists only what the caller can see, each tuple carrying the caller's
coalesced ``permissions``; ``by_name`` is exact and case-sensitive; catalog
PATCH of catalog-editable attributes is all or nothing (403 without edit,
400 for other attributes or ``null`` tuples); the entity is 404 without
access; the current-editor lock (409 with "current editor" in the message
until the lock is taken); ownership changes by ``owner`` (user URL, email or
project URL) under the §8.3 rules; DELETE by the owner, an editor or the
account owner (seed 000: even after the creator was removed), 403 for a
viewer; and the ``settings``/``preferences``/``variables``/``folders`` stubs.

Each test gets a fresh database (see ``conftest.app``) and makes its own accounts.
"""

import re

import pytest

from tests.factories import acme_and_other
from tests.functional.helpers import EDIT, FULL, VIEW, id_of, read

BASE = "http://localhost"
DATASET_URL = re.compile(r"http://localhost/api/datasets/[0-9a-f]+/")


def create_dataset(testapp, headers, name="Survey", bare=False, **fields):
    body = {"name": name, **fields}
    if not bare:
        body = {"element": "shoji:entity", "body": body}
    res = testapp.post_json("/api/datasets/", body, headers=headers, status=201)
    assert DATASET_URL.fullmatch(res.location), res.location
    return res.location


def take_lock(testapp, dataset_url, acme, name):
    """``name`` becomes the current editor (rcrunch's bare form)."""
    body = {"current_editor": acme.url(name)}
    testapp.patch_json(dataset_url, body, headers=acme.headers(name), status=204)


def stored(factory, dataset_url, *attrs):
    def get(root):
        dataset = root.datasets[id_of(dataset_url)]
        return tuple(getattr(dataset, a) for a in attrs)

    values = factory.read(get)
    return values[0] if len(attrs) == 1 else values


def exists(factory, dataset_url):
    return factory.read(lambda root: id_of(dataset_url) in root.datasets)


@pytest.fixture
def acme(factory):
    """Account ``Acme``: its owner (admin), dataset creators alice and dave,
    standard users bob and carol; in ``Other``: outsider (an editor) and its
    owner."""
    return acme_and_other(factory, outsider_roles=("editor",))


# -- creation ------------------------------------------------------------------


@pytest.mark.parametrize("bare", [False, True], ids=["wrapped", "bare"])
def test_post_creates_an_owned_locked_dataset(testapp, acme, factory, bare):
    url = create_dataset(
        testapp, acme.headers("alice"), " Wave 1 ", bare=bare, description="First", archived=True
    )
    body = read(testapp, url, acme.headers("alice"))["body"]
    assert body["id"] == id_of(url)
    assert body["name"] == "Wave 1"
    assert body["description"] == "First"
    assert body["archived"] is True
    assert body["owner"] == body["owner_id"] == acme.url("alice")
    assert body["current_editor"] == acme.url("alice")
    assert body["permissions"] == FULL
    assert body["account"] == f"{BASE}/api/accounts/{acme.account_id}/"
    assert stored(factory, url, "account_id", "owner_id") == (acme.account_id, acme.alice)


def test_post_needs_create_datasets(testapp, acme, factory):
    body = {"element": "shoji:entity", "body": {"name": "Not allowed"}}
    res = testapp.post_json("/api/datasets/", body, headers=acme.headers("bob"), status=403)
    assert res.json["message"]
    owned = factory.read(lambda root: set(root.users[acme.bob].ids("owned_dataset_ids")))
    assert owned == set()
    assert factory.read(lambda root: len(root.accounts[acme.account_id].ids("dataset_ids"))) == 0
    testapp.post_json("/api/datasets/", body, status=401)
    # An admin has create_datasets.
    create_dataset(testapp, acme.headers("owner"), "By the owner")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": 1},
        {"name": "  "},
        {"name": "x", "archived": "yes"},
        {"name": "x", "description": None},
        {"name": "x", "streaming": "maybe"},
        {"name": "x", "rows": 10},
        {"name": "x", "project": f"{BASE}/api/projects/0000/"},
    ],
    ids=[
        "no-name",
        "name-not-string",
        "blank-name",
        "archived-not-bool",
        "description-null",
        "bad-streaming",
        "unknown-field",
        "unknown-project",
    ],
)
def test_bad_post_is_400_and_creates_nothing(testapp, acme, factory, body):
    res = testapp.post_json("/api/datasets/", body, headers=acme.headers("alice"), status=400)
    assert res.json["message"]
    owned = factory.read(lambda root: set(root.users[acme.alice].ids("owned_dataset_ids")))
    assert owned == set()


# -- catalog -------------------------------------------------------------------


def test_catalog_lists_only_visible_datasets_with_the_callers_permissions(testapp, acme):
    mine = create_dataset(testapp, acme.headers("alice"), "Mine")
    viewed = create_dataset(testapp, acme.headers("dave"), "Viewed")
    edited = create_dataset(testapp, acme.headers("dave"), "Edited")
    hidden = create_dataset(testapp, acme.headers("dave"), "Hidden")
    foreign = create_dataset(testapp, acme.headers("outsider"), "Foreign")
    acme.share(viewed, "dave", {"alice": {"view": True}})
    acme.share(edited, "dave", {"alice": {"edit": True}})

    doc = read(testapp, "/api/datasets/", acme.headers("alice"))
    assert doc["element"] == "shoji:catalog"
    assert doc["self"] == f"{BASE}/api/datasets/"
    assert doc["catalogs"]["by_name"] == f"{BASE}/api/datasets/by_name/{{name}}/"
    index = doc["index"]
    assert set(index) == {mine, viewed, edited}
    assert hidden not in index and foreign not in index
    assert index[mine]["permissions"] == FULL
    assert index[viewed]["permissions"] == VIEW
    assert index[edited]["permissions"] == EDIT
    entry = index[viewed]
    assert entry["name"] == "Viewed" and entry["id"] == id_of(viewed)
    assert entry["owner_id"] == acme.url("dave")
    assert entry["owner_name"] == entry["owner_display_name"]
    assert entry["current_editor"] == acme.url("dave")
    assert entry["archived"] is False
    assert set(entry["size"]) == {"rows", "columns", "unfiltered_rows"}

    # The account admin sees every account dataset (implicit edit), but not
    # another account's.
    admin_index = read(testapp, "/api/datasets/", acme.headers("owner"))["index"]
    assert set(admin_index) == {mine, viewed, edited, hidden}
    assert admin_index[hidden]["permissions"] == FULL
    assert read(testapp, "/api/datasets/", acme.headers("bob"))["index"] == {}
    testapp.get("/api/datasets/", status=401)


def test_by_name_is_exact_and_case_sensitive(testapp, acme):
    exact = create_dataset(testapp, acme.headers("alice"), "Brand Tracker")
    twin = create_dataset(testapp, acme.headers("alice"), "Brand Tracker")
    create_dataset(testapp, acme.headers("alice"), "brand tracker")
    create_dataset(testapp, acme.headers("alice"), "Brand Tracker 2")
    hidden = create_dataset(testapp, acme.headers("dave"), "Brand Tracker")

    doc = read(testapp, "/api/datasets/by_name/Brand%20Tracker/", acme.headers("alice"))
    assert doc["element"] == "shoji:catalog"
    assert set(doc["index"]) == {exact, twin}
    assert hidden not in doc["index"]
    assert (
        read(testapp, "/api/datasets/by_name/BRAND%20TRACKER/", acme.headers("alice"))["index"]
        == {}
    )
    assert read(testapp, "/api/datasets/by_name/Brand/", acme.headers("alice"))["index"] == {}
    testapp.post_json(
        "/api/datasets/by_name/Brand%20Tracker/", {}, headers=acme.headers("alice"), status=405
    )


@pytest.mark.parametrize("form", ["wrapped", "bare"])
def test_catalog_patch_of_archived_and_description(testapp, acme, factory, form):
    one = create_dataset(testapp, acme.headers("alice"), "One")
    two = create_dataset(testapp, acme.headers("alice"), "Two")
    index = {one: {"archived": True}, two: {"description": "New text", "name": "Deux"}}
    body = {"element": "shoji:catalog", "index": index} if form == "wrapped" else index
    testapp.patch_json("/api/datasets/", body, headers=acme.headers("alice"), status=204)
    assert stored(factory, one, "archived", "description") == (True, "")
    assert stored(factory, two, "description", "name", "archived") == ("New text", "Deux", False)
    catalog = read(testapp, "/api/datasets/", acme.headers("alice"))["index"]
    assert catalog[one]["archived"] is True
    assert catalog[two]["description"] == "New text"


def test_catalog_patch_without_edit_is_403_and_changes_nothing(testapp, acme, factory):
    editable = create_dataset(testapp, acme.headers("dave"), "Editable")
    readonly = create_dataset(testapp, acme.headers("dave"), "Read only")
    acme.share(editable, "dave", {"bob": {"edit": True}})
    acme.share(readonly, "dave", {"bob": {"view": True}})

    body = {
        "element": "shoji:catalog",
        "index": {editable: {"archived": True}, readonly: {"archived": True}},
    }
    res = testapp.patch_json("/api/datasets/", body, headers=acme.headers("bob"), status=403)
    assert res.json["message"]
    assert stored(factory, editable, "archived") is False
    assert stored(factory, readonly, "archived") is False


@pytest.mark.parametrize(
    "make_index",
    [
        lambda ds: {ds: {"owner": "x"}},
        lambda ds: {ds: {"archived": True, "color": "red"}},
        lambda ds: {ds: None},
        lambda ds: {ds: {"archived": "true"}},
        lambda ds: {ds: "archived"},
        lambda ds: {f"{BASE}/api/datasets/0000/": {"archived": True}},
        lambda ds: {ds: {"archived": True}, f"{BASE}/api/datasets/0000/": {"archived": True}},
    ],
    ids=[
        "owner-not-catalog-editable",
        "unknown-attribute",
        "null-tuple",
        "archived-not-bool",
        "tuple-not-object",
        "adding-a-dataset",
        "one-good-one-unknown",
    ],
)
def test_bad_catalog_patch_is_400_and_changes_nothing(testapp, acme, factory, make_index):
    url = create_dataset(testapp, acme.headers("alice"), "Unchanged")
    testapp.patch_json(
        "/api/datasets/", make_index(url), headers=acme.headers("alice"), status=400
    )
    assert stored(factory, url, "archived", "name") == (False, "Unchanged")
    assert exists(factory, url)


def test_catalog_patch_of_an_invisible_dataset_reveals_nothing(testapp, acme, factory):
    hidden = create_dataset(testapp, acme.headers("dave"), "Hidden")
    res = testapp.patch_json(
        "/api/datasets/", {hidden: {"archived": True}}, headers=acme.headers("alice"), status=400
    )
    assert "Hidden" not in res.json["message"]
    assert stored(factory, hidden, "archived") is False


# -- entity ---------------------------------------------------------------------


def test_entity_get_and_404_without_access(testapp, acme):
    url = create_dataset(testapp, acme.headers("alice"), "Entity")
    doc = read(testapp, url, acme.headers("alice"))
    assert doc["element"] == "shoji:entity"
    assert doc["self"] == url
    for name in ("permissions", "users", "variables", "folders"):
        assert doc["catalogs"][name] == f"{url}{name}/"
    assert doc["catalogs"]["parent"] == f"{BASE}/api/datasets/"
    assert doc["fragments"] == {"settings": url + "settings/", "preferences": url + "preferences/"}
    assert doc["urls"]["user_url"] == acme.url("alice")
    assert doc["urls"]["owner_url"] == acme.url("alice")
    assert doc["urls"]["editor_url"] == acme.url("alice")
    assert doc["body"]["type"] == "dataset"

    for name in ("bob", "outsider", "other_owner"):
        res = testapp.get(url, headers=acme.headers(name), status=404)
        assert "Entity" not in res.text
        testapp.get(url + "permissions/", headers=acme.headers(name), status=404)
        testapp.patch_json(url, {"name": "x"}, headers=acme.headers(name), status=404)
        testapp.delete(url, headers=acme.headers(name), status=404)
    testapp.get(url, status=401)
    testapp.get(f"{BASE}/api/datasets/0000/", headers=acme.headers("alice"), status=404)


def test_viewer_cannot_patch_the_entity(testapp, acme, factory):
    url = create_dataset(testapp, acme.headers("alice"), "Viewed")
    acme.share(url, "alice", {"bob": {"view": True}})
    testapp.patch_json(url, {"name": "Nope"}, headers=acme.headers("bob"), status=403)
    testapp.patch_json(
        url, {"current_editor": acme.url("bob")}, headers=acme.headers("bob"), status=403
    )
    assert stored(factory, url, "name", "current_editor_id") == ("Viewed", acme.alice)


def test_current_editor_lock(testapp, acme, factory):
    url = create_dataset(testapp, acme.headers("alice"), "Locked")
    acme.share(url, "alice", {"dave": {"edit": True}})

    # Dave may edit but is not the current editor: 409 naming the lock.
    res = testapp.patch_json(
        url, {"description": "Dave"}, headers=acme.headers("dave"), status=409
    )
    assert "current editor" in res.json["message"]
    assert res.json["status"] == "409 Conflict"
    wrapped = {"element": "shoji:entity", "body": {"notes": "n", "current_editor": None}}
    testapp.patch_json(url, wrapped, headers=acme.headers("dave"), status=409)
    assert stored(factory, url, "description", "notes") == ("", "")

    # He takes the lock (scrunch's wrapped form), then edits.
    wrapped = {"element": "shoji:entity", "body": {"current_editor": acme.url("dave")}}
    testapp.patch_json(url, wrapped, headers=acme.headers("dave"), status=204)
    assert read(testapp, url, acme.headers("alice"))["body"]["current_editor"] == acme.url("dave")
    testapp.patch_json(url, {"description": "Dave"}, headers=acme.headers("dave"), status=204)
    assert stored(factory, url, "description") == "Dave"

    # Now Alice is locked out until she takes it back (rcrunch's bare form).
    res = testapp.patch_json(
        url, {"description": "Alice"}, headers=acme.headers("alice"), status=409
    )
    assert "current editor" in res.json["message"]
    take_lock(testapp, url, acme, "alice")
    testapp.patch_json(url, {"description": "Alice"}, headers=acme.headers("alice"), status=204)

    # Releasing the lock lets any editor write.
    testapp.patch_json(url, {"current_editor": None}, headers=acme.headers("alice"), status=204)
    assert stored(factory, url, "current_editor_id") is None
    testapp.patch_json(url, {"notes": "free"}, headers=acme.headers("dave"), status=204)
    assert stored(factory, url, "notes") == "free"


@pytest.mark.parametrize("who", ["viewer", "stranger", "garbage"])
def test_current_editor_must_be_an_editor(testapp, acme, factory, who):
    url = create_dataset(testapp, acme.headers("alice"), "Locked")
    acme.share(url, "alice", {"bob": {"view": True}})
    ref = {"viewer": acme.url("bob"), "stranger": acme.url("carol"), "garbage": 42}[who]
    testapp.patch_json(url, {"current_editor": ref}, headers=acme.headers("alice"), status=400)
    assert stored(factory, url, "current_editor_id") == acme.alice


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"archived": 1},
        {"streaming": "sometimes"},
        {"id": "new-id"},
        {"permissions": {}},
        {"start_date": 2020},
    ],
)
def test_bad_entity_patch_is_400(testapp, acme, factory, body):
    url = create_dataset(testapp, acme.headers("alice"), "Kept")
    testapp.patch_json(url, body, headers=acme.headers("alice"), status=400)
    assert stored(factory, url, "name", "archived", "streaming") == ("Kept", False, "no")


def test_entity_patch_of_editable_attributes(testapp, acme):
    url = create_dataset(testapp, acme.headers("alice"), "Before")
    body = {
        "element": "shoji:entity",
        "body": {
            "name": "After",
            "description": "D",
            "notes": "N",
            "archived": True,
            "is_published": False,
            "start_date": "2020-01-01",
            "end_date": None,
            "streaming": "finished",
        },
    }
    testapp.patch_json(url, body, headers=acme.headers("alice"), status=204)
    got = read(testapp, url, acme.headers("alice"))["body"]
    for key, value in body["body"].items():
        assert got[key] == value, key


# -- ownership --------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["url", "email"])
def test_owner_hands_the_dataset_to_a_user(testapp, acme, factory, inbox, ref):
    url = create_dataset(testapp, acme.headers("alice"), "Handed over")
    target = acme.url("dave") if ref == "url" else acme.email("dave")
    testapp.patch_json(url, {"owner": target}, headers=acme.headers("alice"), status=204)
    assert stored(factory, url, "owner_id") == acme.dave
    body = read(testapp, url, acme.headers("dave"))["body"]
    assert body["owner"] == acme.url("dave")
    assert body["permissions"] == FULL
    owned = factory.read(lambda root: set(root.users[acme.dave].ids("owned_dataset_ids")))
    assert id_of(url) in owned
    was = factory.read(lambda root: set(root.users[acme.alice].ids("owned_dataset_ids")))
    assert id_of(url) not in was
    mails = inbox.wait_for(1)
    assert [m["To"] for m in mails] == [acme.email("dave")]
    assert "Handed over" in mails[0].text


def test_only_the_owner_hands_a_dataset_to_a_user(testapp, acme, factory):
    url = create_dataset(testapp, acme.headers("alice"), "Owned")
    acme.share(url, "alice", {"dave": {"edit": True, "change_permissions": True}})
    take_lock(testapp, url, acme, "dave")
    res = testapp.patch_json(
        url, {"owner": acme.url("dave")}, headers=acme.headers("dave"), status=403
    )
    assert res.json["message"]
    assert stored(factory, url, "owner_id") == acme.alice
    # The owner too must hold the edit lock to hand it over.
    res = testapp.patch_json(
        url, {"owner": acme.url("dave")}, headers=acme.headers("alice"), status=409
    )
    assert "current editor" in res.json["message"]
    assert stored(factory, url, "owner_id") == acme.alice


@pytest.mark.parametrize(
    "target",
    ["standard", "locked", "unknown-email", "unknown-url", "team", "number"],
)
def test_new_owner_must_be_an_active_user_with_create_datasets(testapp, acme, factory, target):
    url = create_dataset(testapp, acme.headers("alice"), "Owned")
    if target == "standard":
        ref = acme.url("bob")
    elif target == "locked":
        # An invited (pending) editor may be handed datasets (issue 7 item 21); a locked one not.
        locked = factory.user(acme.account_id, roles=("editor",), status="locked")
        ref = factory.user_url(locked)
    elif target == "unknown-email":
        ref = "nobody-at-all@example.com"
    elif target == "unknown-url":
        ref = f"{BASE}/api/users/0000/"
    elif target == "team":
        ref = testapp.post_json(
            "/api/teams/", {"name": "T"}, headers=acme.headers("alice"), status=201
        ).location
    else:
        ref = 7
    res = testapp.patch_json(url, {"owner": ref}, headers=acme.headers("alice"), status=400)
    assert res.json["message"]
    assert stored(factory, url, "owner_id") == acme.alice


def test_owner_moves_the_dataset_into_a_project(testapp, acme, factory):
    url = create_dataset(testapp, acme.headers("alice"), "Into project")
    project = testapp.post_json(
        "/api/projects/", {"name": "P"}, headers=acme.headers("alice"), status=201
    ).location
    wrapped = {"element": "shoji:entity", "body": {"owner": project}}
    testapp.patch_json(url, wrapped, headers=acme.headers("alice"), status=204)
    assert stored(factory, url, "project_id") == id_of(project)
    assert read(testapp, url, acme.headers("alice"))["body"]["project"] == project
    assert set(read(testapp, project + "datasets/", acme.headers("alice"))["index"]) == {url}


def test_moving_into_a_project_needs_edit_on_it(testapp, acme, factory):
    url = create_dataset(testapp, acme.headers("alice"), "Stays")
    project = testapp.post_json(
        "/api/projects/", {"name": "Dave's"}, headers=acme.headers("dave"), status=201
    ).location
    testapp.patch_json(url, {"owner": project}, headers=acme.headers("alice"), status=403)
    testapp.patch_json(
        project + "members/",
        {acme.url("alice"): {"permissions": {"edit": False}}},
        headers=acme.headers("dave"),
        status=204,
    )
    testapp.patch_json(url, {"owner": project}, headers=acme.headers("alice"), status=403)
    assert stored(factory, url, "project_id") is None

    # Another editor of the dataset who may change its permissions may move
    # it into a project they edit.
    acme.share(url, "alice", {"dave": {"edit": True, "change_permissions": True}})
    testapp.patch_json(
        project + "members/",
        {acme.url("alice"): {"permissions": {"edit": True}}},
        headers=acme.headers("dave"),
        status=204,
    )
    take_lock(testapp, url, acme, "dave")
    testapp.patch_json(url, {"owner": project}, headers=acme.headers("dave"), status=204)
    assert stored(factory, url, "project_id") == id_of(project)
    assert stored(factory, url, "owner_id") == acme.alice


def test_other_editor_cannot_move_into_a_project_the_owner_does_not_edit(testapp, acme, factory):
    url = create_dataset(testapp, acme.headers("alice"), "Stays")
    acme.share(url, "alice", {"dave": {"edit": True}})
    project = testapp.post_json(
        "/api/projects/", {"name": "Dave's"}, headers=acme.headers("dave"), status=201
    ).location
    take_lock(testapp, url, acme, "dave")
    testapp.patch_json(url, {"owner": project}, headers=acme.headers("dave"), status=[400, 403])
    assert stored(factory, url, "project_id") is None


# -- delete -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "editor", "owner"])
def test_delete_by_owner_editor_or_account_owner(testapp, acme, factory, who):
    url = create_dataset(testapp, acme.headers("alice"), "Doomed")
    acme.share(url, "alice", {"dave": {"edit": True}, "bob": {"view": True}})
    actor = {"alice": "alice", "editor": "dave", "owner": "owner"}[who]
    if actor != "alice":  # alice, the creator, holds the edit lock
        take_lock(testapp, url, acme, actor)
    testapp.delete(url, headers=acme.headers(actor), status=204)
    assert not exists(factory, url)
    testapp.get(url, headers=acme.headers("alice"), status=404)
    # Reverse links are cleaned up.
    for name in ("alice", "dave", "bob"):
        ids = factory.read(
            lambda root, n=name: (
                set(root.users[acme.id(n)].ids("dataset_ids"))
                | set(root.users[acme.id(n)].ids("owned_dataset_ids"))
            )
        )
        assert id_of(url) not in ids
    assert read(testapp, "/api/datasets/", acme.headers("bob"))["index"] == {}


def test_delete_by_a_viewer_is_403(testapp, acme, factory):
    url = create_dataset(testapp, acme.headers("alice"), "Kept")
    acme.share(url, "alice", {"bob": {"view": True}})
    res = testapp.delete(url, headers=acme.headers("bob"), status=403)
    assert res.json["message"]
    testapp.delete(url, headers=acme.headers("carol"), status=404)
    testapp.delete(url, status=401)
    assert exists(factory, url)


def test_account_owner_deletes_a_dataset_whose_creator_was_removed(testapp, acme, factory):
    """Seed 000: what a removed user created stays, and the owner may delete it."""
    url = create_dataset(testapp, acme.headers("dave"), "Orphan")
    testapp.patch_json(
        "/api/account/users/",
        {"element": "shoji:catalog", "index": {acme.url("dave"): None}},
        headers=acme.headers("owner"),
        status=200,
    )
    assert exists(factory, url)
    assert url in read(testapp, "/api/datasets/", acme.headers("owner"))["index"]
    testapp.delete(url, headers=acme.headers("owner"), status=204)
    assert not exists(factory, url)


# -- stubs clients need ----------------------------------------------------------------


def test_settings(testapp, acme, factory):
    url = create_dataset(testapp, acme.headers("alice"))
    acme.share(url, "alice", {"bob": {"view": True}})
    doc = read(testapp, url + "settings/", acme.headers("bob"))
    assert doc["element"] == "shoji:entity"
    assert doc["self"] == url + "settings/"
    assert doc["body"]["viewers_can_share"] is True
    assert doc["body"]["viewers_can_export"] is False
    assert doc["body"]["weight"] is None

    body = {"element": "shoji:entity", "body": {"viewers_can_export": True}}
    testapp.patch_json(url + "settings/", body, headers=acme.headers("alice"), status=204)
    assert (
        read(testapp, url + "settings/", acme.headers("bob"))["body"]["viewers_can_export"] is True
    )
    res = testapp.patch_json(
        url + "settings/", {"colour": "red"}, headers=acme.headers("alice"), status=400
    )
    assert "colour" in res.json["message"]
    testapp.patch_json(
        url + "settings/", {"viewers_can_share": "no"}, headers=acme.headers("alice"), status=400
    )
    testapp.patch_json(
        url + "settings/", {"viewers_can_export": False}, headers=acme.headers("bob"), status=403
    )
    testapp.get(url + "settings/", headers=acme.headers("carol"), status=404)
    assert (
        read(testapp, url + "settings/", acme.headers("bob"))["body"]["viewers_can_export"] is True
    )


def test_preferences_are_per_user(testapp, acme):
    url = create_dataset(testapp, acme.headers("alice"))
    acme.share(url, "alice", {"bob": {"view": True}})
    assert read(testapp, url + "preferences/", acme.headers("bob"))["body"] == {}
    testapp.patch_json(
        url + "preferences/",
        {"weight": "w", "theme": "dark"},
        headers=acme.headers("bob"),
        status=204,
    )
    assert read(testapp, url + "preferences/", acme.headers("bob"))["body"] == {
        "weight": "w",
        "theme": "dark",
    }
    assert read(testapp, url + "preferences/", acme.headers("alice"))["body"] == {}
    wrapped = {"element": "shoji:entity", "body": {"theme": None}}
    testapp.patch_json(url + "preferences/", wrapped, headers=acme.headers("bob"), status=204)
    assert read(testapp, url + "preferences/", acme.headers("bob"))["body"] == {"weight": "w"}
    testapp.get(url + "preferences/", headers=acme.headers("carol"), status=404)


def test_variables_and_folders_stubs_answer(testapp, acme):
    url = create_dataset(testapp, acme.headers("alice"))
    variables = read(testapp, url + "variables/", acme.headers("alice"))
    assert variables["element"] == "shoji:catalog"
    assert variables["index"] == {}
    assert variables["self"] == url + "variables/"
    folders = read(testapp, url + "folders/", acme.headers("alice"))
    assert folders["element"] == "shoji:catalog"
    assert folders["index"] == {}
    assert set(folders["catalogs"]) >= {"public", "personal", "hidden"}
    testapp.get(url + "variables/", headers=acme.headers("bob"), status=404)
    testapp.get(url + "folders/", headers=acme.headers("bob"), status=404)


def test_folders_stub_has_an_empty_graph(testapp, acme):
    url = create_dataset(testapp, acme.headers("alice"))
    assert read(testapp, url + "folders/", acme.headers("alice"))["graph"] == []
