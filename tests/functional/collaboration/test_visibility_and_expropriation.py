"""Seed 004: who may see a user, the account admin views, and expropriation.

A user entity is visible to the user, to users of the same account, to users
who share a team with them (whatever their account) and to the admins of an
account the user collaborates on (a dataset, project or team of that account
was shared with them); everyone else gets 404.

The admin views (``/api/account/{datasets,projects,teams,collaborators}/``,
``/api/account/users/{id}/datasets/``, ``/api/users/{id}/visible_datasets/``)
answer 200 to admins and 403 to members.

Expropriation (``/expropriate/`` and ``/reassign/``, wrapped or bare body,
new owner by URL or email) moves every team, project and dataset in one
transaction and mails both owners; ``?dry_run=true`` only tells; a failure
halfway moves nothing.

Each test gets a fresh database (see ``conftest.app``) and makes its own accounts.
"""

import pytest

import crunchusers.domain.ownership
from tests.factories import Scene
from tests.functional.helpers import EDIT, FULL, VIEW, id_of, read

BASE = "http://localhost"


@pytest.fixture
def world(factory):
    """Account ``Acme``: owner (admin), admin (administrator role), alice and
    dave (editor role), bob (standard); account ``Other``: its owner ``oscar``
    and two users ``olga`` (editor role) and ``otto`` (standard)."""
    scene = Scene(factory)
    other = scene.add_account("Other", owner="oscar")
    scene.add("admin", roles=("administrator",))
    scene.add("alice", roles=("editor",))
    scene.add("dave", roles=("editor",))
    scene.add("bob")
    scene.add("olga", other, roles=("editor",))
    scene.add("otto", other)
    return scene


# -- visibility of users ------------------------------------------------------------


def test_user_sees_themselves_and_their_account(testapp, world):
    for viewer in ("bob", "alice", "owner", "admin"):
        body = read(testapp, world.url("bob"), world.headers(viewer))["body"]
        assert body["id"] == world.bob
    read(testapp, world.url("otto"), world.headers("otto"))
    testapp.get(world.url("bob"), status=401)


def test_users_of_another_account_are_404(testapp, world):
    for viewer in ("otto", "olga", "oscar"):
        res = testapp.get(world.url("bob"), headers=world.headers(viewer), status=404)
        assert world.email("bob") not in res.text
    testapp.get(world.url("otto"), headers=world.headers("bob"), status=404)
    testapp.get(world.url("otto"), headers=world.headers("owner"), status=404)


def test_team_co_members_see_each_other_across_accounts(testapp, world):
    team = world.create_team("alice", members=("otto",))
    read(testapp, world.url("alice"), world.headers("otto"))
    read(testapp, world.url("otto"), world.headers("alice"))
    # Only co-members: bob (same account as alice, not in the team) does not
    # see otto, nor otto bob.
    testapp.get(world.url("otto"), headers=world.headers("bob"), status=404)
    testapp.get(world.url("bob"), headers=world.headers("otto"), status=404)

    testapp.patch_json(
        team + "members/", {world.url("otto"): None}, headers=world.headers("alice"), status=204
    )
    testapp.get(world.url("alice"), headers=world.headers("otto"), status=404)


def test_admins_see_a_collaborator_on_their_datasets(testapp, world):
    dataset = world.create_dataset("alice")
    testapp.get(world.url("otto"), headers=world.headers("owner"), status=404)
    world.share(dataset, "alice", {"otto": {"view": True}})
    # Both admins of Acme now see otto, a collaborator; members do not.
    read(testapp, world.url("otto"), world.headers("owner"))
    read(testapp, world.url("otto"), world.headers("admin"))
    testapp.get(world.url("otto"), headers=world.headers("bob"), status=404)
    # Alice shared with him but is neither admin nor co-member.
    testapp.get(world.url("otto"), headers=world.headers("alice"), status=404)
    # The collaboration does not open Acme's users to him.
    testapp.get(world.url("bob"), headers=world.headers("otto"), status=404)
    # Revoking the share ends it.
    world.share(dataset, "alice", {"otto": None})
    testapp.get(world.url("otto"), headers=world.headers("owner"), status=404)


def test_admins_see_a_collaborator_on_their_projects(testapp, world):
    world.create_project("alice", members={"otto": {}})
    read(testapp, world.url("otto"), world.headers("admin"))
    testapp.get(world.url("otto"), headers=world.headers("bob"), status=404)


def test_admins_see_a_collaborator_who_reaches_a_dataset_through_a_team(testapp, world):
    # Alice (Acme) joins Oscar's team in Other and shares her dataset with it.
    team = world.create_team("oscar", members=("otto",))
    testapp.patch_json(
        team + "members/", {world.url("alice"): {}}, headers=world.headers("oscar"), status=204
    )
    dataset = world.create_dataset("alice")
    world.share(dataset, "alice", {team: {"view": True}})
    read(testapp, dataset, world.headers("otto"))
    collaborators = read(testapp, "/api/account/collaborators/", world.headers("owner"))["index"]
    assert world.url("otto") in collaborators
    read(testapp, world.url("otto"), world.headers("owner"))


# -- account admin views ------------------------------------------------------------


ADMIN_VIEWS = (
    "/api/account/datasets/",
    "/api/account/projects/",
    "/api/account/teams/",
    "/api/account/collaborators/",
)


@pytest.mark.parametrize("path", ADMIN_VIEWS)
def test_admin_views_are_403_for_members(testapp, world, path):
    for member in ("alice", "bob"):
        res = testapp.get(path, headers=world.headers(member), status=403)
        assert res.json["message"]
    for admin in ("owner", "admin"):
        testapp.get(path, headers=world.headers(admin), status=200)
    testapp.get(path, status=401)
    canonical = path.replace("/api/account/", f"/api/accounts/{world.account_id}/")
    testapp.get(canonical, headers=world.headers("admin"), status=200)
    testapp.get(canonical, headers=world.headers("bob"), status=403)
    testapp.get(canonical, headers=world.headers("oscar"), status=404)


def test_account_datasets_projects_teams_and_collaborators(testapp, world):
    secret = world.create_dataset("alice", "Secret")
    shared = world.create_dataset("dave", "Shared")
    foreign = world.create_dataset("olga", "Foreign")
    world.share(shared, "dave", {"otto": {"view": True}})
    project = world.create_project("alice", "Plan")
    team = world.create_team("dave", "Crew", members=("olga",))
    world.create_team("oscar", "Not ours")

    datasets = read(testapp, "/api/account/datasets/", world.headers("admin"))
    assert set(datasets["index"]) == {secret, shared}
    assert foreign not in datasets["index"]
    assert datasets["index"][secret]["permissions"] == FULL  # implicit edit
    assert datasets["index"][secret]["name"] == "Secret"

    projects = read(testapp, "/api/account/projects/", world.headers("admin"))["index"]
    assert set(projects) == {project}
    assert projects[project]["name"] == "Plan"
    assert projects[project]["id"] == id_of(project)
    assert projects[project]["owner"] == world.url("alice")

    teams = read(testapp, "/api/account/teams/", world.headers("admin"))["index"]
    assert teams == {team: {"id": id_of(team), "name": "Crew", "owner": world.url("dave")}}

    collaborators = read(testapp, "/api/account/collaborators/", world.headers("owner"))["index"]
    assert set(collaborators) == {world.url("otto"), world.url("olga")}
    assert collaborators[world.url("otto")] == {
        "name": world.email("otto"),
        "email": world.email("otto"),
        "active": True,
    }
    # Other's admin sees the reverse picture from their own account.
    theirs = read(testapp, "/api/account/datasets/", world.headers("oscar"))["index"]
    assert set(theirs) == {foreign}


def test_account_user_datasets_lists_what_the_user_owns(testapp, world):
    owned = {world.create_dataset("alice", "A1"), world.create_dataset("alice", "A2")}
    other = world.create_dataset("dave", "D1")
    world.share(other, "dave", {"alice": {"edit": True}})

    for path in (
        f"/api/account/users/{world.alice}/datasets/",
        f"/api/accounts/{world.account_id}/users/{world.alice}/datasets/",
    ):
        doc = read(testapp, path, world.headers("admin"))
        assert doc["element"] == "shoji:catalog"
        assert set(doc["index"]) == owned
        testapp.get(path, headers=world.headers("alice"), status=403)
        testapp.get(path, headers=world.headers("bob"), status=403)
    testapp.get(
        f"/api/accounts/{world.account_id}/users/{world.alice}/datasets/",
        headers=world.headers("oscar"),
        status=404,
    )
    # A user of another account is not a user of this account.
    testapp.get(
        f"/api/account/users/{world.otto}/datasets/",
        headers=world.headers("admin"),
        status=404,
    )


def test_visible_datasets_with_access_type_and_coalesced_permissions(testapp, world):
    team = world.create_team("dave", "Readers", members=("bob",))
    project = world.create_project("alice", "Plan", members={"bob": {}})
    by_team = world.create_dataset("dave", "By team")
    world.share(by_team, "dave", {team: {"view": True}})
    by_project = world.create_dataset("alice", "By project", project=project)
    direct = world.create_dataset("dave", "Direct")
    world.share(direct, "dave", {"bob": {"edit": True}})
    everything = world.create_dataset("alice", "Everything", project=project)
    world.share(everything, "alice", {team: {"view": True}, "bob": {"view": True}})
    world.create_dataset("alice", "Not for bob")
    archived = world.create_dataset("dave", "Archived", archived=True)
    world.share(archived, "dave", {"bob": {"view": True}})
    foreign = world.create_dataset("olga", "Foreign")
    world.share(foreign, "olga", {"bob": {"view": True}})

    url = f"/api/users/{world.bob}/visible_datasets/"
    doc = read(testapp, url, world.headers("admin"))
    assert doc["element"] == "shoji:catalog"
    index = doc["index"]
    assert set(index) == {by_team, by_project, direct, everything, archived, foreign}
    assert index[by_team]["access_type"] == {"teams": [team], "project": None, "direct": False}
    assert index[by_team]["permissions"] == VIEW
    assert index[by_project]["access_type"] == {"teams": [], "project": project, "direct": False}
    assert index[direct]["access_type"] == {"teams": [], "project": None, "direct": True}
    assert index[direct]["permissions"] == EDIT
    assert index[everything]["access_type"] == {
        "teams": [team],
        "project": project,
        "direct": True,
    }
    assert index[everything]["permissions"] == VIEW
    assert index[everything]["name"] == "Everything"
    assert index[archived]["archived"] is True
    assert "last_access_time" in index[archived]

    for member in ("bob", "alice"):
        testapp.get(url, headers=world.headers(member), status=403)
    # Bob collaborates on Other's dataset, so Other's admin sees him, but
    # only admins of his own account may list what he reaches.
    testapp.get(url, headers=world.headers("oscar"), status=403)
    testapp.get(url, headers=world.headers("otto"), status=404)
    testapp.get(url, status=401)


def test_visible_datasets_reflect_the_ceiling(testapp, world, factory):
    team = world.create_team("dave", "Editors", members=("bob",))
    dataset = world.create_dataset("dave")
    world.share(dataset, "dave", {team: {"edit": True}})
    uid = world.bob
    factory.write(
        lambda root: setattr(root.users[uid], "dataset_ceiling", {"view": True, "edit": False})
    )
    url = f"/api/users/{world.bob}/visible_datasets/"
    assert read(testapp, url, world.headers("owner"))["index"][dataset]["permissions"] == VIEW


# -- expropriation --------------------------------------------------------------------


@pytest.fixture
def estate(world, testapp):
    """Everything alice owns: a team, a project (with a sub-project) and three
    datasets (one in the project, one shared with bob and the team, one kept
    to herself; she holds the edit lock of all three); and a dataset dave
    already owns, which must stay his."""
    team = world.create_team("alice", "Alice's team", members=("bob",))
    project = world.create_project("alice", "Alice's project", members={"bob": {}})
    sub = world.create_project("alice", "Sub", parent=project)
    in_project = world.create_dataset("alice", "In project", project=project)
    shared = world.create_dataset("alice", "Shared")
    world.share(shared, "alice", {"bob": {"view": True}, team: {"view": True}})
    plain = world.create_dataset("alice", "Plain")
    daves = world.create_dataset("dave", "Dave's own")
    return {
        "teams": [team],
        "projects": sorted([project, sub], key=id_of),
        "datasets": sorted([in_project, shared, plain], key=id_of),
        "daves": daves,
        "bob_sees": {in_project, shared},
    }


def ownership(factory, estate):
    """Who owns each thing of the estate, and the owners' owned-id sets."""

    def snapshot(root):
        owners = {}
        for kind in ("teams", "projects", "datasets"):
            for url in estate[kind]:
                owners[url] = getattr(root, kind)[id_of(url)].owner_id
        owned = {
            user_id: {
                attr: set(user.ids(attr))
                for attr in ("owned_team_ids", "owned_project_ids", "owned_dataset_ids")
            }
            for user_id, user in ((u, root.users[u]) for u in set(owners.values()))
        }
        return owners, owned

    return factory.read(snapshot)


def all_owned_by(factory, estate, user_id):
    owners, _ = ownership(factory, estate)
    return set(owners.values()) == {user_id}


def reassign_alices_estate(world, owner_ref, who, status=204):
    """As ``who``, reassign all alice owns to ``owner_ref`` (URL or email)."""
    return world.testapp.post_json(
        f"/api/users/{world.alice}/reassign/",
        {"owner": owner_ref},
        headers=world.headers(who),
        status=status,
    )


ENDPOINTS = ("expropriate", "reassign")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("form", ["wrapped", "bare"])
@pytest.mark.parametrize("ref", ["url", "email"])
def test_expropriation_moves_everything(
    testapp, world, factory, estate, inbox, endpoint, form, ref
):
    owner_ref = world.url("dave") if ref == "url" else world.email("dave")
    body = {"owner": owner_ref}
    if form == "wrapped":
        body = {"element": "shoji:entity", "body": body}
    url = f"/api/users/{world.alice}/{endpoint}/"
    testapp.post_json(url, body, headers=world.headers("admin"), status=204)

    assert all_owned_by(factory, estate, world.dave)
    owners, owned = ownership(factory, estate)
    dave = owned[world.dave]
    assert {id_of(u) for u in estate["teams"]} <= dave["owned_team_ids"]
    assert {id_of(u) for u in estate["projects"]} <= dave["owned_project_ids"]
    assert {id_of(u) for u in estate["datasets"]} | {id_of(estate["daves"])} == dave[
        "owned_dataset_ids"
    ]
    alice_owned = factory.read(
        lambda root: {
            attr: set(root.users[world.alice].ids(attr))
            for attr in ("owned_team_ids", "owned_project_ids", "owned_dataset_ids")
        }
    )
    assert alice_owned == {
        "owned_team_ids": set(),
        "owned_project_ids": set(),
        "owned_dataset_ids": set(),
    }

    # The new owner can use what he owns: team admin, project editor, full
    # rights on the datasets.
    team = estate["teams"][0]
    members = read(testapp, team + "members/", world.headers("dave"))["index"]
    assert members[world.url("dave")]["permissions"] == {"team_admin": True}
    testapp.patch_json(team, {"name": "Dave's now"}, headers=world.headers("dave"), status=204)
    for project in estate["projects"]:
        assert read(testapp, project, world.headers("dave"))["body"]["permissions"]["edit"] is True
        assert read(testapp, project, world.headers("dave"))["body"]["owner"] == world.url("dave")
    catalog = read(testapp, "/api/datasets/", world.headers("dave"))["index"]
    for dataset in estate["datasets"]:
        assert catalog[dataset]["permissions"] == FULL
        assert catalog[dataset]["owner_id"] == world.url("dave")
        assert catalog[dataset]["current_editor"] is None  # alice's lock released
    # Shares made by alice stay.
    assert (
        set(read(testapp, "/api/datasets/", world.headers("bob"))["index"]) == estate["bob_sees"]
    )

    mails = inbox.wait_for(2)
    assert sorted(m["To"] for m in mails) == sorted([world.email("dave"), world.email("alice")])
    to_dave = next(m for m in mails if m["To"] == world.email("dave"))
    assert to_dave["Subject"] == "You are now an owner"
    to_alice = next(m for m in mails if m["To"] == world.email("alice"))
    assert "new owner" in to_alice["Subject"]


def test_an_inactive_old_owner_is_not_mailed(testapp, world, factory, estate, inbox):
    factory.write(lambda root: setattr(root.users[world.alice], "status", "inactive"))
    reassign_alices_estate(world, world.url("dave"), "owner")
    assert all_owned_by(factory, estate, world.dave)
    assert [m["To"] for m in inbox.wait_for(1)] == [world.email("dave")]
    assert len(inbox.messages) == 1  # mail is sent at commit, before the response


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_dry_run_lists_what_would_move_and_changes_nothing(
    testapp, world, factory, estate, inbox, endpoint
):
    before = ownership(factory, estate)
    url = f"/api/users/{world.alice}/{endpoint}/?dry_run=true"
    res = testapp.post_json(
        url, {"owner": world.email("dave")}, headers=world.headers("admin"), status=200
    )
    assert res.json["element"] == "shoji:view"
    value = res.json["value"]
    assert value["owner"] == world.url("dave")
    assert value["teams"] == estate["teams"]
    assert value["projects"] == estate["projects"]
    assert value["datasets"] == estate["datasets"]
    assert ownership(factory, estate) == before
    assert all_owned_by(factory, estate, world.alice)
    assert inbox.messages == []  # mail is sent at commit, before the response
    # A dry run still checks the new owner.
    testapp.post_json(url, {"owner": world.url("bob")}, headers=world.headers("admin"), status=400)


def test_only_an_admin_of_the_account_may_expropriate(testapp, world, factory, estate, inbox):
    before = ownership(factory, estate)
    url = f"/api/users/{world.alice}/reassign/"
    body = {"owner": world.url("dave")}
    for member in ("bob", "dave", "alice"):
        res = testapp.post_json(url, body, headers=world.headers(member), status=403)
        assert res.json["message"]
    testapp.post_json(url, body, headers=world.headers("oscar"), status=404)
    testapp.post_json(url, body, headers=world.headers("otto"), status=404)
    testapp.post_json(url, body, status=401)
    testapp.post_json(url + "?dry_run=true", body, headers=world.headers("bob"), status=403)
    assert ownership(factory, estate) == before
    assert inbox.messages == []


@pytest.mark.parametrize(
    "target",
    [
        "other-account",
        "inactive",
        "locked",
        "no-create-datasets",
        "themselves",
        "unknown",
        "none",
    ],
)
def test_new_owner_must_be_an_active_dataset_creator_of_the_account(
    testapp, world, factory, estate, inbox, target
):
    if target == "other-account":
        ref = world.url("olga")
    elif target == "inactive":
        ref = factory.user_url(
            factory.user(world.account_id, roles=("editor",), status="inactive")
        )
    elif target == "locked":  # an invited (pending) editor may receive: issue 7 item 21
        locked = factory.user(world.account_id, roles=("editor",), status="locked")
        ref = factory.email_of(locked)
    elif target == "no-create-datasets":
        ref = world.email("bob")
    elif target == "themselves":
        ref = world.url("alice")
    elif target == "unknown":
        ref = "nobody-home@example.com"
    else:
        ref = None
    before = ownership(factory, estate)
    res = testapp.post_json(
        f"/api/users/{world.alice}/expropriate/",
        {"element": "shoji:entity", "body": {"owner": ref}},
        headers=world.headers("admin"),
        status=400,
    )
    assert res.json["message"]
    assert ownership(factory, estate) == before
    assert inbox.messages == []


def test_a_failure_halfway_moves_nothing(testapp, world, factory, estate, inbox, monkeypatch):
    real = crunchusers.domain.ownership.hand_over
    calls = []

    def failing_hand_over(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("injected failure")
        return real(*args, **kwargs)

    monkeypatch.setattr(crunchusers.domain.ownership, "hand_over", failing_hand_over)
    before = ownership(factory, estate)
    team_members = factory.read(lambda root: dict(root.teams[id_of(estate["teams"][0])].members))

    res = reassign_alices_estate(world, world.url("dave"), "admin", status=500)
    assert res.json["message"]
    assert len(calls) == 2  # the first move really happened before the failure

    assert ownership(factory, estate) == before
    assert all_owned_by(factory, estate, world.alice)
    daves = factory.read(lambda root: set(root.users[world.dave].ids("owned_dataset_ids")))
    assert daves == {id_of(estate["daves"])}
    after_members = factory.read(lambda root: dict(root.teams[id_of(estate["teams"][0])].members))
    assert after_members == team_members
    assert world.dave not in after_members
    assert inbox.messages == []  # mail is sent at commit, before the response

    # Without the failure the same request goes through.
    monkeypatch.setattr(crunchusers.domain.ownership, "hand_over", real)
    reassign_alices_estate(world, world.url("dave"), "admin")
    assert all_owned_by(factory, estate, world.dave)


def test_user_entity_links_to_reassign(testapp, world):
    fragments = read(testapp, world.url("alice"), world.headers("admin"))["fragments"]
    assert fragments["reassign"] == world.url("alice") + "reassign/"
    assert fragments["expropriate"] == world.url("alice") + "expropriate/"


def test_a_removed_users_things_can_be_reassigned(testapp, world, factory, estate, inbox):
    """Seed 000: what a removed user created stays; seed 004: an admin hands it on."""
    testapp.patch_json(
        "/api/account/users/",
        {"element": "shoji:catalog", "index": {world.url("alice"): None}},
        headers=world.headers("owner"),
        status=200,
    )
    assert all_owned_by(factory, estate, world.alice)
    inbox.messages.clear()
    reassign_alices_estate(world, world.email("dave"), "admin")
    assert all_owned_by(factory, estate, world.dave)
    assert [m["To"] for m in inbox.wait_for(1)] == [world.email("dave")]
    assert len(inbox.messages) == 1  # the removed user gets no mail
