"""New accounts and new users: the superuser creates an account and invites
its owner; an admin adds users, and every invalid body (email, types,
unknown fields, passwords, usernames, link bases) is a 400 naming the field
that adds nobody and sends no mail."""

import pytest

from tests.factories import PASSWORD, SUPERUSER_EMAIL, SUPERUSER_PASSWORD
from tests.functional.accounts.users.helpers import (
    NEW_PASSWORD,
    can_log_in,
    field_of,
    patch_entity,
    post_user,
    set_password,
    token_in,
)
from tests.functional.helpers import URL_BASE, USERS

# -- accounts are created by the superuser -----------------------------------------------------


@pytest.fixture
def superuser(factory):
    return factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)


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
    before = factory.account_count()
    res = testapp.post_json("/api/accounts/", body, headers=superuser, status=400)
    if field:
        assert field_of(res).startswith(field)
    assert factory.account_count() == before
    assert factory.read(lambda root: root.users.find_by_email("a@example.com")) is None
    assert inbox.messages == []


def test_account_owner_email_already_used_is_400_and_creates_nothing(
    testapp, factory, superuser, acme
):
    before = factory.account_count()
    res = testapp.post_json(
        "/api/accounts/",
        {"name": "Copycat", "owner": {"email": factory.email_of(acme.member).upper()}},
        headers=superuser,
        status=400,
    )
    assert "Acme" not in res.json["message"]
    assert factory.account_count() == before


# -- POST validation --------------------------------------------------------------


@pytest.mark.parametrize("email", ["not-an-email", "@example.com", "x y@example.com", ""])
def test_post_with_an_invalid_email_is_400_naming_the_field(testapp, acme, factory, inbox, email):
    res = post_user(testapp, acme.headers("owner"), {"email": email}, status=400)
    assert field_of(res) == "email"
    assert factory.user_count(acme.account_id) == 3
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
    assert factory.user_count(acme.account_id) == 3
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
    assert factory.user_count(acme.account_id) == 3


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
    assert factory.user_count(acme.account_id) == 3


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
