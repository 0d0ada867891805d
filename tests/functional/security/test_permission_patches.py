"""Issue 7, item 18: a team member, project member or dataset permission
PATCH that would do nothing (unknown keys, read-only members alone) is a 400."""

import pytest

from tests.functional.helpers import (
    assert_error,
    create_dataset,
    create_team,
    read,
)

# -- item 18: permission PATCHes that would do nothing -----------------------


def team_members(testapp, team, headers):
    return read(testapp, team + "members/", headers)["index"]


@pytest.mark.parametrize(
    "tuple_",
    [{"view": True}, {"perms": {"team_admin": True}}, {"permissions": {"admin": True}}],
    ids=["flat", "perms", "unknown-flag"],
)
def test_item07_18_team_member_patch_with_unknown_keys_is_400(testapp, acme, tuple_):
    headers = acme.headers("alice")
    team = create_team(testapp, headers)
    bob = acme.url("bob")
    res = testapp.patch_json(team + "members/", {bob: tuple_}, headers=headers, status=400)
    assert_error(res, 400, bob)
    assert bob not in team_members(testapp, team, headers)


@pytest.mark.parametrize(
    "tuple_",
    [
        {"view": True},
        {"edit": True},
        {"perms": {"edit": True}},
        {"permissions": {"edit": True}, "dataset_permissions": {"edit": True}},
        {"permissions": {"view": False}},
        {"permissions": {"owner": True}},
    ],
)
def test_item07_18_project_member_patch_that_would_do_nothing_is_400(testapp, acme, tuple_):
    headers = acme.headers("alice")
    project = testapp.post_json(
        "/api/projects/", {"name": "P"}, headers=headers, status=201
    ).location
    bob = acme.url("bob")
    res = testapp.patch_json(project + "members/", {bob: tuple_}, headers=headers, status=400)
    assert_error(res, 400, bob)
    assert bob not in read(testapp, project + "members/", headers)["index"]
    # The documented forms still work.
    testapp.patch_json(
        project + "members/",
        {bob: {"permissions": {"edit": True, "view": True}}},
        headers=headers,
        status=204,
    )
    assert read(testapp, project + "members/", headers)["index"][bob]["permissions"]["edit"]


@pytest.mark.parametrize(
    "tuple_",
    [{"view": True}, {"perms": {"view": True}}, {"permissions": {"view": True}}],
    ids=["flat", "perms", "permissions"],
)
def test_item07_18_dataset_permissions_patch_with_unknown_keys_is_400(testapp, acme, tuple_):
    headers = acme.headers("alice")
    dataset = create_dataset(testapp, headers)
    bob = acme.url("bob")
    for body in (
        {bob: tuple_},
        {"element": "shoji:catalog", "index": {bob: tuple_}},
    ):
        res = testapp.patch_json(dataset + "permissions/", body, headers=headers, status=400)
        assert_error(res, 400, bob)
        assert "dataset_permissions" in res.json["message"]
    assert bob not in read(testapp, dataset + "permissions/", headers)["index"]
    testapp.get(dataset, headers=acme.headers("bob"), status=404)
    grant = {bob: {"dataset_permissions": {"view": True}, "profile": {"weight": None}}}
    testapp.patch_json(dataset + "permissions/", grant, headers=headers, status=204)
    testapp.get(dataset, headers=acme.headers("bob"), status=200)


def test_item07_18_read_only_tuple_members_alone_are_400(testapp, acme):
    """What a catalog GET shows may be sent back beside the permissions
    member (ignored), but not alone: that would change nothing."""
    headers = acme.headers("alice")
    team = create_team(testapp, headers)
    bob = acme.url("bob")
    body = {bob: {"name": "Bob", "email": "x@example.com"}}
    assert_error(
        testapp.patch_json(team + "members/", body, headers=headers, status=400), 400, bob
    )
    assert bob not in team_members(testapp, team, headers)
    body = {bob: {"name": "Bob", "permissions": {"team_admin": True}}}
    testapp.patch_json(team + "members/", body, headers=headers, status=204)
    assert team_members(testapp, team, headers)[bob]["permissions"] == {"team_admin": True}


@pytest.mark.parametrize("profile", ["x", 3, [1]], ids=["string", "number", "list"])
def test_item07_15_share_profile_must_be_an_object(testapp, acme, profile):
    headers = acme.headers("alice")
    dataset = create_dataset(testapp, headers)
    bob = acme.url("bob")
    grant = {bob: {"dataset_permissions": {"view": True}, "profile": profile}}
    res = testapp.patch_json(dataset + "permissions/", grant, headers=headers, status=400)
    assert_error(res, 400, bob)
    assert bob not in read(testapp, dataset + "permissions/", headers)["index"]
