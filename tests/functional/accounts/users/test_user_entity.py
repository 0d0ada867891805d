"""The user entity: profile, address, manager, preferences and their
validation, PATCH and PUT, the entity's shape, and ``display`` times in the
caller's timezone and locale."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime

from tests.factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD
from tests.functional.accounts.users.helpers import (
    field_of,
    patch_entity,
    stored,
)
from tests.functional.helpers import USERS

START = datetime(2026, 1, 1, tzinfo=UTC)  # FrozenClock's default start


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
        ({"email": "new@example.com"}, "old_password"),  # the email change needs it
        ({"id": "0" * 32}, "id"),
        ({"created": "2020-01-01T00:00:00+00:00"}, "created"),
        ({"email_verified": False}, "email_verified"),
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


@pytest.mark.parametrize("who", ["member", "admin"], ids=["for oneself", "for an admin"])
def test_put_of_the_whole_entity_as_read_is_accepted(testapp, acme, who):
    url, headers = acme.url("member"), acme.headers(who)
    body = testapp.get(url, headers=headers, status=200).json["body"]
    body["title"] = "Round trip"
    testapp.put_json(url, {"element": "shoji:entity", "body": body}, headers=headers, status=204)
    assert testapp.get(url, headers=headers, status=200).json["body"]["title"] == "Round trip"


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
    assert doc["fragments"] == {  # what the user may use
        "password": f"{url}password/",
        "password_reset": f"{url}password_reset/",
        "change_email": f"{url}change_email/",
        "second_factor": f"{url}second_factor/",
    }
    as_admin = testapp.get(url, headers=acme.headers("admin"), status=200).json
    admin_actions = ("reassign", "expropriate", "password_reset", "force_password_reset")
    for name in ("invite", *admin_actions, "second_factor"):
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
