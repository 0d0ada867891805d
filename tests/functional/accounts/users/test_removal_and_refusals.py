"""Removal leaves a tombstone (DELETE or a ``null`` catalog entry, never
oneself), and a refused catalog PATCH changes nothing at all."""

import pytest

from tests.functional.accounts.users.helpers import (
    can_log_in,
    patch_entity,
    patch_users,
    post_user,
    stored,
)
from tests.functional.helpers import USERS

# -- removal leaves a tombstone ---------------------------------------------------------------


def test_delete_returns_the_id_and_leaves_a_tombstone(testapp, acme, factory):
    url, me = acme.url("member"), acme.headers("member")
    email = factory.email_of(acme.member)
    patch_entity(
        testapp,
        url,
        me,
        {
            "title": "Doomed",
            "mobile": "123",
            "username": "mel",
            "address": {"city": "Paris"},
            "manager": acme.url("admin"),
            "preferences": {"timezone": "Europe/Paris"},
        },
    )
    res = testapp.delete(url, headers=acme.headers("admin"), status=200)
    assert res.json == {"id": acme.member}

    # the tombstone keeps what attribution needs, and only admins see it
    tomb = testapp.get(url, headers=acme.headers("admin"), status=200).json["body"]
    assert tomb == {"id": acme.member, "name": tomb["name"], "status": "deleted"}
    assert "@" not in tomb["name"]
    stored_user = factory.read(
        lambda root: {
            k: getattr(root.users[acme.member], k)
            for k in ("password_hash", "email", "title", "mobile", "username", "manager_id")
        }
    )
    assert stored_user == dict.fromkeys(stored_user, None) | {"title": "", "mobile": ""}
    assert factory.read(lambda root: dict(root.users[acme.member].preferences)) == {
        "currency": "USD",
        "timezone": "UTC",
        "locale": "en_US",
    }

    testapp.get("/api/", headers=me, status=401)  # sessions are gone
    assert not can_log_in(testapp, email) and not can_log_in(testapp, "mel")
    deleted = testapp.get(
        USERS, params={"filters[status]": "deleted"}, headers=acme.headers("admin"), status=200
    ).json["index"]
    assert deleted[url] == tomb

    # the tombstone cannot be edited or removed again; the email and username are free
    patch_entity(testapp, url, acme.headers("admin"), {"title": "Zombie"}, status=403)
    testapp.delete(url, headers=acme.headers("admin"), status=400)
    again = post_user(
        testapp, acme.headers("admin"), {"email": email, "username": "mel", "send_invite": False}
    )
    assert again.location != url


def test_removal_through_the_catalog_answers_the_removed_ids(testapp, acme, factory):
    extra = acme.add("extra")
    res = patch_users(
        testapp,
        acme.headers("admin"),
        {acme.url("member"): None, acme.url("extra"): None},
        status=200,
    )
    assert sorted(res.json["removed"]) == sorted([acme.member, extra])
    assert stored(factory, acme.member)["status"] == "deleted"
    assert stored(factory, extra)["status"] == "deleted"


def test_admin_cannot_remove_themselves(testapp, acme, factory):
    testapp.delete(acme.url("admin"), headers=acme.headers("admin"), status=403)
    patch_users(testapp, acme.headers("admin"), {acme.url("admin"): None}, status=403)
    assert stored(factory, acme.admin)["status"] == "active"


# -- a refused request changes nothing ------------------------------------------------------------


@pytest.mark.parametrize(
    "second",
    [
        {"roles": ["no-such-role"]},
        {"status": "asleep"},
        {"favourite_colour": "blue"},
        {"preferences": {"timezone": "Nowhere/Land"}},
        "not an object",
    ],
)
def test_a_refused_catalog_patch_changes_nothing(testapp, acme, factory, inbox, second):
    other = acme.add("other")
    before = {u: stored(factory, u) for u in (acme.member, other)}
    index = {
        acme.url("member"): {"roles": ["editor"], "status": "locked"},
        acme.url("other"): second,
    }
    patch_users(testapp, acme.headers("admin"), index, status=400)
    assert {u: stored(factory, u) for u in (acme.member, other)} == before
    assert inbox.messages == []
    testapp.get("/api/", headers=acme.headers("member"), status=200)  # not logged out


def test_a_refused_catalog_patch_removes_nobody(testapp, acme, factory, inbox):
    index = {acme.url("member"): None, acme.url("owner"): {"roles": ["standard"]}}
    patch_users(testapp, acme.headers("admin"), index, status=403)
    assert stored(factory, acme.member)["status"] == "active"
    assert can_log_in(testapp, factory.email_of(acme.member))


def test_a_catalog_patch_naming_a_foreign_user_changes_nothing(testapp, factory, acme):
    stranger = factory.user(factory.account()[0])
    index = {
        acme.url("member"): {"roles": ["editor"]},
        factory.user_url(stranger): {"roles": ["editor"]},
    }
    patch_users(testapp, acme.headers("admin"), index, status=400)
    assert stored(factory, acme.member)["roles"] == ("standard",)
    assert stored(factory, stranger)["roles"] == ("standard",)
