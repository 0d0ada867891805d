"""Roles and ``account_permissions`` stay consistent whichever an admin
changes; nobody changes their own status or roles; an admin's change of
another user's status or roles is mailed to that user and takes effect at
once (a locked or inactive user cannot log in)."""

import pytest

from tests.functional.accounts.users.helpers import (
    can_log_in,
    field_of,
    patch_entity,
    patch_users,
    post_user,
    stored,
)
from tests.functional.helpers import USERS

# -- roles and account_permissions ----------------------------------------------------------

ADMIN_PERMS = {"alter_users": True, "admin_account": True, "create_datasets": True}
EDITOR_PERMS = {"alter_users": False, "admin_account": False, "create_datasets": True}
STANDARD_PERMS = {"alter_users": False, "admin_account": False, "create_datasets": False}


@pytest.mark.parametrize("door", ["catalog", "entity"])
@pytest.mark.parametrize(
    "change,roles,permissions",
    [
        ({"account_permissions": {"alter_users": True}}, ["administrator"], ADMIN_PERMS),
        ({"account_permissions": {"admin_account": True}}, ["administrator"], ADMIN_PERMS),
        ({"account_permissions": {"create_datasets": True}}, ["editor"], EDITOR_PERMS),
        ({"roles": ["editor"]}, ["editor"], EDITOR_PERMS),
        ({"roles": ["administrator"]}, ["administrator"], ADMIN_PERMS),
        ({"roles": ["http://localhost/api/roles/editor/"]}, ["editor"], EDITOR_PERMS),
    ],
)
def test_roles_and_permissions_stay_consistent(testapp, acme, door, change, roles, permissions):
    headers = acme.headers("admin")
    target = acme.url("member")
    if door == "catalog":
        patch_users(testapp, headers, {target: change})
    else:
        patch_entity(testapp, target, headers, change)
    body = testapp.get(target, headers=headers, status=200).json["body"]
    row = testapp.get(USERS, headers=headers, status=200).json["index"][target]
    for seen in (body, row):
        assert seen["roles"] == roles
        assert seen["account_permissions"] == permissions
    assert row["roles_csv"] == ",".join(roles)


def test_catalog_patch_accepts_bare_index_keyed_by_email(testapp, acme, factory):
    email = factory.email_of(acme.member)
    testapp.patch_json(
        USERS, {email.upper(): {"roles": ["editor"]}}, headers=acme.headers("admin"), status=204
    )
    assert stored(factory, acme.member)["roles"] == ("editor",)


def test_demoting_an_admin_through_permissions(testapp, acme):
    acme.add("other_admin", roles=("administrator",))
    patch_users(
        testapp,
        acme.headers("admin"),
        {
            acme.url("other_admin"): {
                "account_permissions": {"alter_users": False, "create_datasets": False}
            }
        },
    )
    body = testapp.get(acme.url("other_admin"), headers=acme.headers("admin"), status=200).json
    assert body["body"]["roles"] == ["standard"]
    assert body["body"]["account_permissions"] == STANDARD_PERMS
    # the demoted admin lost admin powers at once
    post_user(testapp, acme.headers("other_admin"), {"email": "x@example.com"}, status=403)


def test_unknown_role_is_400(testapp, acme, factory):
    res = patch_users(
        testapp, acme.headers("admin"), {acme.url("member"): {"roles": ["boss"]}}, status=400
    )
    assert field_of(res) == "roles"
    assert stored(factory, acme.member)["roles"] == ("standard",)


def test_roles_catalog_lists_the_built_in_roles(testapp, acme):
    res = testapp.get("/api/roles/", headers=acme.headers("member"), status=200).json
    roles = {row["id"]: row for row in res["index"].values()}
    assert roles["administrator"]["account_permissions"] == ADMIN_PERMS
    assert roles["editor"]["account_permissions"] == EDITOR_PERMS
    assert roles["standard"]["account_permissions"] == STANDARD_PERMS
    assert all(row["title"] and row["description"] for row in roles.values())
    for url in res["index"]:
        assert testapp.get(url, headers=acme.headers("member"), status=200).json["body"]["id"]


# -- nobody changes their own status or roles -----------------------------------------------


@pytest.mark.parametrize("door", ["catalog", "entity"])
@pytest.mark.parametrize(
    "change",
    [
        {"roles": ["standard"]},
        {"roles": ["administrator"]},
        {"account_permissions": {"alter_users": True}},
        {"account_permissions": {"alter_users": False}},
        {"status": "inactive"},
    ],
)
@pytest.mark.parametrize("who", ["owner", "admin", "member"])
def test_nobody_changes_their_own_status_or_roles(
    testapp, acme, factory, inbox, who, change, door
):
    user_id = acme.id(who)
    before = stored(factory, user_id)
    if door == "catalog":
        res = patch_users(testapp, acme.headers(who), {acme.url(who): change}, status=403)
    else:
        res = patch_entity(testapp, acme.url(who), acme.headers(who), change, status=403)
    assert res.json["message"]
    assert stored(factory, user_id) == before
    assert inbox.messages == []


# -- admins change other users' status and roles; each change is mailed --------------------------


@pytest.mark.parametrize("door", ["catalog", "entity"])
def test_status_and_role_changes_are_mailed_to_the_user(testapp, acme, factory, inbox, door):
    target = acme.url("member")
    address = factory.email_of(acme.member)

    def change(body):
        if door == "catalog":
            patch_users(testapp, acme.headers("admin"), {target: body})
        else:
            patch_entity(testapp, target, acme.headers("admin"), body)

    change({"status": "locked"})
    change({"status": "active"})
    change({"roles": ["editor"]})
    change({"roles": ["editor"]})  # no change, no mail
    change({"status": "inactive", "roles": ["standard"]})
    mails = inbox.wait_for(5)
    assert [m["To"] for m in mails] == [address] * 5
    subjects = [m["Subject"] for m in mails]
    assert subjects.count("Your account status changed") == 3
    assert subjects.count("Your roles changed") == 2
    texts = [m.text for m in mails]
    assert "from active to locked" in texts[0]
    assert "from locked to active" in texts[1]
    assert "Editor" in texts[2]
    assert stored(factory, acme.member)["status"] == "inactive"


@pytest.mark.parametrize("status", ["locked", "inactive"])
def test_non_active_users_cannot_log_in_and_their_tokens_stop(testapp, acme, status):
    member = acme.headers("member")
    testapp.get("/api/", headers=member, status=200)
    patch_entity(testapp, acme.url("member"), acme.headers("admin"), {"status": status})
    testapp.get("/api/", headers=member, status=401)
    assert not can_log_in(testapp, acme.email("member"))
    # back to active: a fresh login works, the old token stays dead
    patch_entity(testapp, acme.url("member"), acme.headers("admin"), {"status": "active"})
    assert can_log_in(testapp, acme.email("member"))
    testapp.get("/api/", headers=member, status=401)


def test_status_deleted_is_not_a_way_to_remove(testapp, acme, factory):
    res = patch_entity(
        testapp, acme.url("member"), acme.headers("admin"), {"status": "deleted"}, status=400
    )
    assert field_of(res) == "status"
    assert stored(factory, acme.member)["status"] == "active"


def test_unknown_status_is_400(testapp, acme, factory):
    res = patch_entity(
        testapp, acme.url("member"), acme.headers("admin"), {"status": "asleep"}, status=400
    )
    assert field_of(res) == "status"
