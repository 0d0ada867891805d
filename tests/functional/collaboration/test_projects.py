"""Projects (reference crunch-api.md §7): nested folders of datasets shared
with users and teams as ``edit`` or ``view`` members.

Covered: creation (wrapped and bare), sub-projects made by POST on a project
(the entity's ``index`` + ``graph``, ``catalogs.project`` pointing at the
parent or at ``/api/projects/``, ``path``), members (users, teams, emails;
``edit``/``view``; removing oneself is 400), the ``users`` catalog (direct
and through teams), the ``datasets`` catalog, moving a dataset in with an
``index`` PATCH (needs edit on both), reordering with ``graph`` (every child
or 400) and the ``order`` document, DELETE (409 while not empty; 204 by the
owner or an account admin; 403 for other editors) and inheritance (members of
a member team, members of a parent project).

Each test gets a fresh database (see ``conftest.app``) and makes its own accounts.
"""

import itertools
import re

import pytest

from tests.factories import acme_and_other
from tests.functional.helpers import URL_BASE, create_dataset, create_team, id_of, read

BASE = "http://localhost"
PROJECT_URL = re.compile(r"http://localhost/api/projects/[0-9a-f]+/")
_emails = itertools.count(1)


def create_project(testapp, headers, name="Project", parent=None, bare=False, **fields):
    body = {"name": name, **fields}
    if not bare:
        body = {"element": "shoji:entity", "body": body}
    res = testapp.post_json(parent or "/api/projects/", body, headers=headers, status=201)
    assert PROJECT_URL.fullmatch(res.location), res.location
    return res.location


def patch_members(testapp, project_url, index, headers, status=204):
    return testapp.patch_json(project_url + "members/", index, headers=headers, status=status)


def project_of_dataset(factory, dataset_url):
    return factory.read(lambda root: root.datasets[id_of(dataset_url)].project_id)


def exists(factory, container, url):
    return factory.read(lambda root: id_of(url) in getattr(root, container))


VIEW = {"permissions": {"edit": False}}
EDIT = {"permissions": {"edit": True}}


@pytest.fixture
def acme(factory):
    """Account ``Acme``: its owner (admin), two dataset creators (alice, dave)
    and two standard users (bob, carol); ``outsider`` is in another account."""
    return acme_and_other(factory, outsider_roles=("editor",))


# -- creation and the entity ---------------------------------------------------


@pytest.mark.parametrize("bare", [False, True], ids=["wrapped", "bare"])
def test_create_a_project(testapp, acme, bare):
    url = create_project(
        testapp, acme.headers("alice"), "Tracking", bare=bare, description="Waves"
    )
    doc = read(testapp, url, acme.headers("alice"))
    assert doc["element"] == "shoji:entity"
    assert doc["self"] == url
    body = doc["body"]
    assert body["id"] == id_of(url)
    assert body["name"] == "Tracking"
    assert body["description"] == "Waves"
    assert body["type"] == "project"
    assert body["path"] == "Tracking"
    assert body["permissions"] == {"view": True, "edit": True}
    assert body["owner"] == acme.url("alice")
    assert body["account"] == f"{BASE}/api/accounts/{acme.account_id}/"
    assert doc["index"] == {} and doc["graph"] == []
    assert doc["catalogs"]["project"] == f"{BASE}/api/projects/"
    for name in ("members", "users", "datasets"):
        assert doc["catalogs"][name] == f"{url}{name}/"
    assert doc["orders"]["order"] == url + "order/"

    # The creator is its first member, an editor.
    members = read(testapp, url + "members/", acme.headers("alice"))["index"]
    assert set(members) == {acme.url("alice")}
    assert members[acme.url("alice")]["permissions"] == {"edit": True, "view": True}
    assert members[acme.url("alice")]["collaborator"] is False

    catalog = read(testapp, "/api/projects/", acme.headers("alice"))
    assert catalog["self"] == f"{BASE}/api/projects/"
    assert catalog["body"]["name"] == "Projects catalog"
    assert set(catalog["index"]) == {url}
    assert catalog["index"][url]["type"] == "project"
    assert catalog["index"][url]["permissions"] == {"view": True, "edit": True}

    # Nobody else sees it.
    assert read(testapp, "/api/projects/", acme.headers("bob"))["index"] == {}
    testapp.get(url, headers=acme.headers("bob"), status=404)
    testapp.get(url, headers=acme.headers("outsider"), status=404)
    testapp.get(url, status=401)


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": 1}, {"name": "P", "description": 3}, {"name": "P", "colour": 1}],
    ids=["no-name", "empty-name", "name-not-string", "description-not-string", "unknown"],
)
def test_bad_project_post_is_400_and_creates_nothing(testapp, acme, factory, body):
    testapp.post_json("/api/projects/", body, headers=acme.headers("alice"), status=400)
    owned = factory.read(lambda root: set(root.users[acme.alice].ids("owned_project_ids")))
    assert owned == set()
    assert read(testapp, "/api/projects/", acme.headers("alice"))["index"] == {}


def test_sub_projects_are_made_by_post_on_the_project(testapp, acme):
    parent = create_project(testapp, acme.headers("alice"), "Parent")
    child = create_project(testapp, acme.headers("alice"), "Child", parent=parent)
    grandchild = create_project(
        testapp, acme.headers("alice"), "Grandchild", parent=child, bare=True
    )

    doc = read(testapp, parent, acme.headers("alice"))
    assert list(doc["index"]) == [child]
    assert doc["index"][child]["type"] == "project"
    assert doc["index"][child]["name"] == "Child"
    assert doc["graph"] == [child]
    assert doc["body"]["subproject_count"] == 1

    child_doc = read(testapp, child, acme.headers("alice"))
    assert child_doc["catalogs"]["project"] == parent
    assert child_doc["body"]["path"] == "Parent|Child"
    assert (
        read(testapp, grandchild, acme.headers("alice"))["body"]["path"]
        == "Parent|Child|Grandchild"
    )
    assert read(testapp, grandchild, acme.headers("alice"))["catalogs"]["project"] == child

    # The catalog lists every project the caller can reach.
    index = read(testapp, "/api/projects/", acme.headers("alice"))["index"]
    assert set(index) == {parent, child, grandchild}


def test_sub_project_post_needs_edit_on_the_parent(testapp, acme, factory):
    parent = create_project(testapp, acme.headers("alice"), "Parent")
    patch_members(testapp, parent, {acme.url("bob"): VIEW}, acme.headers("alice"))
    body = {"element": "shoji:entity", "body": {"name": "Nope"}}
    testapp.post_json(parent, body, headers=acme.headers("bob"), status=403)
    testapp.post_json(parent, body, headers=acme.headers("carol"), status=404)
    testapp.post_json(parent, body, headers=acme.headers("outsider"), status=404)
    assert read(testapp, parent, acme.headers("alice"))["index"] == {}

    patch_members(testapp, parent, {acme.url("bob"): EDIT}, acme.headers("alice"))
    child = create_project(testapp, acme.headers("bob"), "By Bob", parent=parent)
    assert read(testapp, child, acme.headers("bob"))["body"]["owner"] == acme.url("bob")


# -- entity PATCH ----------------------------------------------------------------


def test_editors_rename_viewers_get_403_others_404(testapp, acme):
    url = create_project(testapp, acme.headers("alice"), "Before")
    patch_members(
        testapp, url, {acme.url("bob"): VIEW, acme.url("dave"): EDIT}, acme.headers("alice")
    )

    testapp.patch_json(url, {"name": "By Bob"}, headers=acme.headers("bob"), status=403)
    testapp.patch_json(url, {"name": "By Carol"}, headers=acme.headers("carol"), status=404)
    assert read(testapp, url, acme.headers("bob"))["body"]["name"] == "Before"
    assert read(testapp, url, acme.headers("bob"))["body"]["permissions"] == {
        "view": True,
        "edit": False,
    }

    wrapped = {"element": "shoji:entity", "body": {"name": "After", "description": "D"}}
    testapp.patch_json(url, wrapped, headers=acme.headers("dave"), status=204)
    body = read(testapp, url, acme.headers("bob"))["body"]
    assert (body["name"], body["description"]) == ("After", "D")
    # The account admin has implicit edit on the account's projects.
    testapp.patch_json(url, {"name": "Admin"}, headers=acme.headers("owner"), status=204)
    assert read(testapp, url, acme.headers("owner"))["body"]["permissions"]["edit"] is True


@pytest.mark.parametrize(
    "body", [{"name": ""}, {"description": 1}, {"owner": "x"}, {"name": "x", "bogus": 1}]
)
def test_bad_project_patch_is_400(testapp, acme, body):
    url = create_project(testapp, acme.headers("alice"), "Kept")
    testapp.patch_json(url, body, headers=acme.headers("alice"), status=400)
    assert read(testapp, url, acme.headers("alice"))["body"]["name"] == "Kept"


# -- members -------------------------------------------------------------------


def test_members_users_teams_and_emails(testapp, acme, factory, inbox):
    # Inviting someone new into the account takes alter_users (issue 7 item 3).
    factory.write(lambda root: setattr(root.users[acme.id("alice")], "roles", ("administrator",)))
    url = create_project(testapp, acme.headers("alice"), "Shared")
    team = create_team(testapp, acme.headers("carol"), "Carol's team")
    invitee = f"project-invitee-{next(_emails)}@example.com"
    body = {
        "element": "shoji:catalog",
        "index": {
            acme.url("bob"): {},
            factory.email_of(acme.dave): EDIT,
            team: VIEW,
            acme.url("outsider"): VIEW,
            invitee: {},
        },
        "send_notification": True,
        "url_base": URL_BASE,
    }
    patch_members(testapp, url, body, acme.headers("alice"))

    index = read(testapp, url + "members/", acme.headers("alice"))["index"]
    assert index[acme.url("bob")]["permissions"] == {"edit": False, "view": True}
    assert index[acme.url("dave")]["permissions"] == {"edit": True, "view": True}
    assert index[team] == {"name": "Carol's team", "permissions": {"edit": False, "view": True}}
    assert index[acme.url("outsider")]["collaborator"] is True
    assert index[acme.url("bob")]["collaborator"] is False
    assert index[acme.url("bob")]["email"] == factory.email_of(acme.bob)

    # The unknown email became a pending user of the inviter's account, mailed.
    new = factory.read(
        lambda root: (lambda u: (u.__name__, u.status, u.account_id))(
            root.users.find_by_email(invitee)
        )
    )
    assert new[1:] == ("pending", acme.account_id)
    assert index[factory.user_url(new[0])]["permissions"] == {"edit": False, "view": True}
    assert [m["To"] for m in inbox.wait_for(1)] == [invitee]

    # Every member can now see the project; a team member through the team.
    for name in ("bob", "dave", "carol", "outsider"):
        testapp.get(url, headers=acme.headers(name), status=200)

    # Promote, demote and remove in one bare PATCH.
    patch_members(
        testapp,
        url,
        {acme.url("bob"): EDIT, acme.url("dave"): VIEW, team: None, acme.url("outsider"): None},
        acme.headers("alice"),
    )
    index = read(testapp, url + "members/", acme.headers("alice"))["index"]
    assert index[acme.url("bob")]["permissions"]["edit"] is True
    assert index[acme.url("dave")]["permissions"]["edit"] is False
    assert team not in index and acme.url("outsider") not in index
    testapp.get(url, headers=acme.headers("carol"), status=404)
    testapp.get(url, headers=acme.headers("outsider"), status=404)
    assert id_of(url) not in factory.read(lambda r: set(r.teams[id_of(team)].ids("project_ids")))


def test_removing_yourself_is_400(testapp, acme):
    url = create_project(testapp, acme.headers("alice"))
    patch_members(testapp, url, {acme.url("dave"): EDIT}, acme.headers("alice"))
    res = patch_members(testapp, url, {acme.url("alice"): None}, acme.headers("alice"), status=400)
    assert res.json["message"]
    patch_members(testapp, url, {acme.url("dave"): None}, acme.headers("dave"), status=400)
    index = read(testapp, url + "members/", acme.headers("alice"))["index"]
    assert set(index) == {acme.url("alice"), acme.url("dave")}
    # Someone else may remove you.
    patch_members(testapp, url, {acme.url("dave"): None}, acme.headers("alice"))
    testapp.get(url, headers=acme.headers("dave"), status=404)


@pytest.mark.parametrize(
    "index",
    [
        {"nobody-here@example.com": None},
        {"not a reference": {}},
        {f"{BASE}/api/users/0000/": {}},
        {f"{BASE}/api/teams/0000/": {}},
        {"{bob}": {"permissions": {"edit": "yes"}}},
        {"{bob}": {"permissions": []}},
        {"{bob}": "edit"},
    ],
    ids=[
        "remove-unknown-email",
        "garbage",
        "unknown-user",
        "unknown-team",
        "edit-not-bool",
        "permissions-not-object",
        "tuple-not-object",
    ],
)
def test_bad_members_patch_is_400(testapp, acme, index):
    url = create_project(testapp, acme.headers("alice"))
    index = {k.replace("{bob}", acme.url("bob")): v for k, v in index.items()}
    patch_members(testapp, url, index, acme.headers("alice"), status=400)
    assert set(read(testapp, url + "members/", acme.headers("alice"))["index"]) == {
        acme.url("alice")
    }


def test_members_patch_needs_edit(testapp, acme):
    url = create_project(testapp, acme.headers("alice"))
    patch_members(testapp, url, {acme.url("bob"): VIEW}, acme.headers("alice"))
    patch_members(testapp, url, {acme.url("carol"): {}}, acme.headers("bob"), status=403)
    patch_members(testapp, url, {acme.url("bob"): EDIT}, acme.headers("bob"), status=403)
    patch_members(testapp, url, {acme.url("carol"): {}}, acme.headers("carol"), status=404)
    patch_members(testapp, url, {acme.url("carol"): {}}, acme.headers("outsider"), status=404)
    index = read(testapp, url + "members/", acme.headers("bob"))["index"]
    assert set(index) == {acme.url("alice"), acme.url("bob")}
    assert index[acme.url("bob")]["permissions"]["edit"] is False


def test_users_catalog_lists_direct_and_team_access(testapp, acme):
    url = create_project(testapp, acme.headers("alice"))
    team = create_team(testapp, acme.headers("carol"), "Carol's team")
    testapp.patch_json(
        team + "members/", {acme.url("outsider"): {}}, headers=acme.headers("carol"), status=204
    )
    patch_members(testapp, url, {acme.url("bob"): VIEW, team: EDIT}, acme.headers("alice"))

    doc = read(testapp, url + "users/", acme.headers("bob"))
    assert doc["self"] == url + "users/"
    index = doc["index"]
    assert set(index) == {acme.url(n) for n in ("alice", "bob", "carol", "outsider")}
    assert index[acme.url("alice")]["teams"] == []
    assert index[acme.url("bob")]["teams"] == []
    assert index[acme.url("bob")]["permissions"] == {"view": True, "edit": False}
    assert index[acme.url("carol")]["teams"] == [team]
    assert index[acme.url("carol")]["permissions"] == {"view": True, "edit": True}
    assert index[acme.url("outsider")]["collaborator"] is True
    assert index[acme.url("carol")]["collaborator"] is False
    testapp.get(url + "users/", headers=acme.headers("dave"), status=404)


def test_users_catalog_of_a_sub_project_includes_parent_members(testapp, acme):
    parent = create_project(testapp, acme.headers("alice"), "Parent")
    child = create_project(testapp, acme.headers("alice"), "Child", parent=parent)
    patch_members(testapp, parent, {acme.url("bob"): EDIT}, acme.headers("alice"))
    assert read(testapp, child, acme.headers("bob"))["body"]["permissions"]["edit"] is True
    index = read(testapp, child + "users/", acme.headers("alice"))["index"]
    assert acme.url("bob") in index


# -- datasets in projects ----------------------------------------------------------


def test_datasets_catalog_and_creation_into_a_project(testapp, acme):
    url = create_project(testapp, acme.headers("alice"))
    patch_members(testapp, url, {acme.url("bob"): VIEW}, acme.headers("alice"))
    inside = create_dataset(testapp, acme.headers("alice"), "Inside", project=url)
    create_dataset(testapp, acme.headers("alice"), "Outside")

    doc = read(testapp, url + "datasets/", acme.headers("bob"))
    assert doc["self"] == url + "datasets/"
    assert set(doc["index"]) == {inside}
    assert doc["index"][inside]["permissions"] == {
        "view": True,
        "edit": False,
        "change_permissions": False,
    }
    assert doc["index"][inside]["project"] == url
    entity = read(testapp, inside, acme.headers("bob"))
    assert entity["catalogs"]["project"] == url
    assert entity["catalogs"]["parent"] == url + "datasets/"
    assert entity["body"]["project_name"] == "Project"
    project_doc = read(testapp, url, acme.headers("bob"))
    assert project_doc["index"][inside]["type"] == "dataset"
    assert project_doc["graph"] == [inside]

    # Creating into a project needs edit on it.
    body = {"element": "shoji:entity", "body": {"name": "X", "project": url}}
    testapp.post_json("/api/datasets/", body, headers=acme.headers("dave"), status=403)
    patch_members(testapp, url, {acme.url("dave"): VIEW}, acme.headers("alice"))
    testapp.post_json("/api/datasets/", body, headers=acme.headers("dave"), status=403)
    assert set(read(testapp, url + "datasets/", acme.headers("alice"))["index"]) == {inside}


def test_patch_index_moves_a_dataset_into_the_project(testapp, acme, factory):
    source = create_project(testapp, acme.headers("alice"), "Source")
    target = create_project(testapp, acme.headers("alice"), "Target")
    dataset = create_dataset(testapp, acme.headers("alice"), "Mover", project=source)

    body = {"element": "shoji:entity", "body": {}, "index": {dataset: {}}}
    testapp.patch_json(target, body, headers=acme.headers("alice"), status=204)

    assert project_of_dataset(factory, dataset) == id_of(target)
    assert set(read(testapp, target + "datasets/", acme.headers("alice"))["index"]) == {dataset}
    assert read(testapp, source + "datasets/", acme.headers("alice"))["index"] == {}
    assert read(testapp, source, acme.headers("alice"))["graph"] == []
    assert read(testapp, target, acme.headers("alice"))["graph"] == [dataset]
    assert read(testapp, dataset, acme.headers("alice"))["body"]["project"] == target
    # Ownership stays with the dataset's owner.
    assert read(testapp, dataset, acme.headers("alice"))["body"]["owner"] == acme.url("alice")


def test_moving_needs_edit_on_dataset_and_project(testapp, acme, factory):
    target = create_project(testapp, acme.headers("alice"), "Target")
    mine = create_dataset(testapp, acme.headers("dave"), "Dave's")
    body = {"element": "shoji:entity", "body": {}, "index": {mine: {}}}

    # Bob edits the dataset but only views the project: 403.
    acme.share(mine, "dave", {"bob": {"edit": True}})
    patch_members(testapp, target, {acme.url("bob"): VIEW}, acme.headers("alice"))
    testapp.patch_json(target, body, headers=acme.headers("bob"), status=403)
    # Carol edits the project but only views the dataset: 403.
    acme.share(mine, "dave", {"carol": {"view": True}})
    patch_members(testapp, target, {acme.url("carol"): EDIT}, acme.headers("alice"))
    testapp.patch_json(target, body, headers=acme.headers("carol"), status=403)
    # Dave edits the dataset and is no member of the project: 404.
    testapp.patch_json(target, body, headers=acme.headers("dave"), status=404)
    assert project_of_dataset(factory, mine) is None

    # Edit on both: moved.
    patch_members(testapp, target, {acme.url("dave"): EDIT}, acme.headers("alice"))
    testapp.patch_json(target, body, headers=acme.headers("dave"), status=204)
    assert project_of_dataset(factory, mine) == id_of(target)


def test_patch_index_with_something_else_is_400(testapp, acme, factory):
    target = create_project(testapp, acme.headers("alice"))
    body = {"element": "shoji:entity", "body": {}, "index": {acme.url("bob"): {}}}
    testapp.patch_json(target, body, headers=acme.headers("alice"), status=400)
    # A project cannot be moved into itself or into its own descendant.
    child = create_project(testapp, acme.headers("alice"), "Child", parent=target)
    body = {"element": "shoji:entity", "body": {}, "index": {target: {}}}
    testapp.patch_json(child, body, headers=acme.headers("alice"), status=400)
    testapp.patch_json(target, body, headers=acme.headers("alice"), status=400)
    assert read(testapp, child, acme.headers("alice"))["catalogs"]["project"] == target


def test_sub_project_moves_between_projects(testapp, acme):
    one = create_project(testapp, acme.headers("alice"), "One")
    two = create_project(testapp, acme.headers("alice"), "Two")
    child = create_project(testapp, acme.headers("alice"), "Child", parent=one)
    body = {"element": "shoji:entity", "body": {}, "index": {child: {}}}
    testapp.patch_json(two, body, headers=acme.headers("alice"), status=204)
    assert read(testapp, one, acme.headers("alice"))["index"] == {}
    assert list(read(testapp, two, acme.headers("alice"))["index"]) == [child]
    assert read(testapp, child, acme.headers("alice"))["body"]["path"] == "Two|Child"


# -- ordering ----------------------------------------------------------------------


@pytest.fixture
def three_children(testapp, acme):
    """A project holding a sub-project, a dataset and another sub-project."""
    url = create_project(testapp, acme.headers("alice"), "Ordered")
    first = create_project(testapp, acme.headers("alice"), "First", parent=url)
    dataset = create_dataset(testapp, acme.headers("alice"), "Middle", project=url)
    last = create_project(testapp, acme.headers("alice"), "Last", parent=url)
    return url, [first, dataset, last]


def test_graph_patch_reorders_children(testapp, acme, three_children):
    url, children = three_children
    assert read(testapp, url, acme.headers("alice"))["graph"] == children
    wanted = list(reversed(children))
    body = {"element": "shoji:entity", "body": {}, "graph": wanted}
    testapp.patch_json(url, body, headers=acme.headers("alice"), status=204)
    doc = read(testapp, url, acme.headers("alice"))
    assert doc["graph"] == wanted
    assert list(doc["index"]) == wanted


@pytest.mark.parametrize(
    "make_graph",
    [
        lambda c: c[:2],
        lambda c: [*c, c[0]],
        lambda c: [*c[:2], f"{BASE}/api/datasets/0000/"],
        lambda c: "not a list",
        lambda c: [1, 2, 3],
    ],
    ids=["missing-child", "duplicate", "unknown-child", "not-a-list", "not-urls"],
)
def test_graph_must_list_every_child_exactly_once(testapp, acme, three_children, make_graph):
    url, children = three_children
    body = {"element": "shoji:entity", "body": {}, "graph": make_graph(children)}
    res = testapp.patch_json(url, body, headers=acme.headers("alice"), status=400)
    assert res.json["message"]
    assert read(testapp, url, acme.headers("alice"))["graph"] == children


def test_failed_graph_undoes_the_index_move_of_the_same_patch(testapp, acme, factory):
    url = create_project(testapp, acme.headers("alice"), "Atomic")
    old = create_dataset(testapp, acme.headers("alice"), "Old", project=url)
    new = create_dataset(testapp, acme.headers("alice"), "New")
    body = {"element": "shoji:entity", "body": {"name": "Renamed"}, "index": {new: {}}}
    body["graph"] = [old]  # does not list the dataset being moved in
    testapp.patch_json(url, body, headers=acme.headers("alice"), status=400)
    assert project_of_dataset(factory, new) is None
    doc = read(testapp, url, acme.headers("alice"))
    assert doc["graph"] == [old]
    assert doc["body"]["name"] == "Atomic"

    body["graph"] = [new, old]
    testapp.patch_json(url, body, headers=acme.headers("alice"), status=204)
    assert read(testapp, url, acme.headers("alice"))["graph"] == [new, old]


def test_order_document_get_and_put(testapp, acme, three_children):
    url, children = three_children
    patch_members(testapp, url, {acme.url("bob"): VIEW}, acme.headers("alice"))
    order = read(testapp, url + "order/", acme.headers("bob"))
    assert order["element"] == "shoji:order"
    assert order["self"] == url + "order/"
    assert order["graph"] == children

    wanted = [children[1], children[2], children[0]]
    body = {"element": "shoji:order", "graph": wanted}
    testapp.put_json(url + "order/", body, headers=acme.headers("bob"), status=403)
    testapp.put_json(url + "order/", body, headers=acme.headers("carol"), status=404)
    testapp.put_json(
        url + "order/", {"graph": wanted[:2]}, headers=acme.headers("alice"), status=400
    )
    assert read(testapp, url + "order/", acme.headers("bob"))["graph"] == children

    testapp.put_json(url + "order/", body, headers=acme.headers("alice"), status=204)
    assert read(testapp, url + "order/", acme.headers("bob"))["graph"] == wanted
    assert read(testapp, url, acme.headers("bob"))["graph"] == wanted


# -- delete ------------------------------------------------------------------------


def test_delete_of_a_non_empty_project_is_409(testapp, acme, factory):
    with_dataset = create_project(testapp, acme.headers("alice"), "Has data")
    dataset = create_dataset(testapp, acme.headers("alice"), project=with_dataset)
    with_child = create_project(testapp, acme.headers("alice"), "Has child")
    create_project(testapp, acme.headers("alice"), "Child", parent=with_child)

    for url in (with_dataset, with_child):
        res = testapp.delete(url, headers=acme.headers("alice"), status=409)
        assert "move them first" in res.json["message"]
        assert res.json["status"] == "409 Conflict"
        testapp.delete(url, headers=acme.headers("owner"), status=409)
        assert exists(factory, "projects", url)
    # Datasets are never deleted with a project.
    assert exists(factory, "datasets", dataset)


def test_delete_empty_project_by_owner(testapp, acme, factory):
    url = create_project(testapp, acme.headers("alice"))
    team = create_team(testapp, acme.headers("carol"))
    patch_members(testapp, url, {acme.url("bob"): VIEW, team: EDIT}, acme.headers("alice"))
    testapp.delete(url, headers=acme.headers("alice"), status=204)
    testapp.get(url, headers=acme.headers("alice"), status=404)
    assert not exists(factory, "projects", url)
    assert read(testapp, "/api/projects/", acme.headers("bob"))["index"] == {}
    # Reverse links are gone too.
    assert factory.read(lambda root: set(root.users[acme.bob].ids("project_ids"))) == set()
    assert factory.read(lambda root: set(root.teams[id_of(team)].ids("project_ids"))) == set()
    assert factory.read(lambda r: set(r.users[acme.alice].ids("owned_project_ids"))) == set()


def test_delete_by_account_admin_and_403_for_other_editors(testapp, acme, factory):
    url = create_project(testapp, acme.headers("alice"))
    patch_members(
        testapp, url, {acme.url("dave"): EDIT, acme.url("bob"): VIEW}, acme.headers("alice")
    )
    res = testapp.delete(url, headers=acme.headers("dave"), status=403)
    assert res.json["message"]
    testapp.delete(url, headers=acme.headers("bob"), status=403)
    testapp.delete(url, headers=acme.headers("carol"), status=404)
    testapp.delete(url, headers=acme.headers("outsider"), status=404)
    assert exists(factory, "projects", url)
    testapp.delete(url, headers=acme.headers("owner"), status=204)
    assert not exists(factory, "projects", url)


def test_deleting_a_sub_project_leaves_the_parent_graph_consistent(testapp, acme):
    parent = create_project(testapp, acme.headers("alice"), "Parent")
    child = create_project(testapp, acme.headers("alice"), "Child", parent=parent)
    testapp.delete(child, headers=acme.headers("alice"), status=204)
    doc = read(testapp, parent, acme.headers("alice"))
    assert doc["index"] == {} and doc["graph"] == []
    assert doc["body"]["subproject_count"] == 0
    testapp.delete(parent, headers=acme.headers("alice"), status=204)


# -- inheritance ---------------------------------------------------------------------


def test_members_of_a_member_team_inherit_the_projects_datasets(testapp, acme):
    url = create_project(testapp, acme.headers("alice"))
    dataset = create_dataset(testapp, acme.headers("alice"), "Inherited", project=url)
    team = create_team(testapp, acme.headers("dave"), "Readers")
    testapp.patch_json(
        team + "members/", {acme.url("bob"): {}}, headers=acme.headers("dave"), status=204
    )
    testapp.get(dataset, headers=acme.headers("bob"), status=404)

    patch_members(testapp, url, {team: VIEW}, acme.headers("alice"))
    assert set(read(testapp, "/api/datasets/", acme.headers("bob"))["index"]) == {dataset}
    assert read(testapp, dataset, acme.headers("bob"))["body"]["permissions"]["edit"] is False
    assert set(read(testapp, "/api/projects/", acme.headers("bob"))["index"]) == {url}
    testapp.patch_json(dataset, {"description": "x"}, headers=acme.headers("bob"), status=403)

    # Making the team an editor gives its members edit on the datasets.
    patch_members(testapp, url, {team: EDIT}, acme.headers("alice"))
    perms = read(testapp, "/api/datasets/", acme.headers("bob"))["index"][dataset]["permissions"]
    assert perms == {"view": True, "edit": True, "change_permissions": True}

    # Leaving the team takes it away.
    testapp.patch_json(
        team + "members/", {acme.url("bob"): None}, headers=acme.headers("dave"), status=204
    )
    testapp.get(dataset, headers=acme.headers("bob"), status=404)


def test_sub_project_datasets_are_visible_to_parent_members(testapp, acme):
    parent = create_project(testapp, acme.headers("alice"), "Parent")
    child = create_project(testapp, acme.headers("alice"), "Child", parent=parent)
    grandchild = create_project(testapp, acme.headers("alice"), "Grandchild", parent=child)
    deep = create_dataset(testapp, acme.headers("alice"), "Deep", project=grandchild)
    patch_members(testapp, parent, {acme.url("bob"): VIEW}, acme.headers("alice"))

    assert set(read(testapp, "/api/datasets/", acme.headers("bob"))["index"]) == {deep}
    assert set(read(testapp, "/api/projects/", acme.headers("bob"))["index"]) == {
        parent,
        child,
        grandchild,
    }
    assert read(testapp, grandchild, acme.headers("bob"))["body"]["permissions"] == {
        "view": True,
        "edit": False,
    }
    assert set(read(testapp, grandchild + "datasets/", acme.headers("bob"))["index"]) == {deep}
    # Members of the sub-project only do not see the parent.
    patch_members(testapp, child, {acme.url("carol"): VIEW}, acme.headers("alice"))
    testapp.get(parent, headers=acme.headers("carol"), status=404)
    testapp.get(deep, headers=acme.headers("carol"), status=200)
