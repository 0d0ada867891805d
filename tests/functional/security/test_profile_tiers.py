"""Issue 7, items 4, 13 and 17: who reads which part of a user, who edits
the owner's profile, and what a removed user leaves behind.

Two tiers (``representations.profile_tier``): the *full* profile for the
user and the admins of the user's own account (the superuser included); the
*public* profile for everyone else who may see the user at all — a plain
member of the same account, a co-member of a team from any account, the
admins of an account the user collaborates with.
"""

import pytest

from tests.factories import Scene
from tests.functional.helpers import USERS

#: What the public tier may show, whatever the representation.  Written out
#: rather than imported from ``representations.PUBLIC_PROFILE``: a field
#: added there by mistake must fail here.
PUBLIC = {
    "id",
    "name",
    "first_name",
    "last_name",
    "email",
    "avatar",
    "id_method",
    "id_provider",
    "dataset_permissions",
    "editable",
}
#: Private members a full profile carries (entity body).
PRIVATE = {"mobile", "address", "preferences", "roles", "last_login", "title", "status"}


@pytest.fixture
def world(factory, testapp):
    """Acme: ``owner``, ``admin`` (administrator), ``bob`` and ``carol``
    (standard).  Other: ``oscar`` (owner), ``otto`` (in a team with bob,
    owned by bob), ``olga`` (a dataset of Acme's owner is shared with her)
    and ``pia`` (a member of a project of Acme's owner): both collaborate
    with Acme."""
    scene = Scene(factory)
    other = scene.add_account("Other", owner="oscar")
    scene.add("admin", roles=("administrator",), name="Ada Admin")
    scene.add("bob", name="Bob Member")
    scene.add("carol", name="Carol Member")
    scene.add("otto", other, name="Otto Other")
    scene.add("olga", other, name="Olga Other")
    scene.add("pia", other, name="Pia Other")
    scene.create_team("bob", "Mixed", members=("otto",))
    dataset = scene.create_dataset("owner", "Shared")
    scene.share(dataset, "owner", {"olga": {"view": True}})
    scene.create_project("owner", "Joint", members={"pia": {}})
    for name in ("bob", "otto", "olga", "pia"):
        testapp.patch_json(
            scene.url(name),
            {
                "mobile": "+33 6 12 34 56 78",
                "title": "Analyst",
                "address": {"city": "Paris"},
                "preferences": {"timezone": "Europe/Paris"},
            },
            headers=scene.headers(name),
            status=204,
        )
    return scene


# (viewer, target, tier, way of becoming visible)
WAYS = [
    ("bob", "bob", "full", "the user themself"),
    ("owner", "bob", "full", "the owner of the user's account"),
    ("admin", "bob", "full", "an admin of the user's account"),
    ("superuser", "bob", "full", "the superuser"),
    ("oscar", "otto", "full", "the owner of otto's own account"),
    ("carol", "bob", "public", "a plain member of the same account"),
    ("otto", "bob", "public", "a team co-member from another account"),
    ("bob", "otto", "public", "a team co-member, seen from the other side"),
    ("owner", "otto", "public", "an admin of an account otto collaborates on (team)"),
    ("admin", "olga", "public", "an admin of an account olga collaborates on (dataset)"),
    ("owner", "pia", "public", "an admin of an account pia collaborates on (project)"),
    ("oscar", "pia", "full", "the owner of pia's own account"),
]


@pytest.mark.parametrize(("viewer", "target", "tier", "way"), WAYS, ids=[w[3] for w in WAYS])
def test_item07_04_private_profile_fields_by_way_of_visibility(
    testapp, world, viewer, target, tier, way
):
    headers = world.headers(viewer)
    body = testapp.get(world.url(target), headers=headers, status=200).json["body"]
    email = world.email(target)
    listed = testapp.get("/api/users/", params={"email": email}, headers=headers, status=200)
    row = listed.json["index"][world.url(target)]
    if tier == "full":
        assert PRIVATE <= set(body)
        assert body["mobile"] == "+33 6 12 34 56 78" and body["address"] == {"city": "Paris"}
        assert {"status", "username"} <= set(row)
    else:
        assert set(body) <= PUBLIC and set(row) <= PUBLIC
        assert body["email"] == email and body["id"] == world.id(target)
        assert not PRIVATE & (set(body) | set(row))


@pytest.mark.parametrize(("viewer", "tier"), [("carol", "public"), ("admin", "full")])
def test_item07_04_account_users_catalog_tiers(testapp, world, viewer, tier):
    """A plain member of the account sees co-members' public profiles only
    (and what pycrunch's sharing recipe reads: ``dataset_permissions``)."""
    index = testapp.get(USERS, headers=world.headers(viewer), status=200).json["index"]
    bob = index[world.url("bob")]
    if tier == "public":
        assert set(bob) <= PUBLIC and "dataset_permissions" in bob
        assert index[world.url("carol")]["roles"] == ["standard"]  # herself: full
    else:
        assert {"roles", "last_login", "status", "account_permissions"} <= set(bob)


def test_item07_04_user_entity_links_only_what_the_viewer_may_use(testapp, world):
    as_coworker = testapp.get(world.url("bob"), headers=world.headers("otto"), status=200).json
    assert "fragments" not in as_coworker and "catalogs" not in as_coworker
    assert "urls" not in as_coworker  # Acme's account is not otto's to read
    as_admin = testapp.get(world.url("bob"), headers=world.headers("admin"), status=200).json
    assert set(as_admin["fragments"]) == {
        "invite",
        "reassign",
        "expropriate",
        "password_reset",
        "force_password_reset",
        "second_factor",
    }
    assert as_admin["catalogs"]["visible_datasets"].endswith("/visible_datasets/")


# -- item 13: the owner's profile is theirs alone -----------------------------------


OWNER_PROFILE_CHANGES = [
    {"username": "hijacked"},
    {"title": "Fired"},
    {"mobile": "000"},
    {"avatar": "http://evil.test/a.png"},
    {"address": {"city": "Nowhere"}},
    {"preferences": {"locale": "fr_FR"}},
]


def owner_profile(factory, world):
    def read(root):
        owner = root.users[world.owner]
        fields = ("username", "title", "mobile", "first_name", "avatar", "address")
        return {f: getattr(owner, f) for f in fields} | {"prefs": dict(owner.preferences)}

    return factory.read(read)


@pytest.mark.parametrize("change", OWNER_PROFILE_CHANGES, ids=lambda c: next(iter(c)))
def test_item07_13_admin_cannot_change_the_owners_profile(testapp, world, factory, change):
    before = owner_profile(factory, world)
    res = testapp.patch_json(
        world.url("owner"), change, headers=world.headers("admin"), status=403
    )
    assert "owner" in res.json["message"]
    testapp.patch_json(
        USERS, {world.url("owner"): change}, headers=world.headers("admin"), status=403
    )
    testapp.patch_json(world.url("owner"), change, headers=world.headers("superuser"), status=403)
    assert owner_profile(factory, world) == before
    # the owner changes it, and an admin still edits other users' profiles
    testapp.patch_json(world.url("owner"), change, headers=world.headers("owner"), status=204)
    if "username" in change:
        change = {"username": "bobs-new-name"}
    testapp.patch_json(world.url("bob"), change, headers=world.headers("admin"), status=204)


def test_item07_13_owner_row_is_not_editable_for_admins(testapp, world):
    index = testapp.get(USERS, headers=world.headers("admin"), status=200).json["index"]
    assert index[world.url("owner")]["editable"] is False
    assert index[world.url("bob")]["editable"] is True


# -- item 17: removed users leave every listing --------------------------------------


def remove(testapp, world, name):
    res = testapp.patch_json(
        USERS, {world.url(name): None}, headers=world.headers("owner"), status=200
    )
    assert res.json == {"removed": [world.id(name)]}


def test_item07_17_removed_user_leaves_listings_and_lookups(testapp, world):
    email = world.email("bob")
    url = world.url("bob")
    remove(testapp, world, "bob")
    for viewer in ("owner", "admin", "carol"):
        headers = world.headers(viewer)
        assert url not in testapp.get(USERS, headers=headers, status=200).json["index"]
        assert url not in testapp.get("/api/users/", headers=headers, status=200).json["index"]
        by_email = testapp.get("/api/users/", params={"email": email}, headers=headers)
        assert by_email.json["index"] == {}
        by_id = testapp.get("/api/users/", params={"id": world.bob}, headers=headers)
        assert by_id.json["index"] == {}
        found = testapp.get(USERS, params={"search": email}, headers=headers, status=200)
        assert found.json["index"] == {}


def test_item07_17_tombstone_keeps_id_and_name_for_admins_only(testapp, world, factory):
    url = world.url("bob")
    remove(testapp, world, "bob")
    tomb = {"id": world.bob, "name": "Bob Member", "status": "deleted"}
    assert testapp.get(url, headers=world.headers("admin"), status=200).json["body"] == tomb
    deleted = testapp.get(
        USERS, params={"filters[status]": "deleted"}, headers=world.headers("admin"), status=200
    )
    assert deleted.json["index"] == {url: tomb}
    testapp.get(url, headers=world.headers("carol"), status=404)
    testapp.get(
        USERS, params={"filters[status]": "deleted"}, headers=world.headers("carol"), status=403
    )
    assert factory.read(lambda root: root.users[world.bob].email) is None


def test_item07_17_tombstone_of_a_nameless_user_does_not_keep_the_email(testapp, world, factory):
    nameless = factory.user(world.account_id, email="nameless@example.com")
    res = testapp.patch_json(
        USERS, {factory.user_url(nameless): None}, headers=world.headers("owner"), status=200
    )
    assert res.json == {"removed": [nameless]}
    tomb = testapp.get(factory.user_url(nameless), headers=world.headers("owner"), status=200)
    assert "nameless" not in tomb.text
