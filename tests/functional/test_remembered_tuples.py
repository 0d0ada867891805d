"""Catalog tuples remembered across requests (``rendering.remembered``) are
never stale: each test reads a catalog (so its tuples are remembered),
changes one input of a tuple through another ZODB connection (or over
HTTP), reads again and sees the change."""

import pytest

from tests.factories import Scene
from tests.functional.helpers import USERS, id_of, read


@pytest.fixture
def acme(factory):
    scene = Scene(factory)
    scene.add("admin", roles=("administrator",), name="Ada Admin")
    scene.add("member", name="Mel Member")
    scene.add("editor", roles=("editor",), name="Ed Editor")
    return scene


def user_row(testapp, acme, who="member", viewer="admin", **kw):
    return read(testapp, USERS, {**acme.headers(viewer), **kw})["index"][acme.url(who)]


def change_user(factory, user_id, **fields):
    def change(root):
        user = root.users[user_id]
        for name, value in fields.items():
            setattr(user, name, value)

    factory.write(change)


# -- account users tuples -----------------------------------------------------------


def test_a_changed_user_is_read_afresh(testapp, factory, acme):
    assert user_row(testapp, acme)["name"] == "Mel Member"
    change_user(factory, acme.member, display_name="Mel Renamed", title="Chief")
    assert user_row(testapp, acme)["name"] == "Mel Renamed"


def test_a_new_sign_in_is_read_afresh(testapp, factory, acme, clock):
    acme.headers("admin")
    before = user_row(testapp, acme)  # the member has no sign-in record yet
    clock.advance(hours=3)
    acme.headers("member")  # creates the record
    first = user_row(testapp, acme)
    assert first["last_login"] != before["last_login"]
    clock.advance(hours=1)
    factory.login(acme.member)  # changes only the record's last sign-in
    assert user_row(testapp, acme)["last_login"] > first["last_login"]


def test_the_viewers_roles_change_the_tier_and_the_edit_flag(testapp, factory, acme):
    row = user_row(testapp, acme)
    assert row["editable"] is True and "roles" in row  # the full profile
    change_user(factory, acme.admin, roles=("standard",))
    row = user_row(testapp, acme)
    assert row["editable"] is False and "roles" not in row  # the public profile


def test_the_accounts_owner_changes_the_edit_flag(testapp, factory, acme):
    assert user_row(testapp, acme)["editable"] is True
    factory.write(lambda root: setattr(root.accounts[acme.account_id], "owner_id", acme.member))
    assert user_row(testapp, acme)["editable"] is False  # the owner's profile is theirs


def test_the_viewers_display_preferences_are_read_afresh(testapp, factory, acme):
    shown = user_row(testapp, acme)["display"]["created"]

    def prefer(root):
        root.users[acme.admin].preferences["locale"] = "de_DE"  # its own persistent object

    factory.write(prefer)
    assert user_row(testapp, acme)["display"]["created"] != shown


def test_urls_follow_the_requests_host(testapp, acme):
    assert acme.url("member") in read(testapp, USERS, acme.headers("admin"))["index"]
    other = read(testapp, USERS, {**acme.headers("admin"), "Host": "api.example.org"})
    assert f"http://api.example.org/api/users/{acme.member}/" in other["index"]


# -- dataset tuples -----------------------------------------------------------------


@pytest.fixture
def shared(acme):
    """A dataset of the editor's that the member may view; its URL."""
    url = acme.create_dataset("editor", name="Survey")
    acme.share(url, "editor", {"member": {"view": True}})
    return url


def dataset_row(testapp, acme, url, who="member"):
    return read(testapp, "/api/datasets/", acme.headers(who))["index"][url]


def test_a_changed_dataset_is_read_afresh(testapp, factory, acme, shared):
    assert dataset_row(testapp, acme, shared)["description"] == ""
    dataset_id = id_of(shared)
    factory.write(lambda root: setattr(root.datasets[dataset_id], "description", "Waves"))
    assert dataset_row(testapp, acme, shared)["description"] == "Waves"


def test_the_owners_new_name_is_read_afresh(testapp, factory, acme, shared):
    assert dataset_row(testapp, acme, shared)["owner_name"] == "Ed Editor"
    change_user(factory, acme.editor, display_name="Edna Editor")
    assert dataset_row(testapp, acme, shared)["owner_name"] == "Edna Editor"


def test_the_current_editors_name_and_the_project_are_read_afresh(testapp, factory, acme, shared):
    assert dataset_row(testapp, acme, shared)["project"] is None
    project = acme.create_project("editor", name="Waves")
    testapp.patch_json(shared, {"project": project}, headers=acme.headers("editor"), status=204)
    assert dataset_row(testapp, acme, shared)["project"] == project
    dataset_id = id_of(shared)
    factory.write(lambda root: setattr(root.datasets[dataset_id], "current_editor_id", acme.admin))
    assert dataset_row(testapp, acme, shared)["current_editor_name"] == "Ada Admin"
    change_user(factory, acme.admin, display_name="Ada Renamed")
    assert dataset_row(testapp, acme, shared)["current_editor_name"] == "Ada Renamed"


def test_changed_permissions_are_read_afresh(testapp, acme, shared):
    assert dataset_row(testapp, acme, shared)["permissions"]["edit"] is False
    acme.share(shared, "editor", {"member": {"edit": True}})
    assert dataset_row(testapp, acme, shared)["permissions"]["edit"] is True
