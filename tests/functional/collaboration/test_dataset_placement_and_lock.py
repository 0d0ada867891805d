"""Issue 7 (security review), part b: datasets and projects.

Item 2: one rule puts a dataset into a project, whichever way (``project``,
``owner``, the project's ``index``, creation with a ``project``).  Item 8:
bounded dataset and project fields.  Item 11: a sub-project belongs to its
parent's account.  Item 12: the edit lock holds on every path that edits.
Item 21: an invited user who may create datasets can be handed some.
"""

import pytest

from tests.factories import acme_and_other
from tests.functional.helpers import create_dataset, id_of, read

FULL = {"view": True, "edit": True, "change_permissions": True}
EDIT_ONLY = {"view": True, "edit": True, "change_permissions": False}
URL_BASE = "https://app.example.com/password/change/${token}/"


@pytest.fixture
def acme(factory):
    """Acme: owner (admin), alice and dave (editors), bob and carol
    (standard); Other: outsider (an editor) and other_owner."""
    return acme_and_other(factory, outsider_roles=("editor",))


def create_project(testapp, headers, name="Project", parent=None):
    body = {"element": "shoji:entity", "body": {"name": name}}
    return testapp.post_json(
        parent or "/api/projects/", body, headers=headers, status=201
    ).location


def share(testapp, dataset_url, grants, headers):
    index = {ref: {"dataset_permissions": flags} for ref, flags in grants.items()}
    testapp.patch_json(dataset_url + "permissions/", index, headers=headers, status=204)


def add_member(testapp, project_url, user_url, headers, edit=True):
    body = {user_url: {"permissions": {"edit": edit}}}
    testapp.patch_json(project_url + "members/", body, headers=headers, status=204)


def take_lock(testapp, dataset_url, acme, name):
    body = {"current_editor": acme.url(name)}
    testapp.patch_json(dataset_url, body, headers=acme.headers(name), status=204)


def stored(factory, dataset_url, attr):
    return factory.read(lambda root: getattr(root.datasets[id_of(dataset_url)], attr))


def move_by_index(testapp, project_url, dataset_url, headers, status):
    body = {"element": "shoji:entity", "body": {}, "index": {dataset_url: {}}}
    return testapp.patch_json(project_url, body, headers=headers, status=status)


# -- item 2 ----------------------------------------------------------------------


def test_item07_02_dataset_project_move_needs_change_permissions(testapp, acme, factory):
    """An editor without change_permissions cannot hijack the dataset into a
    project of their own, by any of the three ways."""
    dataset = create_dataset(testapp, acme.headers("alice"), "Crown jewels")
    share(testapp, dataset, {acme.url("dave"): {"edit": True}}, acme.headers("alice"))
    mine = create_project(testapp, acme.headers("dave"), "Dave's")
    take_lock(testapp, dataset, acme, "dave")

    for body in ({"project": mine}, {"owner": mine}):
        res = testapp.patch_json(dataset, body, headers=acme.headers("dave"), status=403)
        assert "change_permissions" in res.json["message"]
    move_by_index(testapp, mine, dataset, acme.headers("dave"), 403)
    assert stored(factory, dataset, "project_id") is None
    assert read(testapp, dataset, acme.headers("dave"))["body"]["permissions"] == EDIT_ONLY

    # The owner's revocation still ends dave's access.
    testapp.patch_json(
        dataset + "permissions/",
        {acme.url("dave"): None},
        headers=acme.headers("alice"),
        status=204,
    )
    testapp.get(dataset, headers=acme.headers("dave"), status=404)


@pytest.mark.parametrize("way", ["project", "owner", "index"])
def test_item07_02_each_way_moves_with_change_permissions_and_project_edit(
    testapp, acme, factory, way
):
    dataset = create_dataset(testapp, acme.headers("alice"), "Movable")
    share(
        testapp,
        dataset,
        {acme.url("dave"): {"edit": True, "change_permissions": True}},
        acme.headers("alice"),
    )
    target = create_project(testapp, acme.headers("dave"), "Target")
    take_lock(testapp, dataset, acme, "dave")
    if way == "index":
        move_by_index(testapp, target, dataset, acme.headers("dave"), 204)
    else:
        testapp.patch_json(dataset, {way: target}, headers=acme.headers("dave"), status=204)
    assert stored(factory, dataset, "project_id") == id_of(target)
    assert stored(factory, dataset, "owner_id") == acme.id("alice")


def test_item07_02_collaborator_cannot_move_into_a_project_of_another_account(
    testapp, acme, factory
):
    """A collaborator from Other, even with change_permissions, cannot put
    Acme's dataset into an Other project (whose people it would reach)."""
    dataset = create_dataset(testapp, acme.headers("alice"), "Acme data")
    share(testapp, dataset, {acme.url("outsider"): FULL}, acme.headers("alice"))
    theirs = create_project(testapp, acme.headers("outsider"), "Other's")
    take_lock(testapp, dataset, acme, "outsider")

    for body in ({"project": theirs}, {"owner": theirs}):
        res = testapp.patch_json(dataset, body, headers=acme.headers("outsider"), status=400)
        assert res.json["errors"][0]["name"] in ("project", "owner")
    res = move_by_index(testapp, theirs, dataset, acme.headers("outsider"), 400)
    assert "another account" in res.json["message"]
    assert stored(factory, dataset, "project_id") is None


def test_item07_02_creation_into_a_project_follows_the_same_rule(testapp, acme, factory):
    """A dataset made by a collaborator belongs to the collaborator's account,
    so it cannot be created into an Acme project it edits."""
    project = create_project(testapp, acme.headers("alice"), "Acme project")
    add_member(testapp, project, acme.url("outsider"), acme.headers("alice"))
    add_member(testapp, project, acme.url("bob"), acme.headers("alice"), edit=False)
    body = {"element": "shoji:entity", "body": {"name": "Sneaky", "project": project}}
    testapp.post_json("/api/datasets/", body, headers=acme.headers("outsider"), status=400)
    dave_body = {"element": "shoji:entity", "body": {"name": "Dave's", "project": project}}
    testapp.post_json("/api/datasets/", dave_body, headers=acme.headers("dave"), status=403)
    assert read(testapp, project, acme.headers("alice"))["index"] == {}
    made = create_dataset(testapp, acme.headers("alice"), "Fine", project=project)
    assert stored(factory, made, "project_id") == id_of(project)


# -- item 8 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "n" * 256),
        ("name", "bell\x07"),
        ("description", "d" * 4097),
        ("notes", "n" * 4097),
        ("start_date", "2" * 256),
    ],
)
def test_item07_08_dataset_fields_are_bounded(testapp, acme, factory, field, value):
    body = {"name": "Bounded", field: value}
    res = testapp.post_json("/api/datasets/", body, headers=acme.headers("alice"), status=400)
    assert res.json["errors"][0]["name"] == field
    assert factory.read(lambda root: len(root.datasets)) == 0

    url = create_dataset(testapp, acme.headers("alice"), "Bounded")
    res = testapp.patch_json(url, {field: value}, headers=acme.headers("alice"), status=400)
    assert res.json["errors"][0]["name"] == field
    if field != "notes":  # notes are not catalog-editable
        catalog = {"element": "shoji:catalog", "index": {url: {field: value}}}
        res = testapp.patch_json(
            "/api/datasets/", catalog, headers=acme.headers("alice"), status=400
        )
        assert res.json["errors"][0]["name"] == field
    assert stored(factory, url, "name") == "Bounded"


def test_item07_08_dataset_settings_and_preferences_are_capped(testapp, acme, factory):
    """A viewer grew Data.fs by 11 MB of dataset preferences: now 16 KB each."""
    url = create_dataset(testapp, acme.headers("alice"), "Capped")
    share(testapp, url, {acme.url("bob"): {"view": True}}, acme.headers("alice"))
    big = {"blob": "x" * 17_000}
    res = testapp.patch_json(url + "preferences/", big, headers=acme.headers("bob"), status=400)
    assert res.json["errors"][0]["name"] == "preferences"
    small = {f"k{i}": "x" * 1000 for i in range(10)}
    testapp.patch_json(url + "preferences/", small, headers=acme.headers("bob"), status=204)
    more = {f"m{i}": "x" * 1000 for i in range(10)}  # the total counts, not each request
    testapp.patch_json(url + "preferences/", more, headers=acme.headers("bob"), status=400)
    assert read(testapp, url + "preferences/", acme.headers("bob"))["body"] == small

    res = testapp.patch_json(
        url + "settings/",
        {"weight": {"w": "x" * 17_000}},
        headers=acme.headers("alice"),
        status=400,
    )
    assert res.json["errors"][0]["name"] == "weight"
    assert read(testapp, url + "settings/", acme.headers("alice"))["body"]["weight"] is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "p" * 256), ("description", "d" * 4097), ("icon_url", "h" * 4097)],
)
def test_item07_08_project_fields_are_bounded(testapp, acme, factory, field, value):
    body = {"name": "Bounded", field: value}
    res = testapp.post_json("/api/projects/", body, headers=acme.headers("alice"), status=400)
    assert res.json["errors"][0]["name"] == field
    url = create_project(testapp, acme.headers("alice"), "Bounded")
    res = testapp.patch_json(url, {field: value}, headers=acme.headers("alice"), status=400)
    assert res.json["errors"][0]["name"] == field
    res = testapp.post_json(url, body, headers=acme.headers("alice"), status=400)
    assert res.json["errors"][0]["name"] == field
    doc = read(testapp, url, acme.headers("alice"))
    assert (doc["body"]["name"], doc["index"]) == ("Bounded", {})


# -- item 11 ---------------------------------------------------------------------


def test_item07_11_sub_project_belongs_to_the_parents_account(testapp, acme, factory):
    parent = create_project(testapp, acme.headers("alice"), "Acme parent")
    add_member(testapp, parent, acme.url("outsider"), acme.headers("alice"))
    child = create_project(testapp, acme.headers("outsider"), "By a collaborator", parent=parent)

    account = factory.read(lambda root: root.projects[id_of(child)].account_id)
    assert account == acme.account_id
    # Acme's owner (an admin, no member of either project) sees and manages it.
    doc = read(testapp, child, acme.headers("owner"))
    assert doc["body"]["account"] == factory.account_url(acme.account_id)
    assert doc["body"]["permissions"]["edit"] is True
    assert child in read(testapp, "/api/account/projects/", acme.headers("owner"))["index"]
    assert read(testapp, child, acme.headers("alice"))["catalogs"]["project"] == parent
    # Other's admin does not.
    testapp.get(child, headers=acme.headers("other_owner"), status=404)
    assert (
        child not in read(testapp, "/api/account/projects/", acme.headers("other_owner"))["index"]
    )

    # The parent's owner owns it; the collaborator is an editor member whom
    # removal shuts out (an owner would keep edit whatever the members say).
    assert read(testapp, child, acme.headers("alice"))["body"]["owner"] == acme.url("alice")
    assert read(testapp, child, acme.headers("outsider"))["body"]["permissions"]["edit"] is True
    for project in (child, parent):
        testapp.patch_json(
            project + "members/",
            {acme.url("outsider"): None},
            headers=acme.headers("alice"),
            status=204,
        )
    testapp.get(child, headers=acme.headers("outsider"), status=404)


# -- item 12 ---------------------------------------------------------------------


@pytest.fixture
def locked(testapp, acme):
    """A dataset alice created (she holds the lock), dave edits it with
    change_permissions and edits a project ``target``."""
    url = create_dataset(testapp, acme.headers("alice"), "Locked")
    share(
        testapp,
        url,
        {acme.url("dave"): {"edit": True, "change_permissions": True}},
        acme.headers("alice"),
    )
    target = create_project(testapp, acme.headers("dave"), "Target")
    return url, target


def test_item07_12_edit_lock_holds_on_every_path(testapp, acme, factory, locked):
    url, target = locked
    catalog = {"element": "shoji:catalog", "index": {url: {"name": "Renamed"}}}
    attempts = [
        lambda status: testapp.patch_json(
            "/api/datasets/", catalog, headers=acme.headers("dave"), status=status
        ),
        lambda status: testapp.patch_json(
            url, {"name": "Renamed"}, headers=acme.headers("dave"), status=status
        ),
        lambda status: testapp.patch_json(
            url + "settings/",
            {"viewers_can_export": True},
            headers=acme.headers("dave"),
            status=status,
        ),
        lambda status: move_by_index(testapp, target, url, acme.headers("dave"), status),
        lambda status: testapp.delete(url, headers=acme.headers("dave"), status=status),
    ]
    for attempt in attempts:
        assert "current editor" in attempt(409).json["message"]
    assert stored(factory, url, "name") == "Locked"
    assert stored(factory, url, "project_id") is None
    assert (
        read(testapp, url + "settings/", acme.headers("dave"))["body"]["viewers_can_export"]
        is False
    )

    # With the lock taken, each path works.
    take_lock(testapp, url, acme, "dave")
    for attempt in attempts:
        attempt(204)
    assert factory.read(lambda root: id_of(url) in root.datasets) is False


def test_item07_12_a_removed_holder_binds_nobody(testapp, acme, factory, locked):
    url, _ = locked
    take_lock(testapp, url, acme, "dave")
    testapp.patch_json(
        "/api/account/users/", {acme.url("dave"): None}, headers=acme.headers("owner"), status=200
    )
    catalog = {url: {"description": "Carried on"}}
    testapp.patch_json("/api/datasets/", catalog, headers=acme.headers("alice"), status=204)
    testapp.delete(url, headers=acme.headers("owner"), status=204)


# -- item 21 ---------------------------------------------------------------------


def invite_editor(testapp, acme, email):
    body = {"element": "shoji:entity", "body": {"email": email, "roles": ["editor"]}}
    res = testapp.post_json("/api/account/users/", body, headers=acme.headers("owner"), status=201)
    return res.location


def test_item07_21_invited_editor_can_be_made_owner(testapp, acme, factory, inbox):
    invitee = invite_editor(testapp, acme, "invitee-21@example.com")
    assert read(testapp, invitee, acme.headers("owner"))["body"]["status"] == "pending"

    handed = create_dataset(testapp, acme.headers("alice"), "Handed over")
    testapp.patch_json(handed, {"owner": invitee}, headers=acme.headers("alice"), status=204)
    assert stored(factory, handed, "owner_id") == id_of(invitee)

    # An admin hands everything of dave's to the invitee before they log in.
    reassigned = create_dataset(testapp, acme.headers("dave"), "Dave's")
    testapp.post_json(
        f"/api/users/{acme.id('dave')}/reassign/",
        {"owner": invitee},
        headers=acme.headers("owner"),
        status=204,
    )
    assert stored(factory, reassigned, "owner_id") == id_of(invitee)
    owned = factory.read(lambda root: set(root.users[id_of(invitee)].ids("owned_dataset_ids")))
    assert owned == {id_of(handed), id_of(reassigned)}

    # An invited standard user (no create_datasets) still cannot own one.
    body = {"element": "shoji:entity", "body": {"email": "standard-21@example.com"}}
    standard = testapp.post_json(
        "/api/account/users/", body, headers=acme.headers("owner"), status=201
    ).location
    kept = create_dataset(testapp, acme.headers("alice"), "Kept")
    testapp.patch_json(kept, {"owner": standard}, headers=acme.headers("alice"), status=400)
    assert stored(factory, kept, "owner_id") == acme.id("alice")
