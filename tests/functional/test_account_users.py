"""Account users and user entities (issue 3), beyond who-may-call-what.

test_account_permissions.py has the permission table and test_link_tokens.py
the token edges; this module covers the rest of the behaviour: validation of
new users, the catalog tuples with paging, search and filters, roles and
permissions, statuses and the mails they send, the owner and its hand-over,
pending users, the user entity (profile, address, manager, preferences and
their ``display`` times), the ``/api/users/`` narrowing, removal as a
tombstone, and that a refused request changes nothing.
"""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime

from tests.factories import PASSWORD, SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Scene

USERS = "/api/account/users/"
URL_BASE = "https://app.example.com/password/change/${token}/"
START = datetime(2026, 1, 1, tzinfo=UTC)  # FrozenClock's default start
NEW_PASSWORD = "a brand new secret"


@pytest.fixture
def acme(factory):
    """Account ``Acme`` with its ``owner``, an ``admin`` and a standard ``member``."""
    scene = Scene(factory)
    scene.add("admin", roles=("administrator",), name="Ada Admin")
    scene.add("member", name="Mel Member")
    return scene


def stored(factory, user_id):
    """What the database holds for a user, for before/after comparisons."""

    def snapshot(root):
        user = root.users[user_id]
        return {
            "status": user.status,
            "roles": tuple(user.roles),
            "name": user.name,
            "email": user.email,
            "title": user.title,
            "preferences": dict(user.preferences),
            "account_id": user.account_id,
        }

    return factory.read(snapshot)


def account_user_count(factory, account_id):
    return factory.read(lambda root: len(root.accounts[account_id].user_ids))


def post_user(testapp, headers, body, status=201, url=USERS):
    return testapp.post_json(
        url, {"element": "shoji:entity", "body": body}, headers=headers, status=status
    )


def patch_users(testapp, headers, index, status=204, **top):
    return testapp.patch_json(
        USERS, {"element": "shoji:catalog", "index": index, **top}, headers=headers, status=status
    )


def patch_entity(testapp, url, headers, body, status=204):
    return testapp.patch_json(
        url, {"element": "shoji:entity", "body": body}, headers=headers, status=status
    )


def field_of(res):
    return res.json["errors"][0]["name"]


def token_in(mail):
    """The token of the ``URL_BASE`` link in a received mail."""
    text = mail.get_payload(decode=True).decode()
    return text.split("/password/change/", 1)[1].split("/", 1)[0]


def set_password(testapp, token, status=204):
    return testapp.post_json(
        "/api/public/password_change/", {"token": token, "password": NEW_PASSWORD}, status=status
    )


def can_log_in(testapp, login, password=PASSWORD):
    res = testapp.post_json(
        "/api/public/login/", {"email": login, "password": password}, status=(204, 401)
    )
    return res.status_int == 204


# -- accounts are created by the superuser -----------------------------------------------------


@pytest.fixture
def superuser(factory):
    return factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)


def account_count(factory):
    return factory.read(lambda root: len(root.accounts))


def test_superuser_creates_an_account_whose_owner_is_invited(testapp, factory, superuser, inbox):
    res = testapp.post_json(
        "/api/accounts/",
        {
            "element": "shoji:entity",
            "body": {
                "name": "Initech",
                "url_base": URL_BASE,
                "owner": {"email": "bill@initech.test", "name": "Bill"},
            },
        },
        headers=superuser,
        status=201,
    )
    account = testapp.get(res.location, headers=superuser, status=200).json
    assert account["body"]["name"] == "Initech"
    owner_url = account["body"]["owner"]
    owner = testapp.get(owner_url, headers=superuser, status=200).json["body"]
    assert owner["status"] == "pending" and owner["roles"] == ["administrator"]

    mail = inbox.wait_for(1)[0]
    assert mail["To"] == "bill@initech.test" and "Initech" in mail["Subject"]
    set_password(testapp, token_in(mail))
    headers = factory.login("bill@initech.test", NEW_PASSWORD)
    mine = testapp.get("/api/account/", headers=headers, status=200).json
    assert mine["self"] == res.location and mine["body"]["owner"] == owner_url


def test_account_without_invitation_sends_no_mail(testapp, superuser, inbox):
    testapp.post_json(
        "/api/accounts/",
        {"name": "Quiet", "send_invite": False, "owner": {"email": "quiet@example.com"}},
        headers=superuser,
        status=201,
    )
    assert inbox.messages == []


@pytest.mark.parametrize(
    "body,field",
    [
        ({"owner": {"email": "a@example.com"}}, "name"),
        ({"name": "", "owner": {"email": "a@example.com"}}, "name"),
        ({"name": 5, "owner": {"email": "a@example.com"}}, "name"),
        ({"name": "N"}, "owner"),
        ({"name": "N", "owner": {"email": "not-an-email"}}, "owner.email"),
        (
            {"name": "N", "owner": {"email": "a@example.com", "password": "short"}},
            "owner.password",
        ),
        ({"name": "N", "owner": {"email": "a@example.com", "age": 3}}, "owner"),
        ({"name": "N", "owner": {"email": "a@example.com"}, "plan": "gold"}, None),
        ({"name": "N", "owner": {"email": SUPERUSER_EMAIL}}, "owner.email"),
    ],
)
def test_invalid_account_creation_is_400_and_creates_nothing(
    testapp, factory, superuser, inbox, body, field
):
    before = account_count(factory)
    res = testapp.post_json("/api/accounts/", body, headers=superuser, status=400)
    if field:
        assert field_of(res).startswith(field)
    assert account_count(factory) == before
    assert factory.read(lambda root: root.users.find_by_email("a@example.com")) is None
    assert inbox.messages == []


def test_account_owner_email_already_used_is_400_and_creates_nothing(
    testapp, factory, superuser, acme
):
    before = account_count(factory)
    res = testapp.post_json(
        "/api/accounts/",
        {"name": "Copycat", "owner": {"email": factory.email_of(acme.member).upper()}},
        headers=superuser,
        status=400,
    )
    assert "Acme" not in res.json["message"]
    assert account_count(factory) == before


# -- POST validation --------------------------------------------------------------


@pytest.mark.parametrize("email", ["not-an-email", "@example.com", "x y@example.com", ""])
def test_post_with_an_invalid_email_is_400_naming_the_field(testapp, acme, factory, inbox, email):
    res = post_user(testapp, acme.headers("owner"), {"email": email}, status=400)
    assert field_of(res) == "email"
    assert account_user_count(factory, acme.account_id) == 3
    assert inbox.messages == []


def test_post_without_an_email_is_400(testapp, acme):
    res = post_user(testapp, acme.headers("owner"), {"name": "No Mail"}, status=400)
    assert field_of(res) == "email"


def test_duplicate_email_is_400_and_does_not_say_where_it_is_used(testapp, factory, acme, inbox):
    secret_id, secret_owner = factory.account(name="Secret Corp")
    elsewhere = factory.email_of(secret_owner)
    here = factory.email_of(acme.member)
    answers = []
    for email in (here, elsewhere, here.upper(), elsewhere.upper()):
        res = post_user(testapp, acme.headers("admin"), {"email": email}, status=400)
        assert field_of(res) == "email"
        answers.append(res.json)
    assert all(answer == answers[0] for answer in answers), answers
    message = answers[0]["message"]
    for secret in ("Secret Corp", secret_id, secret_owner, "Acme", acme.account_id, "account"):
        assert secret not in message
    assert account_user_count(factory, acme.account_id) == 3
    assert inbox.messages == []


@pytest.mark.parametrize(
    "body,field",
    [
        ({"email": 3}, "email"),
        ({"email": ["a@example.com"]}, "email"),
        ({"name": 3}, "name"),
        ({"first_name": None}, "first_name"),
        ({"password": 12345678}, "password"),
        ({"username": 5}, "username"),
        ({"roles": "administrator"}, "roles"),
        ({"roles": [1]}, "roles"),
        ({"send_invite": "yes"}, "send_invite"),
        ({"account_permissions": {"alter_users": "true"}}, "account_permissions.alter_users"),
        ({"account_permissions": ["alter_users"]}, "account_permissions"),
        ({"url_base": True}, "url_base"),
    ],
)
def test_post_with_wrong_json_types_is_400(testapp, acme, factory, body, field):
    res = post_user(
        testapp, acme.headers("owner"), {"email": "typed@example.com", **body}, status=400
    )
    assert field_of(res) == field
    assert factory.read(lambda root: root.users.find_by_email("typed@example.com")) is None


@pytest.mark.parametrize("body", [["a@example.com"], "a@example.com", 42])
def test_post_body_that_is_not_an_object_is_400(testapp, acme, body):
    testapp.post_json(USERS, body, headers=acme.headers("owner"), status=400)
    testapp.post_json(
        USERS, {"element": "shoji:entity", "body": body}, headers=acme.headers("owner"), status=400
    )


def test_post_with_an_unknown_field_is_400_naming_it(testapp, acme, factory):
    res = post_user(
        testapp,
        acme.headers("owner"),
        {"email": "typo@example.com", "favourite_colour": "blue"},
        status=400,
    )
    assert "favourite_colour" in res.json["message"]
    assert account_user_count(factory, acme.account_id) == 3


def test_post_with_a_password_makes_an_active_user_who_can_log_in(testapp, acme):
    res = post_user(
        testapp,
        acme.headers("owner"),
        {"email": "ready@example.com", "password": NEW_PASSWORD, "send_invite": False},
    )
    body = testapp.get(res.location, headers=acme.headers("owner"), status=200).json["body"]
    assert body["status"] == "active"
    assert can_log_in(testapp, "ready@example.com", NEW_PASSWORD)


def test_post_with_a_weak_password_is_400(testapp, acme, factory):
    res = post_user(
        testapp,
        acme.headers("owner"),
        {"email": "weak@example.com", "password": "abc"},
        status=400,
    )
    assert field_of(res) == "password"
    assert account_user_count(factory, acme.account_id) == 3


def test_username_is_unique_and_works_as_a_login(testapp, factory, acme):
    post_user(
        testapp,
        acme.headers("owner"),
        {
            "email": "jane@example.com",
            "username": "jdoe",
            "password": NEW_PASSWORD,
            "send_invite": False,
        },
    )
    other_account, other_owner = factory.account()
    for username in ("jdoe", "JDoe"):  # also from another account
        res = post_user(
            testapp,
            factory.login(other_owner),
            {"email": f"{username}x@example.com", "username": username},
            status=400,
        )
        assert field_of(res) == "username"
    # a username may not shadow somebody's email either
    res = post_user(
        testapp,
        acme.headers("owner"),
        {"email": "third@example.com", "username": factory.email_of(acme.member)},
        status=400,
    )
    assert field_of(res) == "username"

    assert can_log_in(testapp, "jdoe", NEW_PASSWORD)
    assert can_log_in(testapp, "JDOE", NEW_PASSWORD)
    res = testapp.post_json(
        "/api/public/login/",
        {"username": "jdoe", "password": NEW_PASSWORD, "token": True},
        status=200,
    )
    assert res.json["token_type"] == "Bearer"
    assert not can_log_in(testapp, "jdoe", PASSWORD)


def test_username_taken_by_patch_is_400(testapp, acme, factory):
    patch_entity(testapp, acme.url("admin"), acme.headers("admin"), {"username": "ada"})
    for taken in ("ADA", factory.email_of(acme.owner)):
        res = patch_entity(
            testapp, acme.url("member"), acme.headers("member"), {"username": taken}, status=400
        )
        assert field_of(res) == "username"
    assert can_log_in(testapp, "ada")


def test_username_with_surrounding_spaces_is_refused_or_trimmed(testapp, acme):
    res = post_user(
        testapp,
        acme.headers("owner"),
        {
            "email": "spacey@example.com",
            "username": "  jd  ",
            "password": NEW_PASSWORD,
            "send_invite": False,
        },
        status=(201, 400),
    )
    if res.status_int == 201:
        assert can_log_in(testapp, "jd", NEW_PASSWORD)
        post_user(
            testapp,
            acme.headers("owner"),
            {"email": "other@example.com", "username": "jd"},
            status=400,
        )


def test_a_login_name_never_names_two_users(testapp, acme):
    first = post_user(
        testapp,
        acme.headers("owner"),
        {
            "email": "first@example.com",
            "username": "boss@example.com",
            "password": NEW_PASSWORD,
            "send_invite": False,
        },
        status=(201, 400),
    )
    second = post_user(
        testapp,
        acme.headers("owner"),
        {"email": "boss@example.com", "password": "another good secret", "send_invite": False},
        status=(201, 400),
    )
    assert 400 in (first.status_int, second.status_int)


def test_post_with_a_url_base_without_token_changes_nothing(testapp, acme, factory, inbox):
    res = post_user(
        testapp,
        acme.headers("owner"),
        {"email": "nolink@example.com", "url_base": "https://app.example.com/x/"},
        status=400,
    )
    assert field_of(res) == "url_base"
    assert factory.read(lambda root: root.users.find_by_email("nolink@example.com")) is None
    assert inbox.messages == []


# -- GET: tuples, paging, search, filters --------------------------------------------------


def test_tuples_carry_the_user_columns(testapp, acme, clock):
    clock.advance(hours=2)
    acme.headers("member")  # logs in, so last_login is set
    res = testapp.get(USERS, headers=acme.headers("admin"), status=200)
    row = res.json["index"][acme.url("member")]
    assert row["name"] == "Mel Member"
    assert row["status"] == "active"
    assert row["username"] is None
    assert row["created"] == "2026-01-01T00:00:00+00:00"
    assert row["last_login"] == "2026-01-01T02:00:00+00:00"
    assert row["roles"] == ["standard"] and row["roles_csv"] == "standard"
    assert row["avatar"] is None
    assert row["editable"] is True
    assert row["account_permissions"] == {
        "alter_users": False,
        "admin_account": False,
        "create_datasets": False,
    }
    assert row["id_method"] == "pwhash"
    admin_row = res.json["index"][acme.url("admin")]
    assert admin_row["roles_csv"] == "administrator"
    assert admin_row["account_permissions"]["admin_account"] is True


def test_editable_says_whom_the_caller_may_edit(testapp, acme):
    as_member = testapp.get(USERS, headers=acme.headers("member"), status=200).json["index"]
    assert as_member[acme.url("member")]["editable"] is True
    assert as_member[acme.url("admin")]["editable"] is False
    assert as_member[acme.url("owner")]["editable"] is False
    as_admin = testapp.get(USERS, headers=acme.headers("admin"), status=200).json["index"]
    assert as_admin.pop(acme.url("owner"))["editable"] is False  # the owner's alone
    assert all(row["editable"] for row in as_admin.values())


def query_of(url):
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def test_paging_with_absolute_next_and_previous_links(testapp, acme):
    for n in range(3):
        acme.add(f"paged{n}", name=f"Paged {n}")
    headers = acme.headers("admin")
    first = testapp.get(USERS + "?page_size=4&page_index=1", headers=headers, status=200).json
    assert first["total"] == 6 and len(first["index"]) == 4
    assert "previous" not in first.get("urls", {})
    next_url = first["urls"]["next"]
    assert next_url.startswith("http://localhost/api/")
    assert query_of(next_url) == {"page_size": "4", "page_index": "2"}

    second = testapp.get(next_url, headers=headers, status=200).json
    assert second["total"] == 6 and len(second["index"]) == 2
    assert "next" not in second.get("urls", {})
    assert not set(first["index"]) & set(second["index"])
    all_users = testapp.get(USERS, headers=headers, status=200).json["index"]
    assert set(first["index"]) | set(second["index"]) == set(all_users)
    assert "total" not in testapp.get(USERS, headers=headers, status=200).json

    back = testapp.get(second["urls"]["previous"], headers=headers, status=200).json
    assert set(back["index"]) == set(first["index"])

    beyond = testapp.get(USERS + "?page_size=4&page_index=3", headers=headers, status=200).json
    assert beyond["index"] == {} and beyond["total"] == 6

    # a last page that is exactly full has no next link
    last = testapp.get(USERS + "?page_size=3&page_index=2", headers=headers, status=200).json
    assert len(last["index"]) == 3 and "next" not in last.get("urls", {})


def test_paging_links_keep_search_and_filters(testapp, acme):
    for n in range(3):
        acme.add(f"searched{n}", name=f"Searched {n}")
    res = testapp.get(
        USERS,
        params={"search": "searched", "filters[status]": "active", "page_size": "2"},
        headers=acme.headers("admin"),
        status=200,
    ).json
    assert res["total"] == 3 and len(res["index"]) == 2
    assert query_of(res["urls"]["next"]) == {
        "search": "searched",
        "filters[status]": "active",
        "page_size": "2",
        "page_index": "2",
    }
    rest = testapp.get(res["urls"]["next"], headers=acme.headers("admin"), status=200).json
    assert len(rest["index"]) == 1


@pytest.mark.parametrize(
    "query",
    [
        "page_size=0",
        "page_size=abc",
        "page_size=-1",
        "page_index=0",
        "page_size=2&page_index=x",
        "page_size=100000",
    ],
)
def test_bad_paging_parameters_are_400(testapp, acme, query):
    res = testapp.get(f"{USERS}?{query}", headers=acme.headers("member"), status=400)
    assert res.json["message"]


def test_search_matches_name_or_email_substring_case_insensitively(testapp, acme):
    acme.add("zed", name="Zed Zebra", email="zed@example.com")
    acme.add("quinn", name="Quinn", email="q.zoo@example.com")
    headers = acme.headers("member")

    def found(term):
        res = testapp.get(USERS, params={"search": term}, headers=headers, status=200)
        return set(res.json["index"])

    assert found("ZEBRA") == {acme.url("zed")}
    assert found("zoo@") == {acme.url("quinn")}
    assert found("Z") >= {acme.url("zed"), acme.url("quinn")}
    assert found("nothing-like-this") == set()


def test_filter_by_status(testapp, acme):
    acme.add("pending", status="pending", password=None)
    acme.add("locked", status="locked")
    headers = acme.headers("admin")

    def with_status(status):
        res = testapp.get(USERS, params={"filters[status]": status}, headers=headers, status=200)
        assert all(row["status"] == status for row in res.json["index"].values())
        return set(res.json["index"])

    assert with_status("pending") == {acme.url("pending")}
    assert with_status("locked") == {acme.url("locked")}
    assert with_status("active") == {acme.url(u) for u in ("owner", "admin", "member")}
    assert with_status("deleted") == set()
    res = testapp.get(USERS, params={"filters[status]": "bogus"}, headers=headers, status=400)
    assert "status" in res.json["message"]


def test_other_accounts_users_are_not_listed(testapp, factory, acme):
    other_id, other_owner = factory.account()
    res = testapp.get(USERS, headers=acme.headers("owner"), status=200)
    assert factory.user_url(other_owner) not in res.json["index"]
    assert len(res.json["index"]) == 3


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
    texts = [m.get_payload(decode=True).decode() for m in mails]
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


# -- pending users: name and email editable by admins until activation ---------------------------


def invite(testapp, acme, inbox, email="pat@example.com"):
    """The admin adds a pending user; returns ``(user_url, token)`` from the mail."""
    before = len(inbox.messages)
    res = post_user(
        testapp,
        acme.headers("admin"),
        {"email": email, "name": "Pat Pending", "url_base": URL_BASE},
    )
    return res.location, token_in(inbox.wait_for(before + 1)[before])


def test_admin_edits_name_and_email_of_a_pending_user_until_activation(testapp, acme, inbox):
    user_url, _ = invite(testapp, acme, inbox, "pat@exmaple.com")
    admin = acme.headers("admin")
    patch_entity(testapp, user_url, admin, {"name": "Pat Proper", "email": "pat@example.com"})
    body = testapp.get(user_url, headers=admin, status=200).json["body"]
    assert (body["name"], body["email"]) == ("Pat Proper", "pat@example.com")
    found = testapp.get(
        "/api/users/", params={"email": "pat@example.com"}, headers=admin, status=200
    ).json["index"]
    assert list(found) == [user_url]
    # the typo is free again
    post_user(testapp, admin, {"email": "pat@exmaple.com", "send_invite": False})

    # activation through a fresh invitation to the corrected address
    patch_entity(testapp, user_url, admin, {"resend_email": True, "url_base": URL_BASE})
    mail = inbox.wait_for(2)[1]
    assert mail["To"] == "pat@example.com"
    set_password(testapp, token_in(mail))

    # now read-only for the admin ...
    patch_entity(testapp, user_url, admin, {"name": "Someone Else"}, status=403)
    patch_entity(testapp, user_url, admin, {"email": "else@example.com"}, status=403)
    body = testapp.get(user_url, headers=admin, status=200).json["body"]
    assert (body["name"], body["email"]) == ("Pat Proper", "pat@example.com")
    # ... but the user may rename themselves (email has its own flow)
    user = acme.factory.login("pat@example.com", NEW_PASSWORD)
    patch_entity(testapp, user_url, user, {"name": "Pat P."})
    res = patch_entity(testapp, user_url, user, {"email": "pat2@example.com"}, status=400)
    assert field_of(res) == "email"
    body = testapp.get(user_url, headers=admin, status=200).json["body"]
    assert (body["name"], body["email"]) == ("Pat P.", "pat@example.com")


def test_correcting_a_pending_email_kills_the_link_sent_to_the_old_one(testapp, acme, inbox):
    user_url, old_token = invite(testapp, acme, inbox, "pat@exmaple.com")
    patch_entity(testapp, user_url, acme.headers("admin"), {"email": "pat@example.com"})
    res = set_password(testapp, old_token, status=400)
    assert res.json["message"] == "This link is invalid or has expired."


def test_activation_cannot_be_undone_to_reopen_name_and_email(testapp, acme, factory):
    admin, url = acme.headers("admin"), acme.url("member")
    email = factory.email_of(acme.member)
    back = patch_entity(testapp, url, admin, {"status": "pending"}, status=(204, 400, 403))
    change = patch_entity(
        testapp, url, admin, {"email": "admin.alias@example.com"}, status=(204, 400, 403)
    )
    assert 204 not in (back.status_int, change.status_int)
    assert stored(factory, acme.member)["email"] == email


def test_admin_cannot_give_a_pending_user_a_taken_email(testapp, acme, inbox, factory):
    user_url, _ = invite(testapp, acme, inbox)
    res = patch_entity(
        testapp,
        user_url,
        acme.headers("admin"),
        {"email": factory.email_of(acme.member)},
        status=400,
    )
    assert field_of(res) == "email"
    body = testapp.get(user_url, headers=acme.headers("admin"), status=200).json["body"]
    assert body["email"] == "pat@example.com"


# -- the user entity: profile, address, manager, preferences -----------------------------------


def test_user_edits_their_profile(testapp, acme):
    url, me = acme.url("member"), acme.headers("member")
    profile = {
        "first_name": "Mel",
        "last_name": "Member",
        "title": "Analyst",
        "mobile": "+33 6 12 34 56 78",
        "avatar": "https://img.example.com/mel.png",
        "username": "mel",
    }
    patch_entity(testapp, url, me, profile)
    body = testapp.get(url, headers=me, status=200).json["body"]
    assert {k: body[k] for k in profile} == profile
    assert body["name"] == "Mel Member"
    patch_entity(testapp, url, me, {"avatar": None, "username": None})
    body = testapp.get(url, headers=me, status=200).json["body"]
    assert body["avatar"] is None and body["username"] is None


def test_admin_edits_another_users_profile(testapp, acme):
    url = acme.url("member")
    patch_entity(testapp, url, acme.headers("admin"), {"title": "Team lead"})
    assert (
        testapp.get(url, headers=acme.headers("member"), status=200).json["body"]["title"]
        == "Team lead"
    )


def test_address_members_merge(testapp, acme):
    url, me = acme.url("member"), acme.headers("member")
    patch_entity(
        testapp,
        url,
        me,
        {"address": {"street": "1 Rue de Rivoli", "city": "Paris", "postal_code": "75001"}},
    )
    patch_entity(testapp, url, me, {"address": {"country": "FR", "state": "IDF"}})
    body = testapp.get(url, headers=me, status=200).json["body"]
    assert body["address"] == {
        "street": "1 Rue de Rivoli",
        "city": "Paris",
        "postal_code": "75001",
        "country": "FR",
        "state": "IDF",
    }
    res = patch_entity(testapp, url, me, {"address": {"planet": "Earth"}}, status=400)
    assert "planet" in res.json["message"]
    patch_entity(testapp, url, me, {"address": {"city": 75}}, status=400)


def test_manager_is_a_user_of_the_same_account(testapp, factory, acme):
    url, me = acme.url("member"), acme.headers("member")
    patch_entity(testapp, url, me, {"manager": acme.url("admin")})
    assert testapp.get(url, headers=me, status=200).json["body"]["manager"] == acme.url("admin")
    patch_entity(testapp, url, me, {"manager": f"/api/users/{acme.owner}/"})  # relative is fine
    assert testapp.get(url, headers=me, status=200).json["body"]["manager"] == acme.url("owner")

    foreign = factory.user_url(factory.account()[1])
    for bad in (foreign, factory.user_url("0" * 32), "https://elsewhere.example.com/x/"):
        res = patch_entity(testapp, url, me, {"manager": bad}, status=400)
        assert field_of(res) == "manager"
    assert testapp.get(url, headers=me, status=200).json["body"]["manager"] == acme.url("owner")
    patch_entity(testapp, url, me, {"manager": None})
    assert testapp.get(url, headers=me, status=200).json["body"]["manager"] is None


def test_preferences_have_defaults_and_merge(testapp, acme):
    url, me = acme.url("member"), acme.headers("member")
    body = testapp.get(url, headers=me, status=200).json["body"]
    assert body["preferences"] == {"currency": "USD", "timezone": "UTC", "locale": "en_US"}
    patch_entity(testapp, url, me, {"preferences": {"timezone": "America/New_York"}})
    body = testapp.get(url, headers=me, status=200).json["body"]
    assert body["preferences"] == {
        "currency": "USD",
        "timezone": "America/New_York",
        "locale": "en_US",
    }


@pytest.mark.parametrize(
    "prefs,field",
    [
        ({"currency": "EURO"}, "currency"),
        ({"currency": "ZZZ"}, "currency"),
        ({"currency": 978}, "currency"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "+02:00"}, "timezone"),
        ({"locale": "xx_YY"}, "locale"),
        ({"locale": "not a locale"}, "locale"),
        ({"locale": None}, "locale"),
        ({"theme": "dark"}, "theme"),
    ],
)
def test_invalid_preferences_are_400_naming_the_field(testapp, acme, factory, prefs, field):
    res = patch_entity(
        testapp,
        acme.url("member"),
        acme.headers("member"),
        {"title": "Changed", "preferences": {"currency": "EUR", **prefs}},
        status=400,
    )
    assert field in res.json["message"]
    assert field_of(res).startswith("preferences")
    after = stored(factory, acme.member)
    assert after["title"] == ""
    assert after["preferences"] == {"currency": "USD", "timezone": "UTC", "locale": "en_US"}


@pytest.mark.parametrize(
    "body,field",
    [
        ({"favourite_colour": "blue"}, None),
        ({"email": "new@example.com"}, "email"),
        ({"id": "0" * 32}, "id"),
        ({"created": "2020-01-01T00:00:00+00:00"}, "created"),
        ({"email_verified": True}, "email_verified"),
        ({"is_superuser": True}, "is_superuser"),
        ({"title": 3}, "title"),
        ({"address": "Paris"}, "address"),
    ],
)
def test_user_patch_refuses_unknown_read_only_and_mistyped_fields(
    testapp, acme, factory, body, field
):
    before = stored(factory, acme.member)
    res = patch_entity(testapp, acme.url("member"), acme.headers("member"), body, status=400)
    if field:
        assert field_of(res) == field
    else:
        assert "favourite_colour" in res.json["message"]
    assert stored(factory, acme.member) == before


def test_put_with_changed_fields_works_like_patch(testapp, acme):
    url = acme.url("member")
    testapp.put_json(
        url,
        {"element": "shoji:entity", "body": {"title": "Put"}},
        headers=acme.headers("member"),
        status=204,
    )
    assert (
        testapp.get(url, headers=acme.headers("member"), status=200).json["body"]["title"] == "Put"
    )


def test_put_of_the_whole_entity_as_read_is_accepted_for_oneself(testapp, acme):
    url, me = acme.url("member"), acme.headers("member")
    body = testapp.get(url, headers=me, status=200).json["body"]
    body["title"] = "Round trip"
    testapp.put_json(url, {"element": "shoji:entity", "body": body}, headers=me, status=204)
    assert testapp.get(url, headers=me, status=200).json["body"]["title"] == "Round trip"


def test_put_of_the_whole_entity_as_read_is_accepted_for_an_admin(testapp, acme):
    url, admin = acme.url("member"), acme.headers("admin")
    body = testapp.get(url, headers=admin, status=200).json["body"]
    body["title"] = "Round trip"
    testapp.put_json(url, {"element": "shoji:entity", "body": body}, headers=admin, status=204)
    assert testapp.get(url, headers=admin, status=200).json["body"]["title"] == "Round trip"


ENTITY_MEMBERS = {
    "id",
    "username",
    "name",
    "first_name",
    "last_name",
    "email",
    "id_method",
    "id_provider",
    "account_permissions",
    "roles",
    "status",
    "title",
    "mobile",
    "address",
    "manager",
    "avatar",
    "email_verified",
    "created",
    "last_login",
    "preferences",
}


def test_user_entity_shape(testapp, acme):
    url = acme.url("member")
    doc = testapp.get(url, headers=acme.headers("member"), status=200).json
    assert doc["element"] == "shoji:entity" and doc["self"] == url
    assert ENTITY_MEMBERS <= set(doc["body"])
    assert doc["body"]["id"] == acme.member and doc["body"]["id_method"] == "pwhash"
    assert doc["urls"]["account_url"].startswith("http://localhost/api/")
    assert doc["fragments"] == {"password": f"{url}password/"}  # what the user may use
    as_admin = testapp.get(url, headers=acme.headers("admin"), status=200).json
    for name in ("invite", "reassign", "expropriate"):
        assert as_admin["fragments"][name] == f"{url}{name}/"
    assert "password" not in as_admin["fragments"]
    account = testapp.get(doc["urls"]["account_url"], headers=acme.headers("member"), status=200)
    assert account.json["body"]["id"] == acme.account_id


def test_account_url_of_a_user_leads_to_that_users_account(testapp, acme, factory):
    superuser = factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    doc = testapp.get(acme.url("member"), headers=superuser, status=200).json
    account = testapp.get(doc["urls"]["account_url"], headers=superuser, status=200)
    assert account.json["body"]["id"] == acme.account_id


# -- display times follow the caller's timezone and locale -------------------------------------


def expected_display(moment, timezone, locale):
    return format_datetime(moment, "medium", tzinfo=ZoneInfo(timezone), locale=locale)


def test_display_times_follow_the_callers_preferences(testapp, acme, clock):
    clock.advance(hours=5, minutes=30)
    acme.headers("member")  # member logs in at 05:30 UTC
    owner = acme.headers("owner")
    patch_entity(
        testapp,
        acme.url("owner"),
        owner,
        {"preferences": {"timezone": "Asia/Tokyo", "locale": "de_DE"}},
    )
    login = datetime(2026, 1, 1, 5, 30, tzinfo=UTC)

    for seen in (
        testapp.get(acme.url("member"), headers=owner, status=200).json["body"],
        testapp.get(USERS, headers=owner, status=200).json["index"][acme.url("member")],
    ):
        assert seen["created"] == "2026-01-01T00:00:00+00:00"  # ISO stays UTC
        assert seen["last_login"] == "2026-01-01T05:30:00+00:00"
        assert seen["display"]["created"] == expected_display(START, "Asia/Tokyo", "de_DE")
        assert seen["display"]["created"] == "01.01.2026, 09:00:00"
        assert seen["display"]["last_login"] == expected_display(login, "Asia/Tokyo", "de_DE")
        assert "14:30" in seen["display"]["last_login"]

    # another caller with the default preferences sees the same moment in UTC, en_US
    as_admin = testapp.get(acme.url("member"), headers=acme.headers("admin"), status=200)
    display = as_admin.json["body"]["display"]
    assert display["created"] == expected_display(START, "UTC", "en_US")
    assert display["created"].startswith("Jan 1, 2026")
    assert "5:30:00" in display["last_login"]


def test_display_of_a_user_who_never_logged_in_is_null(testapp, acme):
    acme.add("pending", status="pending", password=None)
    body = testapp.get(acme.url("pending"), headers=acme.headers("admin"), status=200).json["body"]
    assert body["last_login"] is None and body["display"]["last_login"] is None


# -- GET /api/users/ ----------------------------------------------------------------------------


def test_users_catalog_narrows_by_email_case_insensitively(testapp, acme, factory):
    email = factory.email_of(acme.member)
    headers = acme.headers("admin")
    for variant in (email, email.upper(), f" {email} "):
        res = testapp.get("/api/users/", params={"email": variant}, headers=headers, status=200)
        assert list(res.json["index"]) == [acme.url("member")]
        row = res.json["index"][acme.url("member")]
        assert row["email"] == email and row["name"] == "Mel Member"
    res = testapp.get(
        "/api/users/", params={"email": "nobody@example.com"}, headers=headers, status=200
    )
    assert res.json["index"] == {}


def test_users_catalog_narrows_by_id(testapp, acme):
    res = testapp.get(
        "/api/users/", params={"id": acme.member}, headers=acme.headers("admin"), status=200
    )
    assert list(res.json["index"]) == [acme.url("member")]


def test_users_catalog_email_and_id_must_name_the_same_user(testapp, acme, factory):
    params = {"email": factory.email_of(acme.member), "id": acme.admin}
    res = testapp.get("/api/users/", params=params, headers=acme.headers("admin"), status=200)
    assert res.json["index"] == {}


def test_users_catalog_hides_other_accounts(testapp, factory, acme):
    other_account, other_owner = factory.account()
    stranger = factory.user(other_account)
    headers = acme.headers("member")
    for params in (
        {"email": factory.email_of(stranger)},
        {"id": stranger},
        {"email": factory.email_of(other_owner)},
    ):
        res = testapp.get("/api/users/", params=params, headers=headers, status=200)
        assert res.json["index"] == {}
    listed = testapp.get("/api/users/", headers=headers, status=200).json["index"]
    assert set(listed) == {acme.url(u) for u in ("owner", "admin", "member")}


def test_users_catalog_is_get_only(testapp, acme):
    testapp.post_json(
        "/api/users/", {"email": "x@example.com"}, headers=acme.headers("owner"), status=405
    )


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
