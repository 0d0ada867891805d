"""Teams (reference crunch-api.md §6): catalog, creation, entity, members and
the datasets shared with a team.

Rules checked: the catalog lists only the caller's own teams; the creator of a
team is its first member, with ``team_admin``; members see the team, others
get 404 (even users of another account); only team admins rename, delete and
manage members (403 for plain members); members are keyed by user URL or by
email, and an unknown email invites a new (pending) user into the caller's
account; ``{}`` adds a plain member, ``team_admin`` (or its old name
``manage_members``) promotes, ``null`` removes — and a removed member loses
the team and every dataset shared with it.

Each test gets a fresh database (see ``conftest.app``) and makes its own accounts.
"""

import itertools
import re

import pytest

from tests.factories import Scene
from tests.functional.helpers import LINK, URL_BASE, create_dataset, id_of, read

BASE = "http://localhost"
TEAM_URL = re.compile(r"http://localhost/api/teams/[0-9a-f]+/")
_emails = itertools.count(1)


def new_email(tag="new"):
    return f"{tag}-{next(_emails)}@teams.example.com"


def create_team(testapp, headers, name="Analysts", bare=False):
    """Wrapped by default, and checks the URL (unlike ``helpers.create_team``)."""
    body = {"name": name} if bare else {"element": "shoji:entity", "body": {"name": name}}
    res = testapp.post_json("/api/teams/", body, headers=headers, status=201)
    assert TEAM_URL.fullmatch(res.location), res.location
    return res.location


def patch_members(testapp, team_url, index, headers, status=204, **options):
    body = {"element": "shoji:catalog", "index": index, **options}
    return testapp.patch_json(team_url + "members/", body, headers=headers, status=status)


def members(testapp, team_url, headers):
    return testapp.get(team_url + "members/", headers=headers, status=200).json["index"]


def team_ids_of(factory, user_id):
    return factory.read(lambda root: set(root.users[user_id].team_ids))


@pytest.fixture
def acme(factory):
    """An account with its owner (an admin), a team creator and two plain users,
    plus a user of another account; all logged in lazily."""
    scene = Scene(factory)
    other_account = scene.add_account("Other", owner="other_owner")
    scene.add("alice", roles=("editor",))
    scene.add("bob")
    scene.add("carol")
    scene.add("outsider", other_account, roles=("editor",))
    return scene


# -- catalog and creation ----------------------------------------------------


def test_catalog_lists_only_the_callers_teams(testapp, acme):
    mine = create_team(testapp, acme.headers("alice"), "Alice's team")
    theirs = create_team(testapp, acme.headers("bob"), "Bob's team")
    foreign = create_team(testapp, acme.headers("outsider"), "Foreign team")

    catalog = testapp.get("/api/teams/", headers=acme.headers("alice"), status=200).json
    assert catalog["element"] == "shoji:catalog"
    assert catalog["self"] == f"{BASE}/api/teams/"
    assert set(catalog["index"]) == {mine}
    entry = catalog["index"][mine]
    assert entry["name"] == "Alice's team"
    assert entry["permissions"] == {"team_admin": True}
    assert entry["owner"] == acme.url("alice")

    # Bob adds Alice as a plain member: she now lists it, without team_admin.
    patch_members(testapp, theirs, {acme.url("alice"): {}}, acme.headers("bob"))
    index = testapp.get("/api/teams/", headers=acme.headers("alice"), status=200).json["index"]
    assert set(index) == {mine, theirs}
    assert index[theirs]["permissions"] == {"team_admin": False}
    assert foreign not in index

    # A user in no team gets an empty catalog, not an error.
    assert (
        testapp.get("/api/teams/", headers=acme.headers("carol"), status=200).json["index"] == {}
    )


@pytest.mark.parametrize("bare", [False, True], ids=["wrapped", "bare"])
def test_post_makes_the_creator_a_team_admin_member(testapp, acme, bare):
    team_url = create_team(testapp, acme.headers("alice"), "  Field team ", bare=bare)
    alice = read(testapp, acme.url("alice"), acme.headers("alice"))["body"]
    assert members(testapp, team_url, acme.headers("alice")) == {
        acme.url("alice"): {
            "name": alice["name"],
            "email": alice["email"],
            "permissions": {"team_admin": True},
        }
    }
    entity = testapp.get(team_url, headers=acme.headers("alice"), status=200).json
    assert entity["element"] == "shoji:entity"
    assert entity["self"] == team_url
    assert entity["body"]["id"] == id_of(team_url)
    assert entity["body"]["name"] == "Field team"
    assert entity["body"]["creator"] == acme.url("alice")
    assert entity["catalogs"] == {
        "members": team_url + "members/",
        "datasets": team_url + "datasets/",
    }


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": "   "}, {"name": 3}, {"name": "T", "colour": "red"}],
    ids=["no-name", "empty", "blank", "not-a-string", "unknown-field"],
)
def test_post_with_a_bad_body_is_400_and_creates_nothing(testapp, acme, factory, body):
    res = testapp.post_json("/api/teams/", body, headers=acme.headers("alice"), status=400)
    assert res.json["message"]
    assert team_ids_of(factory, acme.alice) == set()


def test_anonymous_is_401_on_teams(testapp, acme):
    team_url = create_team(testapp, acme.headers("alice"))
    testapp.get("/api/teams/", status=401)
    testapp.post_json("/api/teams/", {"name": "x"}, status=401)
    testapp.get(team_url, status=401)
    testapp.get(team_url + "members/", status=401)


# -- entity ------------------------------------------------------------------


def test_entity_is_visible_to_members_and_404_to_everyone_else(testapp, acme):
    team_url = create_team(testapp, acme.headers("alice"))
    patch_members(testapp, team_url, {acme.url("bob"): {}}, acme.headers("alice"))

    assert testapp.get(team_url, headers=acme.headers("bob"), status=200).json["self"] == team_url
    # A user of the same account who is not a member, and users of another
    # account (even its owner), learn nothing.
    for name in ("carol", "outsider", "other_owner"):
        res = testapp.get(team_url, headers=acme.headers(name), status=404)
        assert res.json["message"]
        testapp.get(team_url + "members/", headers=acme.headers(name), status=404)
        testapp.get(team_url + "datasets/", headers=acme.headers(name), status=404)
    # The account's admin has implicit rights over the account's teams.
    testapp.get(team_url, headers=acme.headers("owner"), status=200)


def test_team_admin_renames_and_plain_member_is_403(testapp, acme, factory):
    team_url = create_team(testapp, acme.headers("alice"), "Before")
    patch_members(testapp, team_url, {acme.url("bob"): {}}, acme.headers("alice"))

    wrapped = {"element": "shoji:entity", "body": {"name": "By Bob"}}
    res = testapp.patch_json(team_url, wrapped, headers=acme.headers("bob"), status=403)
    assert res.json["message"]
    testapp.patch_json(team_url, {"name": "By Carol"}, headers=acme.headers("carol"), status=404)
    testapp.patch_json(
        team_url, {"name": "By Outsider"}, headers=acme.headers("outsider"), status=404
    )
    assert read(testapp, team_url, acme.headers("bob"))["body"]["name"] == "Before"

    wrapped["body"]["name"] = "After"
    testapp.patch_json(team_url, wrapped, headers=acme.headers("alice"), status=204)
    assert read(testapp, team_url, acme.headers("bob"))["body"]["name"] == "After"
    testapp.patch_json(team_url, {"name": "Bare"}, headers=acme.headers("alice"), status=204)
    index = read(testapp, "/api/teams/", acme.headers("bob"))["index"]
    assert index[team_url]["name"] == "Bare"

    # A promoted member may rename it too.
    patch_members(
        testapp,
        team_url,
        {acme.url("bob"): {"permissions": {"team_admin": True}}},
        acme.headers("alice"),
    )
    testapp.patch_json(team_url, {"name": "By Bob"}, headers=acme.headers("bob"), status=204)


@pytest.mark.parametrize("body", [{"name": ""}, {"owner": "x"}, {"name": None}])
def test_bad_team_patch_is_400(testapp, acme, body):
    team_url = create_team(testapp, acme.headers("alice"), "Kept")
    testapp.patch_json(team_url, body, headers=acme.headers("alice"), status=400)
    assert read(testapp, team_url, acme.headers("alice"))["body"]["name"] == "Kept"


def test_delete_by_team_admin_and_403_for_a_plain_member(testapp, acme, factory):
    team_url = create_team(testapp, acme.headers("alice"))
    patch_members(testapp, team_url, {acme.url("bob"): {}}, acme.headers("alice"))

    testapp.delete(team_url, headers=acme.headers("bob"), status=403)
    testapp.delete(team_url, headers=acme.headers("carol"), status=404)
    testapp.delete(team_url, headers=acme.headers("outsider"), status=404)
    testapp.get(team_url, headers=acme.headers("bob"), status=200)

    testapp.delete(team_url, headers=acme.headers("alice"), status=204)
    testapp.get(team_url, headers=acme.headers("alice"), status=404)
    assert read(testapp, "/api/teams/", acme.headers("bob"))["index"] == {}
    # Both sides of the membership are gone.
    assert team_ids_of(factory, acme.alice) == set()
    assert team_ids_of(factory, acme.bob) == set()


def test_deleting_a_team_removes_its_dataset_shares(testapp, acme):
    team_url = create_team(testapp, acme.headers("alice"))
    patch_members(testapp, team_url, {acme.url("bob"): {}}, acme.headers("alice"))
    dataset_url = create_dataset(testapp, acme.headers("alice"))
    share = {team_url: {"dataset_permissions": {"view": True}}}
    testapp.patch_json(
        dataset_url + "permissions/", share, headers=acme.headers("alice"), status=204
    )
    testapp.get(dataset_url, headers=acme.headers("bob"), status=200)

    testapp.delete(team_url, headers=acme.headers("alice"), status=204)
    testapp.get(dataset_url, headers=acme.headers("bob"), status=404)
    perms = read(testapp, dataset_url + "permissions/", acme.headers("alice"))["index"]
    assert team_url not in perms


# -- members -----------------------------------------------------------------


@pytest.mark.parametrize("form", ["wrapped", "bare"])
def test_members_patch_by_user_url_adds_promotes_and_removes(testapp, acme, factory, form):
    team_url = create_team(testapp, acme.headers("alice"))

    def patch(index, status=204, **options):
        body = (
            {"element": "shoji:catalog", "self": team_url + "members/", "index": index}
            if form == "wrapped"
            else dict(index)
        )
        body.update(options)
        return testapp.patch_json(
            team_url + "members/", body, headers=acme.headers("alice"), status=status
        )

    # {} adds a plain member; two members in one request.
    patch({acme.url("bob"): {}, acme.url("carol"): {"permissions": {"team_admin": True}}})
    index = members(testapp, team_url, acme.headers("alice"))
    assert index[acme.url("bob")]["permissions"] == {"team_admin": False}
    assert index[acme.url("carol")]["permissions"] == {"team_admin": True}
    assert set(index) == {acme.url(n) for n in ("alice", "bob", "carol")}
    assert index[acme.url("bob")]["email"] == factory.email_of(acme.bob)
    assert acme.bob in factory.read(lambda root: set(root.teams[id_of(team_url)].members))
    assert id_of(team_url) in team_ids_of(factory, acme.bob)

    # The old name of the flag still works, in both directions.
    patch({acme.url("bob"): {"permissions": {"manage_members": True}}})
    assert members(testapp, team_url, acme.headers("bob"))[acme.url("bob")]["permissions"] == {
        "team_admin": True
    }
    patch({acme.url("bob"): {"permissions": {"team_admin": False}}})
    assert not members(testapp, team_url, acme.headers("bob"))[acme.url("bob")]["permissions"][
        "team_admin"
    ]
    # {} on an existing member keeps its flag.
    patch({acme.url("carol"): {}})
    assert members(testapp, team_url, acme.headers("alice"))[acme.url("carol")]["permissions"] == {
        "team_admin": True
    }

    # null removes; options such as send_notification are not member keys.
    patch({acme.url("bob"): None}, send_notification=False)
    assert acme.url("bob") not in members(testapp, team_url, acme.headers("alice"))
    assert team_ids_of(factory, acme.bob) == set()


def test_members_patch_by_email_of_existing_users(testapp, acme, factory):
    team_url = create_team(testapp, acme.headers("alice"))
    bob_email = factory.email_of(acme.bob).upper()  # emails match casefolded
    outsider_email = factory.email_of(acme.outsider)
    testapp.patch_json(
        team_url + "members/",
        {bob_email: {}, outsider_email: {"permissions": {"team_admin": True}}},
        headers=acme.headers("alice"),
        status=204,
    )
    index = members(testapp, team_url, acme.headers("alice"))
    assert index[acme.url("bob")]["permissions"] == {"team_admin": False}
    # A user of another account can be a member: it stays in its account.
    assert index[acme.url("outsider")]["permissions"] == {"team_admin": True}
    assert factory.read(lambda r: r.users[acme.outsider].account_id) == acme.other_account_id
    testapp.get(team_url, headers=acme.headers("outsider"), status=200)

    testapp.patch_json(
        team_url + "members/", {bob_email: None}, headers=acme.headers("alice"), status=204
    )
    assert acme.url("bob") not in members(testapp, team_url, acme.headers("alice"))


@pytest.mark.parametrize("form", ["wrapped", "bare"])
def test_members_patch_with_an_unknown_email_invites_a_new_user(
    testapp, acme, factory, inbox, form
):
    # Inviting someone new into the account takes alter_users (issue 7 item 3).
    factory.write(lambda root: setattr(root.users[acme.id("alice")], "roles", ("administrator",)))
    team_url = create_team(testapp, acme.headers("alice"), "Newcomers")
    email = new_email("invitee")
    tuple_ = {"permissions": {"team_admin": False}}
    if form == "wrapped":
        body = {
            "element": "shoji:catalog",
            "index": {email: tuple_},
            "send_notification": True,
            "url_base": URL_BASE,
        }
    else:
        body = {email: tuple_, "send_notification": True, "url_base": URL_BASE}
    testapp.patch_json(team_url + "members/", body, headers=acme.headers("alice"), status=204)

    mail = inbox.wait_for(1)
    assert [m["To"] for m in mail] == [email]
    assert LINK.search(mail[0].text)

    def new_user(root):
        user = root.users.find_by_email(email)
        return user.__name__, user.account_id, user.status, tuple(user.roles)

    user_id, account_id, status, roles = factory.read(new_user)
    assert account_id == acme.account_id  # the inviter's account
    assert status == "pending"
    assert roles == ("standard",)
    index = members(testapp, team_url, acme.headers("alice"))
    assert index[factory.user_url(user_id)]["permissions"] == {"team_admin": False}
    assert index[factory.user_url(user_id)]["email"] == email


def test_invite_link_lets_the_new_member_in(testapp, acme, factory, inbox):
    # Inviting someone new into the account takes alter_users (issue 7 item 3).
    factory.write(lambda root: setattr(root.users[acme.id("alice")], "roles", ("administrator",)))
    team_url = create_team(testapp, acme.headers("alice"))
    email = new_email("joiner")
    testapp.patch_json(
        team_url + "members/",
        {email: {}, "url_base": URL_BASE},
        headers=acme.headers("alice"),
        status=204,
    )
    token = LINK.search(inbox.wait_for(1)[0].text).group(1)
    testapp.post_json(
        "/api/public/password_change/",
        {"token": token, "password": "tall ships at dawn"},
        status=204,
    )
    headers = factory.login(email, "tall ships at dawn")
    index = testapp.get("/api/teams/", headers=headers, status=200).json["index"]
    assert set(index) == {team_url}


@pytest.mark.parametrize(
    "make_body",
    [
        lambda a, t: {a.url("bob"): {"permissions": {"team_admin": "yes"}}},
        lambda a, t: {a.url("bob"): {"permissions": ["team_admin"]}},
        lambda a, t: {a.url("bob"): "admin"},
        lambda a, t: {new_email("ghost"): None},
        lambda a, t: {"not-an-email": {}},
        lambda a, t: {f"{BASE}/api/users/0000/": {}},
        lambda a, t: {t: {}},
        lambda a, t: {a.url("bob"): {}, "bad@": {}},
    ],
    ids=[
        "flag-not-bool",
        "permissions-not-object",
        "tuple-not-object",
        "remove-unknown-email",
        "not-a-reference",
        "unknown-user",
        "team-as-member",
        "invalid-email",
    ],
)
def test_bad_members_patch_is_400_and_changes_nothing(testapp, acme, factory, inbox, make_body):
    team_url = create_team(testapp, acme.headers("alice"))
    res = testapp.patch_json(
        team_url + "members/", make_body(acme, team_url), headers=acme.headers("alice"), status=400
    )
    assert res.json["message"]
    assert set(members(testapp, team_url, acme.headers("alice"))) == {acme.url("alice")}
    assert team_ids_of(factory, acme.bob) == set()
    assert inbox.messages == []


def test_members_patch_by_plain_member_is_403_and_by_non_member_404(testapp, acme, factory):
    team_url = create_team(testapp, acme.headers("alice"))
    patch_members(testapp, team_url, {acme.url("bob"): {}}, acme.headers("alice"))

    add_carol = {acme.url("carol"): {}}
    res = patch_members(testapp, team_url, add_carol, acme.headers("bob"), status=403)
    assert res.json["message"]
    patch_members(testapp, team_url, {acme.url("bob"): None}, acme.headers("carol"), status=404)
    patch_members(testapp, team_url, add_carol, acme.headers("outsider"), status=404)
    promote = {acme.url("bob"): {"permissions": {"team_admin": True}}}
    patch_members(testapp, team_url, promote, acme.headers("bob"), status=403)

    index = members(testapp, team_url, acme.headers("alice"))
    assert set(index) == {acme.url("alice"), acme.url("bob")}
    assert index[acme.url("bob")]["permissions"] == {"team_admin": False}
    # Members may read the member list.
    assert set(members(testapp, team_url, acme.headers("bob"))) == set(index)


def test_account_admin_manages_members_of_the_accounts_teams(testapp, acme):
    team_url = create_team(testapp, acme.headers("alice"))
    patch_members(testapp, team_url, {acme.url("carol"): {}}, acme.headers("owner"))
    assert acme.url("carol") in members(testapp, team_url, acme.headers("alice"))
    # ... but admin rights over one account give nothing over another's teams.
    patch_members(
        testapp, team_url, {acme.url("bob"): {}}, acme.headers("other_owner"), status=404
    )


def test_removed_member_loses_the_team_and_its_datasets(testapp, acme):
    team_url = create_team(testapp, acme.headers("alice"))
    patch_members(testapp, team_url, {acme.url("bob"): {}}, acme.headers("alice"))
    dataset_url = create_dataset(testapp, acme.headers("alice"), "Team data")
    testapp.patch_json(
        dataset_url + "permissions/",
        {"element": "shoji:catalog", "index": {team_url: {"dataset_permissions": {"view": True}}}},
        headers=acme.headers("alice"),
        status=204,
    )
    testapp.get(dataset_url, headers=acme.headers("bob"), status=200)
    assert dataset_url in read(testapp, "/api/datasets/", acme.headers("bob"))["index"]

    patch_members(testapp, team_url, {acme.url("bob"): None}, acme.headers("alice"))

    testapp.get(team_url, headers=acme.headers("bob"), status=404)
    testapp.get(team_url + "datasets/", headers=acme.headers("bob"), status=404)
    testapp.get(dataset_url, headers=acme.headers("bob"), status=404)
    assert read(testapp, "/api/datasets/", acme.headers("bob"))["index"] == {}
    assert read(testapp, "/api/teams/", acme.headers("bob"))["index"] == {}


def test_member_may_leave_a_team_only_through_an_admin(testapp, acme):
    """Removing oneself is a members PATCH like any other: plain members may
    not (403), a team admin may remove themselves."""
    team_url = create_team(testapp, acme.headers("alice"))
    patch_members(testapp, team_url, {acme.url("bob"): {}}, acme.headers("alice"))
    patch_members(testapp, team_url, {acme.url("bob"): None}, acme.headers("bob"), status=403)
    patch_members(testapp, team_url, {acme.url("alice"): None}, acme.headers("alice"))
    testapp.get(team_url, headers=acme.headers("alice"), status=404)


# -- datasets shared with a team ----------------------------------------------


def test_team_datasets_catalog_lists_what_is_shared_with_the_team(testapp, acme):
    team_url = create_team(testapp, acme.headers("alice"))
    patch_members(testapp, team_url, {acme.url("bob"): {}}, acme.headers("alice"))
    shared = create_dataset(testapp, acme.headers("alice"), "Shared")
    create_dataset(testapp, acme.headers("alice"), "Private")
    edit = {"dataset_permissions": {"view": True, "edit": True}}
    testapp.patch_json(
        shared + "permissions/", {team_url: edit}, headers=acme.headers("alice"), status=204
    )

    for name, can_edit in (("alice", True), ("bob", True)):
        res = testapp.get(team_url + "datasets/", headers=acme.headers(name), status=200).json
        assert res["element"] == "shoji:catalog"
        assert res["self"] == team_url + "datasets/"
        assert set(res["index"]) == {shared}
        entry = res["index"][shared]
        assert entry["name"] == "Shared"
        assert entry["permissions"]["view"] is True
        assert entry["permissions"]["edit"] is can_edit
    # Alice owns it, so she can change permissions; Bob only got view and edit.
    bob = read(testapp, team_url + "datasets/", acme.headers("bob"))["index"][shared]
    assert bob["permissions"]["change_permissions"] is False

    # The catalog is read-only.
    testapp.post_json(
        team_url + "datasets/", {"name": "x"}, headers=acme.headers("alice"), status=405
    )

    # Bob sees the dataset in his own catalog through the team.
    assert set(read(testapp, "/api/datasets/", acme.headers("bob"))["index"]) == {shared}

    # Revoking the team's share empties the team's catalog.
    testapp.patch_json(
        shared + "permissions/", {team_url: None}, headers=acme.headers("alice"), status=204
    )
    assert read(testapp, team_url + "datasets/", acme.headers("bob"))["index"] == {}


def test_deleting_a_team_removes_its_project_memberships(testapp, acme, factory):
    team_url = create_team(testapp, acme.headers("alice"))
    patch_members(testapp, team_url, {acme.url("bob"): {}}, acme.headers("alice"))
    project = testapp.post_json(
        "/api/projects/", {"name": "P"}, headers=acme.headers("alice"), status=201
    ).location
    testapp.patch_json(
        project + "members/",
        {team_url: {"permissions": {"edit": True}}},
        headers=acme.headers("alice"),
        status=204,
    )
    assert read(testapp, project, acme.headers("bob"))["body"]["permissions"]["edit"] is True

    testapp.delete(team_url, headers=acme.headers("alice"), status=204)
    testapp.get(project, headers=acme.headers("bob"), status=404)
    assert team_url not in read(testapp, project + "members/", acme.headers("alice"))["index"]
