"""Sharing a dataset and coalescing permissions (reference crunch-api.md
§1.5, §8.4, §9.3).

The ``permissions`` catalog is PATCHed in every body form real clients send:
the wrapped catalog (pycrunch ``Catalog.edit``, options inside ``index`` as
pycrunch's ``Catalog.add`` does), and the bare index with
``send_notification``/``url_base``/``dataset_url``/``message`` (rcrunch,
scrunch).  Keys are user URLs, emails of existing users, emails of new users
(created in the sharer's account and invited) and team URLs; ``null``
revokes.  Grants above the grantee's account ceiling are 400; callers
without ``change_permissions`` get 403, callers without access 404.

Effective permissions are the OR over direct, team and project grants and
account-admin rights, capped by the ceiling; ``/datasets/{id}/users/`` and
the ``explain`` view show who has access and why.

Each test gets a fresh database (see ``conftest.app``) and makes its own accounts.
"""

import itertools

import pytest

from tests.factories import acme_and_other
from tests.functional.helpers import EDIT, FULL, LINK, NONE, URL_BASE, VIEW, id_of, read

BASE = "http://localhost"
VIEW_CEILING = {"view": True, "edit": False, "change_permissions": False}
_emails = itertools.count(1)


def body_text(message):
    return message.text


@pytest.fixture
def acme(factory):
    """Account ``Acme``: its owner (admin), alice (editor role) who owns the
    dataset ``dataset_url``, dave (editor role), bob and carol (standard);
    ``outsider`` is a user of account ``Other``.  ``team_url`` is alice's team."""
    scene = acme_and_other(factory)
    scene.dataset_url = scene.create_dataset("alice", "Shared survey")
    scene.team_url = scene.create_team("alice", "Alice's team")
    return scene


def shares(acme):
    """The stored shares of the dataset: ``{"user:<id>"|"team:<id>": flags}``."""
    dataset_id = id_of(acme.dataset_url)
    return acme.factory.read(
        lambda root: {k: dict(v) for k, v in root.datasets[dataset_id].shares.items()}
    )


def perms(acme, name, url=None):
    """``name``'s coalesced permissions on ``url`` (default the dataset) as
    the catalog shows them (all False when not listed)."""
    index = read(acme.testapp, "/api/datasets/", acme.headers(name))["index"]
    entry = index.get(url or acme.dataset_url)
    return entry["permissions"] if entry else NONE


def cap(acme, name, ceiling=VIEW_CEILING):
    """Set ``name``'s account ceiling for dataset permissions."""
    user_id = acme.id(name)
    acme.factory.write(lambda root: setattr(root.users[user_id], "dataset_ceiling", dict(ceiling)))


def patch_permissions(testapp, acme, body, who="alice", status=204):
    return testapp.patch_json(
        acme.dataset_url + "permissions/", body, headers=acme.headers(who), status=status
    )


def add_to_team(testapp, acme, *names):
    index = {acme.url(n): {} for n in names}
    testapp.patch_json(
        acme.team_url + "members/", index, headers=acme.headers("alice"), status=204
    )


def project_with_the_dataset(acme, members):
    """Alice's project ``P``, holding the dataset, with ``members`` (an index
    of the members catalog); its URL."""
    project = acme.create_project("alice", "P")
    acme.patch(acme.dataset_url, {"owner": project}, "alice")
    acme.patch(project + "members/", members, "alice")
    return project


def grant(flags):
    return {"dataset_permissions": flags}


# -- body forms -------------------------------------------------------------------


def test_wrapped_catalog_with_index(testapp, acme, inbox):
    body = {
        "element": "shoji:catalog",
        "self": acme.dataset_url + "permissions/",
        "index": {acme.url("bob"): grant({"view": True, "edit": True})},
    }
    patch_permissions(testapp, acme, body)

    doc = read(testapp, acme.dataset_url + "permissions/", acme.headers("bob"))
    assert doc["element"] == "shoji:catalog"
    assert doc["self"] == acme.dataset_url + "permissions/"
    assert doc["views"]["explain"] == acme.dataset_url + "permissions/explain/"
    bob = doc["index"][acme.url("bob")]
    assert bob["dataset_permissions"] == EDIT
    assert bob["coalesced_permissions"] == EDIT
    assert bob["is_owner"] is False
    assert bob["email"] == acme.email("bob")
    alice = doc["index"][acme.url("alice")]
    assert alice["is_owner"] is True
    assert alice["coalesced_permissions"] == FULL
    assert perms(acme, "bob") == EDIT
    assert inbox.messages == []  # no send_notification, no mail


def test_bare_index_with_notification_options(testapp, acme, inbox):
    body = {
        acme.url("bob"): grant({"view": True}),
        "send_notification": True,
        "url_base": URL_BASE,
        "dataset_url": "https://app.example.com/dataset/xyz",
        "message": "Have a look",
    }
    patch_permissions(testapp, acme, body)
    assert perms(acme, "bob") == VIEW
    mails = inbox.wait_for(1)
    assert [m["To"] for m in mails] == [acme.email("bob")]
    text = body_text(mails[0])
    assert "Shared survey" in mails[0]["Subject"]
    assert "Have a look" in text
    assert "https://app.example.com/dataset/xyz" in text

    # Changing an existing share does not mail again.
    inbox.messages.clear()
    patch_permissions(
        testapp, acme, {acme.url("bob"): grant({"edit": True}), "send_notification": True}
    )
    assert perms(acme, "bob") == EDIT
    assert inbox.messages == []  # mail is sent at commit, before the response


def test_options_inside_the_index_as_pycrunch_add_sends_them(testapp, acme, inbox):
    body = {
        "element": "shoji:catalog",
        "index": {acme.url("bob"): grant({"view": True}), "send_notification": True},
    }
    patch_permissions(testapp, acme, body)
    assert perms(acme, "bob") == VIEW
    assert [m["To"] for m in inbox.wait_for(1)] == [acme.email("bob")]


@pytest.mark.parametrize("who", ["bob", "outsider"])
def test_email_of_an_existing_user(testapp, acme, factory, who):
    patch_permissions(testapp, acme, {acme.email(who).upper(): grant({"view": True})})
    assert perms(acme, who) == VIEW
    assert f"user:{acme.id(who)}" in shares(acme)
    # An existing user of another account is shared with, never moved.
    expected = acme.account_id if who == "bob" else acme.other_account_id
    assert factory.read(lambda root: root.users[acme.id(who)].account_id) == expected


@pytest.mark.parametrize("form", ["wrapped", "bare"])
def test_email_of_a_new_user_creates_and_invites_them(testapp, acme, factory, inbox, form):
    # Inviting someone new into the account takes alter_users (issue 7 item 3).
    factory.write(lambda root: setattr(root.users[acme.id("alice")], "roles", ("administrator",)))
    email = f"shared-{next(_emails)}@newcomer.example.com"
    index = {email: grant({"view": True})}
    options = {"send_notification": True, "url_base": URL_BASE, "message": "Welcome"}
    body = (
        {"element": "shoji:catalog", "index": index, **options}
        if form == "wrapped"
        else {**index, **options}
    )
    patch_permissions(testapp, acme, body)

    def found(root):
        user = root.users.find_by_email(email)
        return user.__name__, user.status, user.account_id

    user_id, status, account_id = factory.read(found)
    assert status == "pending"
    assert account_id == acme.account_id  # the sharer's account
    assert shares(acme)[f"user:{user_id}"] == VIEW
    mails = inbox.wait_for(2)
    assert {m["To"] for m in mails} == {email}
    invitation = next(m for m in mails if LINK.search(body_text(m)))
    token = LINK.search(body_text(invitation)).group(1)

    # The link sets a password; the new user then sees the dataset.
    testapp.post_json(
        "/api/public/password_change/",
        {"token": token, "password": "newcomer password 1"},
        status=204,
    )
    headers = factory.login(email, "newcomer password 1")
    index = read(testapp, "/api/datasets/", headers)["index"]
    assert index[acme.dataset_url]["permissions"] == VIEW


def test_team_url_shares_with_every_member(testapp, acme):
    add_to_team(testapp, acme, "bob", "carol")
    patch_permissions(testapp, acme, {acme.team_url: grant({"view": True, "edit": True})})
    assert perms(acme, "bob") == EDIT
    assert perms(acme, "carol") == EDIT
    team = read(testapp, acme.dataset_url + "permissions/", acme.headers("bob"))["index"][
        acme.team_url
    ]
    assert team["name"] == "Alice's team"
    assert team["dataset_permissions"] == EDIT
    assert shares(acme)[f"team:{id_of(acme.team_url)}"] == EDIT


def test_several_grants_and_revokes_in_one_request(testapp, acme):
    add_to_team(testapp, acme, "carol")
    patch_permissions(
        testapp,
        acme,
        {acme.url("bob"): grant({"view": True}), acme.team_url: grant({"view": True})},
    )
    patch_permissions(
        testapp,
        acme,
        {acme.url("bob"): None, acme.team_url: None, acme.url("dave"): grant({"edit": True})},
    )
    assert perms(acme, "bob") == NONE
    assert perms(acme, "carol") == NONE
    assert perms(acme, "dave") == EDIT
    testapp.get(acme.dataset_url, headers=acme.headers("bob"), status=404)
    assert set(shares(acme)) == {f"user:{acme.dave}"}
    # Reverse links follow.
    assert (
        acme.dataset_url
        not in read(testapp, acme.team_url + "datasets/", acme.headers("alice"))["index"]
    )


def test_partial_flags_merge_into_the_existing_share(testapp, acme):
    patch_permissions(testapp, acme, {acme.url("bob"): grant({"edit": True})})
    assert perms(acme, "bob") == EDIT  # edit implies view
    patch_permissions(testapp, acme, {acme.url("bob"): grant({"change_permissions": True})})
    assert perms(acme, "bob") == FULL
    patch_permissions(testapp, acme, {acme.url("bob"): grant({"edit": False}), "message": "x"})
    assert perms(acme, "bob") == {"view": True, "edit": False, "change_permissions": True}
    # Read-only tuple members sent back beside dataset_permissions are ignored;
    # alone they would change nothing, which is a 400 (issue 7 item 18).
    read_only = {"name": "Renamed", "is_owner": True}
    patch_permissions(testapp, acme, {acme.url("bob"): read_only}, status=400)
    patch_permissions(testapp, acme, {acme.url("bob"): {**read_only, **grant({"edit": False})}})
    assert (
        read(testapp, acme.dataset_url + "permissions/", acme.headers("bob"))["index"][
            acme.url("bob")
        ]["is_owner"]
        is False
    )


@pytest.mark.parametrize(
    "make_index",
    [
        lambda a: {a.url("alice"): None},
        lambda a: {"never-shared@example.com": None},
        lambda a: {a.url("bob"): grant({"admin": True})},
        lambda a: {a.url("bob"): grant({"view": "yes"})},
        lambda a: {a.url("bob"): grant(["view"])},
        lambda a: {a.url("bob"): "view"},
        lambda a: {a.url("bob"): {**grant({"view": True}), "profile": {"applied_filters": ["f"]}}},
        lambda a: {f"{BASE}/api/users/0000/": grant({"view": True})},
        lambda a: {f"{BASE}/api/teams/0000/": grant({"view": True})},
        lambda a: {"not a reference": grant({"view": True})},
        lambda a: {a.url("bob"): grant({"view": True}), "bad@": grant({"view": True})},
    ],
    ids=[
        "revoke-owner",
        "revoke-unknown-email",
        "unknown-flag",
        "flag-not-bool",
        "flags-not-object",
        "tuple-not-object",
        "private-filter",
        "unknown-user",
        "unknown-team",
        "garbage-key",
        "invalid-email-after-a-good-one",
    ],
)
def test_bad_permissions_patch_is_400_and_changes_nothing(testapp, acme, inbox, make_index):
    before = shares(acme)
    res = patch_permissions(testapp, acme, make_index(acme), status=400)
    assert res.json["message"]
    assert shares(acme) == before
    assert perms(acme, "bob") == NONE
    assert perms(acme, "alice") == FULL
    assert inbox.messages == []


# -- who may share ------------------------------------------------------------------


def test_callers_without_change_permissions_get_403(testapp, acme):
    patch_permissions(
        testapp,
        acme,
        {acme.url("bob"): grant({"view": True}), acme.url("dave"): grant({"edit": True})},
    )
    add_grant = {acme.url("carol"): grant({"view": True})}
    for who in ("bob", "dave"):
        res = patch_permissions(testapp, acme, add_grant, who=who, status=403)
        assert res.json["message"]
    # Nor may they raise their own grant.
    patch_permissions(
        testapp,
        acme,
        {acme.url("bob"): grant({"change_permissions": True})},
        who="bob",
        status=403,
    )
    assert perms(acme, "carol") == NONE and perms(acme, "bob") == VIEW
    # Without access at all: 404; anonymous: 401.
    patch_permissions(testapp, acme, add_grant, who="carol", status=404)
    patch_permissions(testapp, acme, add_grant, who="outsider", status=404)
    testapp.get(acme.dataset_url + "permissions/", headers=acme.headers("carol"), status=404)
    testapp.patch_json(acme.dataset_url + "permissions/", add_grant, status=401)
    # With change_permissions granted, they can.
    patch_permissions(testapp, acme, {acme.url("dave"): grant({"change_permissions": True})})
    patch_permissions(testapp, acme, add_grant, who="dave")
    assert perms(acme, "carol") == VIEW


def test_viewers_may_read_the_permissions_catalog(testapp, acme):
    patch_permissions(testapp, acme, {acme.url("bob"): grant({"view": True})})
    index = read(testapp, acme.dataset_url + "permissions/", acme.headers("bob"))["index"]
    assert set(index) == {acme.url("alice"), acme.url("bob")}


# -- the account ceiling -------------------------------------------------------------


def test_grant_above_the_ceiling_is_400(testapp, acme):
    cap(acme, "bob")
    res = patch_permissions(testapp, acme, {acme.url("bob"): grant({"edit": True})}, status=400)
    assert "exceeds" in res.json["message"]
    assert shares(acme) == {}
    patch_permissions(
        testapp, acme, {acme.url("bob"): grant({"change_permissions": True})}, status=400
    )
    # Within the ceiling is fine.
    patch_permissions(testapp, acme, {acme.url("bob"): grant({"view": True})})
    assert perms(acme, "bob") == VIEW
    # One request: the good grant before the bad one does not stick either.
    patch_permissions(
        testapp,
        acme,
        {acme.url("carol"): grant({"view": True}), acme.url("bob"): grant({"edit": True})},
        status=400,
    )
    assert perms(acme, "carol") == NONE


def test_ceiling_caps_edit_granted_through_a_team(testapp, acme):
    add_to_team(testapp, acme, "bob", "carol")
    patch_permissions(
        testapp, acme, {acme.team_url: grant({"edit": True, "change_permissions": True})}
    )
    cap(acme, "bob")
    assert perms(acme, "bob") == VIEW
    assert perms(acme, "carol") == FULL
    testapp.patch_json(
        acme.dataset_url,
        {"current_editor": acme.url("bob")},
        headers=acme.headers("bob"),
        status=403,
    )
    patch_permissions(
        testapp, acme, {acme.url("dave"): grant({"view": True})}, who="bob", status=403
    )
    users = read(testapp, acme.dataset_url + "users/", acme.headers("alice"))["index"]
    assert users[acme.url("bob")]["coalesced_permissions"] == VIEW
    assert users[acme.url("carol")]["coalesced_permissions"] == FULL


# -- coalescing ------------------------------------------------------------------------


def test_view_via_team_or_edit_direct_is_edit(testapp, acme):
    add_to_team(testapp, acme, "bob")
    patch_permissions(
        testapp,
        acme,
        {acme.team_url: grant({"view": True}), acme.url("bob"): grant({"edit": True})},
    )
    assert perms(acme, "bob") == EDIT
    assert read(testapp, acme.dataset_url, acme.headers("bob"))["body"]["permissions"] == EDIT


def test_view_direct_or_edit_via_team_is_edit(testapp, acme):
    add_to_team(testapp, acme, "bob")
    patch_permissions(
        testapp,
        acme,
        {acme.team_url: grant({"edit": True}), acme.url("bob"): grant({"view": True})},
    )
    assert perms(acme, "bob") == EDIT
    # Dropping the team grant leaves the direct one.
    patch_permissions(testapp, acme, {acme.team_url: None})
    assert perms(acme, "bob") == VIEW


def test_project_edit_membership_gives_edit(testapp, acme):
    project_with_the_dataset(
        acme, {acme.url("bob"): {"permissions": {"edit": True}}, acme.url("carol"): {}}
    )
    assert perms(acme, "bob")["edit"] is True
    assert perms(acme, "carol") == VIEW
    # A direct view share does not lower what the project gives.
    patch_permissions(testapp, acme, {acme.url("bob"): grant({"view": True})})
    assert perms(acme, "bob")["edit"] is True


def test_account_admin_has_implicit_edit_on_account_datasets(testapp, acme, factory):
    daves = testapp.post_json(
        "/api/datasets/", {"name": "Dave's"}, headers=acme.headers("dave"), status=201
    ).location
    assert perms(acme, "owner") == FULL
    admin = factory.user(acme.account_id, roles=("administrator",))
    headers = factory.login(admin)
    index = read(testapp, "/api/datasets/", headers)["index"]
    assert set(index) == {acme.dataset_url, daves}
    assert index[acme.dataset_url]["permissions"] == FULL
    assert index[daves]["permissions"] == FULL
    # Implicit, not stored: nothing was shared with them.
    assert shares(acme) == {}
    # The admin may share it on (implicit change_permissions).
    patch_permissions(testapp, acme, {acme.url("bob"): grant({"view": True})}, who="owner")
    assert perms(acme, "bob") == VIEW
    # Admin rights stop at the account's border.
    outsider_admin = factory.account(name="Elsewhere")[1]
    testapp.get(acme.dataset_url, headers=factory.login(outsider_admin), status=404)


# -- who has access, and why -------------------------------------------------------------


def test_dataset_users_lists_everyone_with_access_and_how(testapp, acme):
    add_to_team(testapp, acme, "carol", "outsider")
    project_with_the_dataset(acme, {acme.url("dave"): {}})
    patch_permissions(
        testapp,
        acme,
        {acme.url("bob"): grant({"edit": True}), acme.team_url: grant({"view": True})},
    )

    doc = read(testapp, acme.dataset_url + "users/", acme.headers("bob"))
    assert doc["self"] == acme.dataset_url + "users/"
    index = doc["index"]
    for name in ("alice", "bob", "carol", "dave", "outsider"):
        assert acme.url(name) in index, name
    bob = index[acme.url("bob")]
    assert bob["coalesced_permissions"] == EDIT
    assert bob["teams"] == [] and bob["project_member"] is False
    carol = index[acme.url("carol")]
    assert carol["teams"] == [acme.team_url]
    assert carol["coalesced_permissions"] == VIEW
    assert index[acme.url("outsider")]["collaborator"] is True
    assert carol["collaborator"] is False
    dave = index[acme.url("dave")]
    assert dave["project_member"] is True and dave["teams"] == []
    assert index[acme.url("alice")]["coalesced_permissions"] == FULL
    assert index[acme.url("alice")]["teams"] == [acme.team_url]
    testapp.get(acme.dataset_url + "users/", headers=acme.headers("outsider"), status=200)

    # Leaving the team takes carol off the list, and out of the dataset.
    testapp.patch_json(
        acme.team_url + "members/",
        {acme.url("carol"): None},
        headers=acme.headers("alice"),
        status=204,
    )
    assert (
        acme.url("carol")
        not in read(testapp, acme.dataset_url + "users/", acme.headers("bob"))["index"]
    )
    testapp.get(acme.dataset_url + "users/", headers=acme.headers("carol"), status=404)
    testapp.get(acme.dataset_url + "users/", status=401)


def explain(testapp, acme, who, subject=None, status=200):
    query = {"user": acme.url(subject)} if subject else {}
    return testapp.get(
        acme.dataset_url + "permissions/explain/",
        params=query,
        headers=acme.headers(who),
        status=status,
    )


def test_explain_lists_the_grants_behind_each_flag(testapp, acme):
    add_to_team(testapp, acme, "bob")
    patch_permissions(
        testapp,
        acme,
        {acme.team_url: grant({"edit": True}), acme.url("bob"): grant({"view": True})},
    )
    res = explain(testapp, acme, "alice", "bob").json
    assert res["element"] == "shoji:view"
    value = res["value"]
    assert value["user"] == acme.url("bob")
    assert value["permissions"] == EDIT
    assert value["ceiling"] == FULL
    team = {"source": "team", "ref": acme.team_url}
    direct = {"source": "direct", "ref": acme.url("bob")}
    assert sorted(value["grants"]["view"], key=str) == sorted([team, direct], key=str)
    assert value["grants"]["edit"] == [team]
    assert value["grants"]["change_permissions"] == []

    # Anyone with access may explain their own access (no ``user`` = me).
    mine = explain(testapp, acme, "bob").json["value"]
    assert mine["user"] == acme.url("bob") and mine["permissions"] == EDIT
    assert explain(testapp, acme, "bob", "bob").json["value"] == mine


def test_explain_shows_the_cap(testapp, acme):
    add_to_team(testapp, acme, "bob")
    patch_permissions(testapp, acme, {acme.team_url: grant({"edit": True})})
    cap(acme, "bob")
    value = explain(testapp, acme, "alice", "bob").json["value"]
    assert value["permissions"] == VIEW
    assert value["ceiling"] == VIEW_CEILING
    assert value["grants"]["edit"] == [{"source": "team", "ref": acme.team_url}]


def test_explain_owner_and_project_grants(testapp, acme):
    project = project_with_the_dataset(acme, {acme.team_url: {}})
    add_to_team(testapp, acme, "bob")
    value = explain(testapp, acme, "alice", "bob").json["value"]
    assert value["permissions"] == VIEW
    assert value["grants"]["view"] == [{"source": "project", "ref": [project, acme.team_url]}]
    owner = explain(testapp, acme, "alice").json["value"]
    assert {"source": "owner", "ref": acme.url("alice")} in owner["grants"]["change_permissions"]


def test_explaining_someone_else_needs_change_permissions(testapp, acme):
    patch_permissions(
        testapp,
        acme,
        {acme.url("bob"): grant({"view": True}), acme.url("dave"): grant({"edit": True})},
    )
    for who in ("bob", "dave"):
        res = explain(testapp, acme, who, "alice", status=403)
        assert res.json["message"]
    explain(testapp, acme, "carol", "bob", status=404)
    explain(testapp, acme, "outsider", "bob", status=404)
    testapp.get(acme.dataset_url + "permissions/explain/", status=401)
    testapp.get(
        acme.dataset_url + "permissions/explain/",
        params={"user": "nobody@example.com"},
        headers=acme.headers("alice"),
        status=400,
    )
    # A user without access can be explained: no grant gives anything.
    value = explain(testapp, acme, "alice", "carol").json["value"]
    assert value["permissions"] == NONE
    assert value["grants"] == {"view": [], "edit": [], "change_permissions": []}


def test_explain_account_admin_grant_names_the_account(testapp, acme):
    value = explain(testapp, acme, "alice", "owner").json["value"]
    assert value["permissions"] == FULL
    account_url = f"{BASE}/api/accounts/{acme.account_id}/"
    assert {"source": "account_admin", "ref": account_url} in value["grants"]["edit"]


# -- drafts ----------------------------------------------------------------------------


def unpublish(testapp, acme):
    body = {"element": "shoji:entity", "body": {"is_published": False}}
    testapp.patch_json(acme.dataset_url, body, headers=acme.headers("alice"), status=204)


def test_a_draft_is_visible_to_its_editors_only(testapp, acme):
    add_to_team(testapp, acme, "carol")
    patch_permissions(
        testapp,
        acme,
        {
            acme.url("bob"): grant({"view": True}),
            acme.url("dave"): grant({"edit": True}),
            acme.team_url: grant({"view": True}),
        },
    )
    unpublish(testapp, acme)

    for viewer in ("bob", "carol"):
        testapp.get(acme.dataset_url, headers=acme.headers(viewer), status=404)
        assert perms(acme, viewer) == NONE
        by_name = read(testapp, "/api/datasets/by_name/Shared%20survey/", acme.headers(viewer))
        assert by_name["index"] == {}
    for editor in ("alice", "dave", "owner"):
        assert (
            read(testapp, acme.dataset_url, acme.headers(editor))["body"]["is_published"] is False
        )
    assert perms(acme, "dave") == EDIT

    # Publishing it again gives the viewers their access back.
    testapp.patch_json(
        acme.dataset_url, {"is_published": True}, headers=acme.headers("alice"), status=204
    )
    assert perms(acme, "bob") == VIEW
    assert perms(acme, "carol") == VIEW


def test_a_draft_is_not_listed_in_a_project_to_its_viewers(testapp, acme):
    project = project_with_the_dataset(acme, {acme.url("bob"): {}})
    unpublish(testapp, acme)
    testapp.get(acme.dataset_url, headers=acme.headers("bob"), status=404)
    assert read(testapp, project, acme.headers("bob"))["index"] == {}
    assert read(testapp, project + "datasets/", acme.headers("bob"))["index"] == {}


def test_a_draft_is_not_listed_in_a_team_to_its_viewers(testapp, acme):
    add_to_team(testapp, acme, "bob")
    patch_permissions(testapp, acme, {acme.team_url: grant({"view": True})})
    unpublish(testapp, acme)
    testapp.get(acme.dataset_url, headers=acme.headers("bob"), status=404)
    assert read(testapp, acme.team_url + "datasets/", acme.headers("bob"))["index"] == {}
