"""Issue 7, items 8, 14, 15, 19 and 20 for users and accounts: bounded and
control-free strings, typed and honoured creation fields, the ``body``
wrapper and one wording for unknown fields, and only existing links."""

import pytest

from tests.factories import acme_and_other
from tests.functional.helpers import USERS, create_dataset, create_team

NAME_MAX, TEXT_MAX = 255, 4096


@pytest.fixture
def cast(factory):
    scene = acme_and_other(factory)
    scene.add("pending", status="pending", password=None, name="Pat")
    return scene


def wrapped(body):
    return {"element": "shoji:entity", "body": body}


def new_account(account_name="Acme 2", **owner):
    return {
        "name": account_name,
        "owner": {"email": "boss@acme2.test", **owner},
        "send_invite": False,
    }


class Doors:
    """Every way a user or account name gets in, each answering its status."""

    def __init__(self, testapp, cast):
        self.testapp, self.cast = testapp, cast

    def create_account(self, field, value, status):
        if field.startswith("owner."):
            body = new_account(**{field.split(".", 1)[1]: value})
        else:
            body = {**new_account(), field: value}
        return self.testapp.post_json(
            "/api/accounts/", wrapped(body), headers=self.cast.headers("superuser"), status=status
        )

    def patch_account(self, field, value, status):
        return self.testapp.patch_json(
            "/api/account/",
            wrapped({field: value}),
            headers=self.cast.headers("owner"),
            status=status,
        )

    def create_user(self, field, value, status):
        body = {"email": "new@acme.test", "send_invite": False, field: value}
        return self.testapp.post_json(
            USERS, wrapped(body), headers=self.cast.headers("owner"), status=status
        )

    def patch_self(self, field, value, status):
        return self.testapp.patch_json(
            self.cast.url("bob"), {field: value}, headers=self.cast.headers("bob"), status=status
        )

    def put_self(self, field, value, status):
        url = self.cast.url("bob")
        body = self.testapp.get(url, headers=self.cast.headers("bob")).json["body"]
        return self.testapp.put_json(
            url, wrapped({**body, field: value}), headers=self.cast.headers("bob"), status=status
        )

    def catalog_patch(self, field, value, status):
        """An admin fixes a pending user's name through the catalog."""
        index = {self.cast.url("pending"): {field: value}}
        return self.testapp.patch_json(
            USERS,
            {"element": "shoji:catalog", "index": index},
            headers=self.cast.headers("owner"),
            status=status,
        )


@pytest.fixture
def doors(testapp, cast):
    return Doors(testapp, cast)


def expect_400(res, field):
    assert res.json["errors"][0]["name"] == field, res.json
    assert field.rsplit(".", 1)[-1] in res.json["message"]


# -- item 8: sizes ----------------------------------------------------------------------

TOO_LONG = [
    ("create_account", "name", NAME_MAX),
    ("create_account", "owner.name", NAME_MAX),
    ("create_account", "url_base", TEXT_MAX),
    ("patch_account", "name", NAME_MAX),
    ("create_user", "name", NAME_MAX),
    ("create_user", "first_name", NAME_MAX),
    ("create_user", "last_name", NAME_MAX),
    ("create_user", "url_base", TEXT_MAX),
    ("create_user", "id_provider", NAME_MAX),
    ("patch_self", "name", NAME_MAX),
    ("patch_self", "title", NAME_MAX),
    ("patch_self", "mobile", NAME_MAX),
    ("patch_self", "avatar", TEXT_MAX),
    ("put_self", "last_name", NAME_MAX),
    ("catalog_patch", "name", NAME_MAX),
]


@pytest.mark.parametrize(("door", "field", "limit"), TOO_LONG)
def test_item07_08_every_string_has_a_maximum_length(
    testapp, factory, cast, doors, door, field, limit
):
    before = (factory.account_count(), factory.user_count(cast.account_id))
    res = getattr(doors, door)(field, "x" * (limit + 1), status=400)
    expect_400(res, field)
    assert str(limit) in res.json["message"]
    assert (factory.account_count(), factory.user_count(cast.account_id)) == before
    ok = 201 if door.startswith("create") else 204
    value = "x" * limit if field != "url_base" else "http://x.test/${token}/" + "x" * 100
    getattr(doors, door)(field, value, status=ok)


def test_item07_08_long_emails_and_address_parts(testapp, cast, doors):
    long_email = "x" * NAME_MAX + "@example.com"
    expect_400(doors.create_user("email", long_email, status=400), "email")
    for part, limit in (("street", TEXT_MAX), ("city", NAME_MAX), ("country", NAME_MAX)):
        res = doors.patch_self("address", {part: "x" * (limit + 1)}, 400)
        expect_400(res, f"address.{part}")
        doors.patch_self("address", {part: "x" * limit}, 204)


def test_item07_08_preferences_are_a_closed_bounded_object(testapp, cast, doors):
    """Profile preferences hold three validated keys: nothing free-form to grow."""
    res = doors.patch_self("preferences", {"blob": "x" * 100_000}, 400)
    expect_400(res, "preferences.blob")
    res = doors.patch_self("preferences", {"timezone": "x" * (TEXT_MAX + 1)}, 400)
    expect_400(res, "preferences.timezone")
    body = testapp.get(cast.url("bob"), headers=cast.headers("bob")).json["body"]
    assert set(body["preferences"]) == {"currency", "timezone", "locale"}


# -- item 14: control characters in names -----------------------------------------------

NAME_DOORS = [
    ("create_account", "name"),
    ("create_account", "owner.name"),
    ("patch_account", "name"),
    ("create_user", "name"),
    ("create_user", "first_name"),
    ("create_user", "last_name"),
    ("create_user", "username"),
    ("patch_self", "name"),
    ("patch_self", "first_name"),
    ("patch_self", "last_name"),
    ("patch_self", "username"),
    ("put_self", "name"),
    ("catalog_patch", "name"),
    ("catalog_patch", "first_name"),
]
CONTROL = ["Bob\r\nBcc: all@example.com", "Bob\nSmith", "Bob\x00", "Bob\u202eevil", "bobby\n"]


@pytest.mark.parametrize("value", CONTROL, ids=["crlf", "lf", "nul", "bidi", "final-lf"])
@pytest.mark.parametrize(("door", "field"), NAME_DOORS)
def test_item07_14_control_characters_in_names_are_400(
    testapp, factory, cast, doors, inbox, door, field, value
):
    before = (factory.account_count(), factory.user_count(cast.account_id))
    res = getattr(doors, door)(field, value, status=400)
    expect_400(res, field)
    assert (factory.account_count(), factory.user_count(cast.account_id)) == before
    assert inbox.messages == []


@pytest.mark.parametrize("field", ["email", "owner.email"])
def test_item07_14_control_characters_in_emails_are_400(testapp, cast, doors, inbox, field):
    value = "boss@acme2.test\r\nBcc: all@example.com"
    door = doors.create_account if field == "owner.email" else doors.create_user
    expect_400(door(field, value, status=400), field)
    expect_400(door(field, "boss@acme2.test\n", status=400), field)
    assert inbox.messages == []


# -- item 15: typed fields, honoured creation fields, dotted emails ---------------------


def created_user(testapp, cast, **body):
    res = testapp.post_json(
        USERS,
        wrapped({"email": "new@acme.test", "send_invite": False, **body}),
        headers=cast.headers("owner"),
        status=201,
    )
    return res.location


def test_item07_15_role_url_on_user_creation_assigns_the_role(testapp, cast):
    url = created_user(testapp, cast, role_url="http://localhost/api/roles/editor/")
    assert testapp.get(url, headers=cast.headers("owner")).json["body"]["roles"] == ["editor"]
    for bad in ("http://localhost/api/roles/emperor/", "http://localhost/api/teams/editor/", 3):
        body = wrapped({"email": "x@acme.test", "role_url": bad})
        res = testapp.post_json(USERS, body, headers=cast.headers("owner"), status=400)
        assert res.json["errors"][0]["name"] == "role_url"
    both = wrapped(
        {
            "email": "x@acme.test",
            "role_url": "http://localhost/api/roles/editor/",
            "account_permissions": {"alter_users": True},
        }
    )
    testapp.post_json(USERS, both, headers=cast.headers("owner"), status=400)


def test_item07_15_teams_and_projects_on_user_creation_add_the_user(testapp, cast):
    team = create_team(testapp, cast.headers("alice"), "Alice's team")
    project = testapp.post_json(
        "/api/projects/", {"name": "P"}, headers=cast.headers("alice"), status=201
    ).location
    url = created_user(testapp, cast, teams=[team], projects=[project])
    members = testapp.get(team + "members/", headers=cast.headers("alice")).json["index"]
    assert members[url]["permissions"] == {"team_admin": False}
    members = testapp.get(project + "members/", headers=cast.headers("alice")).json["index"]
    assert members[url]["permissions"] == {"edit": False, "view": True}


def test_item07_15_teams_and_projects_the_caller_may_not_add_to(testapp, factory, cast):
    """The owner of Acme may not add members to Other's team or project, and
    a URL naming nothing is a 400; the user is not created either way."""
    foreign_team = create_team(testapp, cast.headers("outsider"), "Theirs")
    foreign_project = testapp.post_json(
        "/api/projects/", {"name": "Theirs"}, headers=cast.headers("outsider"), status=201
    ).location
    before = factory.user_count(cast.account_id)
    for field, value, status in (
        ("teams", [foreign_team], 400),  # invisible to the caller: not one of theirs
        ("projects", [foreign_project], 400),
        ("teams", ["http://localhost/api/teams/nope/"], 400),
        ("projects", ["http://localhost/api/projects/nope/"], 400),
        ("teams", "not a list", 400),
    ):
        body = wrapped({"email": "x@acme.test", field: value})
        res = testapp.post_json(USERS, body, headers=cast.headers("owner"), status=status)
        assert res.json["errors"][0]["name"] == field
    # visible but not manageable: bob, an Acme admin, is a plain member of
    # a team of Other
    testapp.patch_json(
        USERS, {cast.url("bob"): {"roles": ["administrator"]}}, headers=cast.headers("owner")
    )
    outsiders_team = create_team(testapp, cast.headers("outsider"), "Mixed")
    testapp.patch_json(
        outsiders_team + "members/", {cast.url("bob"): {}}, headers=cast.headers("outsider")
    )
    body = wrapped({"email": "x@acme.test", "teams": [outsiders_team]})
    testapp.post_json(USERS, body, headers=cast.headers("bob"), status=403)
    assert factory.user_count(cast.account_id) == before


def test_item07_15_icon_url_and_weight_are_typed(testapp, cast):
    h = cast.headers("alice")
    for icon in (5, {"url": "x"}, ["x"], True):
        testapp.post_json("/api/projects/", {"name": "P", "icon_url": icon}, headers=h, status=400)
    project = testapp.post_json(
        "/api/projects/", {"name": "P", "icon_url": "http://x.test/i.png"}, headers=h, status=201
    ).location
    testapp.patch_json(project, {"icon_url": 7}, headers=h, status=400)
    testapp.patch_json(project, {"icon_url": None}, headers=h, status=204)
    dataset = create_dataset(testapp, h)
    for weight in (5, 1.5, {"a": 1}, True):
        res = testapp.patch_json(dataset + "settings/", {"weight": weight}, headers=h, status=400)
        assert res.json["errors"][0]["name"] == "weight"
    testapp.patch_json(dataset + "settings/", {"weight": None}, headers=h, status=204)


@pytest.mark.parametrize("email", ["a@b", "bob@localhost", "x@example.c0"])
def test_item07_15_emails_need_a_dotted_domain(testapp, cast, doors, email):
    expect_400(doors.create_user("email", email, status=400), "email")
    expect_400(doors.create_account("owner.email", email, status=400), "owner.email")
    res = testapp.patch_json(
        cast.url("pending"), {"email": email}, headers=cast.headers("owner"), status=400
    )
    expect_400(res, "email")
    expect_400(doors.catalog_patch("email", email, status=400), "email")


def test_item07_15_unknown_fields_on_user_actions_are_400(testapp, cast):
    owner, url = cast.headers("owner"), cast.url("pending")
    res = testapp.post_json(url + "invite/", {"url_bas": "x"}, headers=owner, status=400)
    assert res.json["errors"][0]["name"] == "url_bas"
    res = testapp.post_json(
        cast.url("bob") + "password/",
        {"old_pw": "x", "new_pw": "y", "confirm": "y"},
        headers=cast.headers("bob"),
        status=400,
    )
    assert res.json["errors"][0]["name"] == "confirm"
    res = testapp.post_json(
        cast.url("bob") + "reassign/",
        {"owner": cast.url("alice"), "dry": True},
        headers=owner,
        status=400,
    )
    assert res.json["errors"][0]["name"] == "dry"


# -- item 19: the README's body wrapper; one wording for unknown fields -----------------


def test_item07_19_body_wrapper_without_element_is_accepted(testapp, factory, cast):
    before = factory.account_count()
    res = testapp.post_json(
        "/api/accounts/",
        {"body": new_account("Readme Inc")},
        headers=cast.headers("superuser"),
        status=201,
    )
    assert factory.account_count() == before + 1
    testapp.patch_json(
        res.location,
        {"body": {"name": "Readme Ltd"}},
        headers=cast.headers("superuser"),
        status=204,
    )
    assert (
        testapp.get(res.location, headers=cast.headers("superuser")).json["body"]["name"]
        == "Readme Ltd"
    )
    created_user_url = testapp.post_json(
        USERS,
        {"body": {"email": "wrapped@acme.test", "send_invite": False}},
        headers=cast.headers("owner"),
        status=201,
    ).location
    testapp.patch_json(
        created_user_url,
        {"self": created_user_url, "body": {"name": "W"}},
        headers=cast.headers("owner"),
        status=204,
    )


def test_item07_19_unknown_fields_are_listed_with_the_allowed_ones(testapp, cast):
    res = testapp.post_json(
        "/api/accounts/",
        {"body": {**new_account(), "colour": "red", "size": 3}},
        headers=cast.headers("superuser"),
        status=400,
    )
    message = res.json["message"]
    assert message == (
        "unknown field(s) colour, size; allowed fields: name, owner, send_invite, url_base"
    )
    assert res.json["errors"][0]["name"] == "colour"
    nested = {**new_account(), "owner": {"email": "b@acme2.test", "phone": "1"}}
    res = testapp.post_json(
        "/api/accounts/", {"body": nested}, headers=cast.headers("superuser"), status=400
    )
    assert res.json["message"] == (
        "owner: unknown field(s) phone; allowed fields: email, name, password"
    )
    assert res.json["errors"][0]["name"] == "owner.phone"
    # the same wording where bodies are checked without colander
    res = testapp.post_json(
        "/api/teams/", {"name": "T", "colour": "red"}, headers=cast.headers("alice"), status=400
    )
    assert res.json["message"] == "unknown field(s) colour; allowed fields: name"
    for body in ({"body": {"name": "x", "bogus": {"a": 1}}}, {"name": "x", "bogus": {"a": 1}}):
        res = testapp.patch_json("/api/account/", body, headers=cast.headers("owner"), status=400)
        assert "{" not in res.json["message"] and "'" not in res.json["message"]


# -- item 20: advertise only what exists for the caller ----------------------------------


def links_of(doc):
    for member in ("catalogs", "views", "urls", "fragments"):
        for name, link in doc.get(member, {}).items():
            if "{" not in link and name != "logout_url":
                yield f"{member}.{name}", link


@pytest.mark.parametrize("who", ["superuser", "owner", "bob"])
def test_item07_20_root_advertises_only_what_exists(testapp, cast, who):
    headers = cast.headers(who)
    root = testapp.get("/api/", headers=headers, status=200).json
    if who == "superuser":
        assert "account" not in root["views"] and "account_url" not in root["urls"]
    else:
        assert root["views"]["account"] == root["urls"]["account_url"]
    for name, link in links_of(root):
        res = testapp.get(link, headers=headers, expect_errors=True)
        assert res.status_int == 200, (name, link, res.status)


def test_item07_20_public_catalog_and_401_advertise_only_what_exists(testapp):
    public = testapp.get("/api/public/", status=200).json
    assert set(public["views"]) == {
        "login",
        "password_reset",
        "password_change",
        "password_policy",
        "change_email",
        "verify_email",
        "second_factor",
    }
    urls = testapp.get("/api/", status=401).json["urls"]
    for link in [*public["views"].values(), *urls.values()]:
        res = testapp.get(link, expect_errors=True)
        assert res.status_int in (200, 405), (link, res.status)
