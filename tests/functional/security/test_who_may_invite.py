"""Issue 7 item 3: bringing a new person into the account by naming their
address in team, project or dataset sharing takes ``alter_users``; adding
existing users does not."""

import pytest

from tests.factories import acme_and_other
from tests.functional.helpers import create_dataset, create_team

NEWCOMER = "newcomer@example.com"


@pytest.fixture
def acme(factory):
    """``owner`` (admin), ``alice`` and ``dave`` (editors), ``bob`` (standard)."""
    return acme_and_other(factory)


def team_members(testapp, acme, who):
    team = create_team(testapp, acme.headers(who))
    return team + "members/", {}


def project_members(testapp, acme, who):
    res = testapp.post_json("/api/projects/", {"name": "P"}, headers=acme.headers(who), status=201)
    return res.location + "members/", {}


def dataset_permissions(testapp, acme, who):
    dataset = create_dataset(testapp, acme.headers(who))
    return dataset + "permissions/", {"dataset_permissions": {"view": True}}


DOORS = [team_members, project_members, dataset_permissions]


def user_with(factory, email):
    return factory.read(lambda root: root.users.find_by_email(email) is not None)


@pytest.mark.parametrize("door", DOORS, ids=lambda d: d.__name__)
def test_item07_03_member_without_alter_users_cannot_invite_new_people(
    testapp, acme, factory, inbox, door
):
    url, tuple_ = door(testapp, acme, "alice")
    res = testapp.patch_json(
        url,
        {NEWCOMER: tuple_, "send_notification": True, "url_base": "/join/${token}"},
        headers=acme.headers("alice"),
        status=403,
    )
    assert "admin" in res.json["message"] and NEWCOMER in res.json["message"]
    assert not user_with(factory, NEWCOMER)
    assert inbox.messages == []


@pytest.mark.parametrize("door", DOORS, ids=lambda d: d.__name__)
def test_item07_03_admins_invite_and_members_still_add_existing_users(
    testapp, acme, factory, inbox, door
):
    url, tuple_ = door(testapp, acme, "alice")
    bob_email = factory.email_of(acme.id("bob"))
    body = {bob_email: tuple_, acme.url("dave"): tuple_}
    testapp.patch_json(url, body, headers=acme.headers("alice"), status=204)
    assert {acme.url("bob"), acme.url("dave")} <= set(
        testapp.get(url, headers=acme.headers("alice")).json["index"]
    )

    url, tuple_ = door(testapp, acme, "owner")
    testapp.patch_json(url, {NEWCOMER: tuple_}, headers=acme.headers("owner"), status=204)
    assert user_with(factory, NEWCOMER)
    assert [m["To"] for m in inbox.wait_for(1)] == [NEWCOMER]


@pytest.mark.parametrize("address", ["a@b", "a@b.com\n", "x" * 250 + "@example.com"])
def test_item07_15_sharing_invites_only_valid_addresses(testapp, acme, inbox, address):
    """Sharing with a new address uses the same email rule as user creation."""
    members, _ = team_members(testapp, acme, "owner")
    res = testapp.patch_json(members, {address: {}}, headers=acme.headers("owner"), status=400)
    assert res.json["message"]
    users = testapp.get("/api/account/users/", headers=acme.headers("owner")).json["index"]
    assert all(address not in (t.get("email") or "") for t in users.values())
