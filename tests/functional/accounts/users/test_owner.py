"""The account owner: never removed nor demoted, and handing ownership over
only to an active admin of the same account, by the owner alone."""

import pytest

from tests.factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD
from tests.functional.accounts.users.helpers import (
    field_of,
    patch_entity,
    patch_users,
    stored,
)

# -- the owner -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "attempt",
    [
        ("catalog", None),
        ("catalog", {"roles": ["standard"]}),
        ("catalog", {"account_permissions": {"alter_users": False}}),
        ("catalog", {"account_permissions": {"admin_account": False}}),
        ("catalog", {"status": "locked"}),
        ("entity", {"roles": ["editor"]}),
        ("entity", {"status": "inactive"}),
        ("delete", None),
    ],
)
@pytest.mark.parametrize("actor", ["admin", "superuser"])
def test_owner_cannot_be_removed_or_lose_admin(testapp, acme, factory, actor, attempt):
    headers = (
        factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
        if actor == "superuser"
        else acme.headers("admin")
    )
    door, change = attempt
    owner_url = acme.url("owner")
    before = stored(factory, acme.owner)
    if door == "catalog":
        testapp.patch_json(
            f"/api/accounts/{acme.account_id}/users/",
            {owner_url: change},
            headers=headers,
            status=403,
        )
    elif door == "entity":
        patch_entity(testapp, owner_url, headers, change, status=403)
    else:
        testapp.delete(owner_url, headers=headers, status=403)
    assert stored(factory, acme.owner) == before
    testapp.get("/api/account/", headers=acme.headers("owner"), status=200)


def account_body(testapp, headers):
    return testapp.get("/api/account/", headers=headers, status=200).json["body"]


@pytest.mark.parametrize("form", ["bare", "entity", "email"])
def test_owner_hands_ownership_to_an_active_admin(testapp, acme, factory, inbox, form):
    new_owner = acme.url("admin")
    if form == "bare":
        testapp.patch_json(
            "/api/account/", {"owner": new_owner}, headers=acme.headers("owner"), status=204
        )
    elif form == "entity":
        patch_entity(testapp, "/api/account/", acme.headers("owner"), {"owner": new_owner})
    else:
        testapp.patch_json(
            "/api/account/",
            {"owner": factory.email_of(acme.admin)},
            headers=acme.headers("owner"),
            status=204,
        )
    assert account_body(testapp, acme.headers("member"))["owner"] == new_owner
    mail = inbox.wait_for(1)[0]
    assert mail["To"] == factory.email_of(acme.admin)
    assert mail["Subject"] == "You are now an owner"
    # the former owner is no longer untouchable: the new owner may demote them ...
    patch_users(testapp, acme.headers("admin"), {acme.url("owner"): {"roles": ["editor"]}})
    # ... and they can no longer hand the account over
    testapp.patch_json(
        "/api/account/", {"owner": acme.url("owner")}, headers=acme.headers("owner"), status=403
    )
    assert account_body(testapp, acme.headers("member"))["owner"] == new_owner


def test_only_the_owner_hands_over_ownership(testapp, acme, inbox):
    for who in ("admin", "member"):
        testapp.patch_json(
            "/api/account/", {"owner": acme.url("admin")}, headers=acme.headers(who), status=403
        )
    assert account_body(testapp, acme.headers("member"))["owner"] == acme.url("owner")
    assert inbox.messages == []


@pytest.mark.parametrize(
    "candidate",
    [
        "member",
        "pending_admin",
        "locked_admin",
        "foreign_admin",
        "deleted_admin",
        "unknown",
        "not a url",
    ],
)
def test_new_owner_must_be_an_active_admin_of_the_account(
    testapp, acme, factory, inbox, candidate
):
    if candidate == "member":
        ref = acme.url("member")
    elif candidate == "pending_admin":
        acme.add(candidate, roles=("administrator",), status="pending", password=None)
        ref = acme.url(candidate)
    elif candidate == "locked_admin":
        acme.add(candidate, roles=("administrator",), status="locked")
        ref = acme.url(candidate)
    elif candidate == "foreign_admin":
        ref = factory.user_url(factory.account()[1])
    elif candidate == "deleted_admin":
        acme.add("doomed", roles=("administrator",))
        testapp.delete(acme.url("doomed"), headers=acme.headers("owner"), status=200)
        ref = acme.url("doomed")
    elif candidate == "unknown":
        ref = factory.user_url("f" * 32)
    else:
        ref = candidate
    res = testapp.patch_json(
        "/api/account/", {"owner": ref}, headers=acme.headers("owner"), status=400
    )
    assert field_of(res) == "owner"
    assert account_body(testapp, acme.headers("member"))["owner"] == acme.url("owner")
    assert [m["Subject"] for m in inbox.messages if "owner" in m["Subject"]] == []


def test_account_patch_refuses_unknown_fields_and_wrong_types(testapp, acme):
    for body in ({"colour": "red"}, {"name": 5}, {"name": ""}, {"owner": 5}):
        testapp.patch_json("/api/account/", body, headers=acme.headers("owner"), status=400)
    assert account_body(testapp, acme.headers("owner"))["name"] == "Acme"
