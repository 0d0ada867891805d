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
import re

import pytest

from tests.factories import Cast, acme_and_other
from tests.functional.helpers import create_dataset, create_team, id_of, read

BASE = "http://localhost"
URL_BASE = "https://app.example.com/password/change/${token}/"
LINK = re.compile(r"https://app\.example\.com/password/change/([A-Za-z0-9_-]+)/")
FULL = {"view": True, "edit": True, "change_permissions": True}
EDIT = {"view": True, "edit": True, "change_permissions": False}
VIEW = {"view": True, "edit": False, "change_permissions": False}
NONE = {"view": False, "edit": False, "change_permissions": False}
VIEW_CEILING = {"view": True, "edit": False, "change_permissions": False}
_emails = itertools.count(1)


def body_text(message):
    return message.get_payload(decode=True).decode()


@pytest.fixture
def acme(factory, testapp):
    """Account ``Acme``: its owner (admin), alice (editor role) who owns the
    dataset ``ds``, dave (editor role), bob and carol (standard); ``outsider``
    is a user of account ``Other``.  ``team`` is alice's team."""
    ids, account, other_account = acme_and_other(factory)

    class Acme(Cast):
        def shares(self):
            """The stored shares of ``ds``: ``{"user:<id>"|"team:<id>": flags}``."""
            return factory.read(
                lambda root: {k: dict(v) for k, v in root.datasets[id_of(self.ds)].shares.items()}
            )

        def perms(self, name, url=None):
            """``name``'s coalesced permissions on ``url`` (default ``ds``) as
            the catalog shows them (all False when not listed)."""
            index = read(testapp, "/api/datasets/", self.h(name))["index"]
            entry = index.get(url or self.ds)
            return entry["permissions"] if entry else NONE

        def cap(self, name, ceiling=VIEW_CEILING):
            """Set ``name``'s account ceiling for dataset permissions."""
            uid = self.ids[name]
            factory.write(lambda root: setattr(root.users[uid], "dataset_ceiling", dict(ceiling)))

    cast = Acme(factory, ids, account_id=account, other_account_id=other_account)
    cast.ds = create_dataset(testapp, cast.h("alice"), "Shared survey")
    cast.team = create_team(testapp, cast.h("alice"), "Alice's team")
    return cast


def patch_permissions(testapp, acme, body, who="alice", status=204):
    return testapp.patch_json(acme.ds + "permissions/", body, headers=acme.h(who), status=status)


def add_to_team(testapp, acme, *names):
    index = {acme.url(n): {} for n in names}
    testapp.patch_json(acme.team + "members/", index, headers=acme.h("alice"), status=204)


def grant(flags):
    return {"dataset_permissions": flags}


# -- body forms -------------------------------------------------------------------


def test_wrapped_catalog_with_index(testapp, acme, inbox):
    body = {
        "element": "shoji:catalog",
        "self": acme.ds + "permissions/",
        "index": {acme.url("bob"): grant({"view": True, "edit": True})},
    }
    patch_permissions(testapp, acme, body)

    doc = read(testapp, acme.ds + "permissions/", acme.h("bob"))
    assert doc["element"] == "shoji:catalog"
    assert doc["self"] == acme.ds + "permissions/"
    assert doc["views"]["explain"] == acme.ds + "permissions/explain/"
    bob = doc["index"][acme.url("bob")]
    assert bob["dataset_permissions"] == EDIT
    assert bob["coalesced_permissions"] == EDIT
    assert bob["is_owner"] is False
    assert bob["email"] == acme.email("bob")
    alice = doc["index"][acme.url("alice")]
    assert alice["is_owner"] is True
    assert alice["coalesced_permissions"] == FULL
    assert acme.perms("bob") == EDIT
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
    assert acme.perms("bob") == VIEW
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
    assert acme.perms("bob") == EDIT
    assert inbox.messages == []  # mail is sent at commit, before the response


def test_options_inside_the_index_as_pycrunch_add_sends_them(testapp, acme, inbox):
    body = {
        "element": "shoji:catalog",
        "index": {acme.url("bob"): grant({"view": True}), "send_notification": True},
    }
    patch_permissions(testapp, acme, body)
    assert acme.perms("bob") == VIEW
    assert [m["To"] for m in inbox.wait_for(1)] == [acme.email("bob")]


@pytest.mark.parametrize("who", ["bob", "outsider"])
def test_email_of_an_existing_user(testapp, acme, factory, who):
    patch_permissions(testapp, acme, {acme.email(who).upper(): grant({"view": True})})
    assert acme.perms(who) == VIEW
    assert f"user:{acme.id(who)}" in acme.shares()
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
    assert acme.shares()[f"user:{user_id}"] == VIEW
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
    assert index[acme.ds]["permissions"] == VIEW


def test_team_url_shares_with_every_member(testapp, acme):
    add_to_team(testapp, acme, "bob", "carol")
    patch_permissions(testapp, acme, {acme.team: grant({"view": True, "edit": True})})
    assert acme.perms("bob") == EDIT
    assert acme.perms("carol") == EDIT
    team = read(testapp, acme.ds + "permissions/", acme.h("bob"))["index"][acme.team]
    assert team["name"] == "Alice's team"
    assert team["dataset_permissions"] == EDIT
    assert acme.shares()[f"team:{id_of(acme.team)}"] == EDIT


def test_several_grants_and_revokes_in_one_request(testapp, acme):
    add_to_team(testapp, acme, "carol")
    patch_permissions(
        testapp,
        acme,
        {acme.url("bob"): grant({"view": True}), acme.team: grant({"view": True})},
    )
    patch_permissions(
        testapp,
        acme,
        {acme.url("bob"): None, acme.team: None, acme.url("dave"): grant({"edit": True})},
    )
    assert acme.perms("bob") == NONE
    assert acme.perms("carol") == NONE
    assert acme.perms("dave") == EDIT
    testapp.get(acme.ds, headers=acme.h("bob"), status=404)
    assert set(acme.shares()) == {f"user:{acme.id('dave')}"}
    # Reverse links follow.
    assert acme.ds not in read(testapp, acme.team + "datasets/", acme.h("alice"))["index"]


def test_partial_flags_merge_into_the_existing_share(testapp, acme):
    patch_permissions(testapp, acme, {acme.url("bob"): grant({"edit": True})})
    assert acme.perms("bob") == EDIT  # edit implies view
    patch_permissions(testapp, acme, {acme.url("bob"): grant({"change_permissions": True})})
    assert acme.perms("bob") == FULL
    patch_permissions(testapp, acme, {acme.url("bob"): grant({"edit": False}), "message": "x"})
    assert acme.perms("bob") == {"view": True, "edit": False, "change_permissions": True}
    # Read-only tuple members sent back beside dataset_permissions are ignored;
    # alone they would change nothing, which is a 400 (issue 7 item 18).
    read_only = {"name": "Renamed", "is_owner": True}
    patch_permissions(testapp, acme, {acme.url("bob"): read_only}, status=400)
    patch_permissions(testapp, acme, {acme.url("bob"): {**read_only, **grant({"edit": False})}})
    assert (
        read(testapp, acme.ds + "permissions/", acme.h("bob"))["index"][acme.url("bob")][
            "is_owner"
        ]
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
    before = acme.shares()
    res = patch_permissions(testapp, acme, make_index(acme), status=400)
    assert res.json["message"]
    assert acme.shares() == before
    assert acme.perms("bob") == NONE
    assert acme.perms("alice") == FULL
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
    assert acme.perms("carol") == NONE and acme.perms("bob") == VIEW
    # Without access at all: 404; anonymous: 401.
    patch_permissions(testapp, acme, add_grant, who="carol", status=404)
    patch_permissions(testapp, acme, add_grant, who="outsider", status=404)
    testapp.get(acme.ds + "permissions/", headers=acme.h("carol"), status=404)
    testapp.patch_json(acme.ds + "permissions/", add_grant, status=401)
    # With change_permissions granted, they can.
    patch_permissions(testapp, acme, {acme.url("dave"): grant({"change_permissions": True})})
    patch_permissions(testapp, acme, add_grant, who="dave")
    assert acme.perms("carol") == VIEW


def test_viewers_may_read_the_permissions_catalog(testapp, acme):
    patch_permissions(testapp, acme, {acme.url("bob"): grant({"view": True})})
    index = read(testapp, acme.ds + "permissions/", acme.h("bob"))["index"]
    assert set(index) == {acme.url("alice"), acme.url("bob")}


# -- the account ceiling -------------------------------------------------------------


def test_grant_above_the_ceiling_is_400(testapp, acme):
    acme.cap("bob")
    res = patch_permissions(testapp, acme, {acme.url("bob"): grant({"edit": True})}, status=400)
    assert "exceeds" in res.json["message"]
    assert acme.shares() == {}
    patch_permissions(
        testapp, acme, {acme.url("bob"): grant({"change_permissions": True})}, status=400
    )
    # Within the ceiling is fine.
    patch_permissions(testapp, acme, {acme.url("bob"): grant({"view": True})})
    assert acme.perms("bob") == VIEW
    # One request: the good grant before the bad one does not stick either.
    patch_permissions(
        testapp,
        acme,
        {acme.url("carol"): grant({"view": True}), acme.url("bob"): grant({"edit": True})},
        status=400,
    )
    assert acme.perms("carol") == NONE


def test_ceiling_caps_edit_granted_through_a_team(testapp, acme):
    add_to_team(testapp, acme, "bob", "carol")
    patch_permissions(
        testapp, acme, {acme.team: grant({"edit": True, "change_permissions": True})}
    )
    acme.cap("bob")
    assert acme.perms("bob") == VIEW
    assert acme.perms("carol") == FULL
    testapp.patch_json(
        acme.ds, {"current_editor": acme.url("bob")}, headers=acme.h("bob"), status=403
    )
    patch_permissions(
        testapp, acme, {acme.url("dave"): grant({"view": True})}, who="bob", status=403
    )
    users = read(testapp, acme.ds + "users/", acme.h("alice"))["index"]
    assert users[acme.url("bob")]["coalesced_permissions"] == VIEW
    assert users[acme.url("carol")]["coalesced_permissions"] == FULL


# -- coalescing ------------------------------------------------------------------------


def test_view_via_team_or_edit_direct_is_edit(testapp, acme):
    add_to_team(testapp, acme, "bob")
    patch_permissions(
        testapp, acme, {acme.team: grant({"view": True}), acme.url("bob"): grant({"edit": True})}
    )
    assert acme.perms("bob") == EDIT
    assert read(testapp, acme.ds, acme.h("bob"))["body"]["permissions"] == EDIT


def test_view_direct_or_edit_via_team_is_edit(testapp, acme):
    add_to_team(testapp, acme, "bob")
    patch_permissions(
        testapp, acme, {acme.team: grant({"edit": True}), acme.url("bob"): grant({"view": True})}
    )
    assert acme.perms("bob") == EDIT
    # Dropping the team grant leaves the direct one.
    patch_permissions(testapp, acme, {acme.team: None})
    assert acme.perms("bob") == VIEW


def test_project_edit_membership_gives_edit(testapp, acme):
    project = testapp.post_json(
        "/api/projects/", {"name": "P"}, headers=acme.h("alice"), status=201
    ).location
    testapp.patch_json(acme.ds, {"owner": project}, headers=acme.h("alice"), status=204)
    testapp.patch_json(
        project + "members/",
        {acme.url("bob"): {"permissions": {"edit": True}}, acme.url("carol"): {}},
        headers=acme.h("alice"),
        status=204,
    )
    assert acme.perms("bob")["edit"] is True
    assert acme.perms("carol") == VIEW
    # A direct view share does not lower what the project gives.
    patch_permissions(testapp, acme, {acme.url("bob"): grant({"view": True})})
    assert acme.perms("bob")["edit"] is True


def test_account_admin_has_implicit_edit_on_account_datasets(testapp, acme, factory):
    daves = testapp.post_json(
        "/api/datasets/", {"name": "Dave's"}, headers=acme.h("dave"), status=201
    ).location
    assert acme.perms("owner") == FULL
    admin = factory.user(acme.account_id, roles=("administrator",))
    headers = factory.login(admin)
    index = read(testapp, "/api/datasets/", headers)["index"]
    assert set(index) == {acme.ds, daves}
    assert index[acme.ds]["permissions"] == FULL
    assert index[daves]["permissions"] == FULL
    # Implicit, not stored: nothing was shared with them.
    assert acme.shares() == {}
    # The admin may share it on (implicit change_permissions).
    patch_permissions(testapp, acme, {acme.url("bob"): grant({"view": True})}, who="owner")
    assert acme.perms("bob") == VIEW
    # Admin rights stop at the account's border.
    outsider_admin = factory.account(name="Elsewhere")[1]
    testapp.get(acme.ds, headers=factory.login(outsider_admin), status=404)


# -- who has access, and why -------------------------------------------------------------


def test_dataset_users_lists_everyone_with_access_and_how(testapp, acme):
    add_to_team(testapp, acme, "carol", "outsider")
    project = testapp.post_json(
        "/api/projects/", {"name": "P"}, headers=acme.h("alice"), status=201
    ).location
    testapp.patch_json(acme.ds, {"owner": project}, headers=acme.h("alice"), status=204)
    testapp.patch_json(
        project + "members/", {acme.url("dave"): {}}, headers=acme.h("alice"), status=204
    )
    patch_permissions(
        testapp,
        acme,
        {acme.url("bob"): grant({"edit": True}), acme.team: grant({"view": True})},
    )

    doc = read(testapp, acme.ds + "users/", acme.h("bob"))
    assert doc["self"] == acme.ds + "users/"
    index = doc["index"]
    for name in ("alice", "bob", "carol", "dave", "outsider"):
        assert acme.url(name) in index, name
    bob = index[acme.url("bob")]
    assert bob["coalesced_permissions"] == EDIT
    assert bob["teams"] == [] and bob["project_member"] is False
    carol = index[acme.url("carol")]
    assert carol["teams"] == [acme.team]
    assert carol["coalesced_permissions"] == VIEW
    assert index[acme.url("outsider")]["collaborator"] is True
    assert carol["collaborator"] is False
    dave = index[acme.url("dave")]
    assert dave["project_member"] is True and dave["teams"] == []
    assert index[acme.url("alice")]["coalesced_permissions"] == FULL
    assert index[acme.url("alice")]["teams"] == [acme.team]
    testapp.get(acme.ds + "users/", headers=acme.h("outsider"), status=200)

    # Leaving the team takes carol off the list, and out of the dataset.
    testapp.patch_json(
        acme.team + "members/", {acme.url("carol"): None}, headers=acme.h("alice"), status=204
    )
    assert acme.url("carol") not in read(testapp, acme.ds + "users/", acme.h("bob"))["index"]
    testapp.get(acme.ds + "users/", headers=acme.h("carol"), status=404)
    testapp.get(acme.ds + "users/", status=401)


def explain(testapp, acme, who, subject=None, status=200):
    query = {"user": acme.url(subject)} if subject else {}
    return testapp.get(
        acme.ds + "permissions/explain/", params=query, headers=acme.h(who), status=status
    )


def test_explain_lists_the_grants_behind_each_flag(testapp, acme):
    add_to_team(testapp, acme, "bob")
    patch_permissions(
        testapp, acme, {acme.team: grant({"edit": True}), acme.url("bob"): grant({"view": True})}
    )
    res = explain(testapp, acme, "alice", "bob").json
    assert res["element"] == "shoji:view"
    value = res["value"]
    assert value["user"] == acme.url("bob")
    assert value["permissions"] == EDIT
    assert value["ceiling"] == FULL
    team = {"source": "team", "ref": acme.team}
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
    patch_permissions(testapp, acme, {acme.team: grant({"edit": True})})
    acme.cap("bob")
    value = explain(testapp, acme, "alice", "bob").json["value"]
    assert value["permissions"] == VIEW
    assert value["ceiling"] == VIEW_CEILING
    assert value["grants"]["edit"] == [{"source": "team", "ref": acme.team}]


def test_explain_owner_and_project_grants(testapp, acme):
    project = testapp.post_json(
        "/api/projects/", {"name": "P"}, headers=acme.h("alice"), status=201
    ).location
    testapp.patch_json(acme.ds, {"owner": project}, headers=acme.h("alice"), status=204)
    testapp.patch_json(project + "members/", {acme.team: {}}, headers=acme.h("alice"), status=204)
    add_to_team(testapp, acme, "bob")
    value = explain(testapp, acme, "alice", "bob").json["value"]
    assert value["permissions"] == VIEW
    assert value["grants"]["view"] == [{"source": "project", "ref": [project, acme.team]}]
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
    testapp.get(acme.ds + "permissions/explain/", status=401)
    testapp.get(
        acme.ds + "permissions/explain/",
        params={"user": "nobody@example.com"},
        headers=acme.h("alice"),
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
    testapp.patch_json(acme.ds, body, headers=acme.h("alice"), status=204)


def test_a_draft_is_visible_to_its_editors_only(testapp, acme):
    add_to_team(testapp, acme, "carol")
    patch_permissions(
        testapp,
        acme,
        {
            acme.url("bob"): grant({"view": True}),
            acme.url("dave"): grant({"edit": True}),
            acme.team: grant({"view": True}),
        },
    )
    unpublish(testapp, acme)

    for viewer in ("bob", "carol"):
        testapp.get(acme.ds, headers=acme.h(viewer), status=404)
        assert acme.perms(viewer) == NONE
        by_name = read(testapp, "/api/datasets/by_name/Shared%20survey/", acme.h(viewer))
        assert by_name["index"] == {}
    for editor in ("alice", "dave", "owner"):
        assert read(testapp, acme.ds, acme.h(editor))["body"]["is_published"] is False
    assert acme.perms("dave") == EDIT

    # Publishing it again gives the viewers their access back.
    testapp.patch_json(acme.ds, {"is_published": True}, headers=acme.h("alice"), status=204)
    assert acme.perms("bob") == VIEW
    assert acme.perms("carol") == VIEW


def test_a_draft_is_not_listed_in_a_project_to_its_viewers(testapp, acme):
    project = testapp.post_json(
        "/api/projects/", {"name": "P"}, headers=acme.h("alice"), status=201
    ).location
    testapp.patch_json(acme.ds, {"owner": project}, headers=acme.h("alice"), status=204)
    testapp.patch_json(
        project + "members/", {acme.url("bob"): {}}, headers=acme.h("alice"), status=204
    )
    unpublish(testapp, acme)
    testapp.get(acme.ds, headers=acme.h("bob"), status=404)
    assert read(testapp, project, acme.h("bob"))["index"] == {}
    assert read(testapp, project + "datasets/", acme.h("bob"))["index"] == {}


def test_a_draft_is_not_listed_in_a_team_to_its_viewers(testapp, acme):
    add_to_team(testapp, acme, "bob")
    patch_permissions(testapp, acme, {acme.team: grant({"view": True})})
    unpublish(testapp, acme)
    testapp.get(acme.ds, headers=acme.h("bob"), status=404)
    assert read(testapp, acme.team + "datasets/", acme.h("bob"))["index"] == {}
