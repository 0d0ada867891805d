"""The whole life of an account user, from invitation mail to tombstone."""

import re

from tests.factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD
from tests.functional.helpers import LINK, URL_BASE


def token_from(message):
    match = LINK.search(message.text)
    assert match, message.text
    return match.group(1)


def test_full_life_of_an_account_user(testapp, factory, inbox):
    root_headers = factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)

    # The superuser creates an account with its owner.
    res = testapp.post_json(
        "/api/accounts/",
        {
            "element": "shoji:entity",
            "body": {
                "name": "Acme",
                "url_base": URL_BASE,
                "owner": {
                    "email": "owner@acme.test",
                    "name": "Olive Owner",
                    "password": "blue garden gate 1",
                },
            },
        },
        headers=root_headers,
        status=201,
    )
    account_url = res.location
    assert re.fullmatch(r"http://localhost/api/accounts/[0-9a-f]{32}/", account_url)

    # Made with a password, the owner verifies the address with the mailed link.
    (verification,) = inbox.wait_for(1)
    assert verification["To"] == "owner@acme.test"
    verify = {"token": token_from(verification)}
    testapp.post_json("/api/public/verify_email/", verify, status=204)

    # The owner logs in and sees the account through the caller-relative alias.
    owner = factory.login("owner@acme.test", "blue garden gate 1")
    account = testapp.get("/api/account/", headers=owner, status=200).json
    assert account["self"] == account_url
    assert account["body"]["name"] == "Acme"
    assert set(account["catalogs"]) >= {"users", "teams", "projects", "datasets"}

    # The owner invites a user; the real SMTP server receives the mail.
    inbox.messages.clear()
    res = testapp.post_json(
        account["catalogs"]["users"],
        {
            "element": "shoji:entity",
            "body": {
                "email": "Ursula@Acme.test",
                "name": "Ursula User",
                "url_base": URL_BASE,
                "roles": ["editor"],
            },
        },
        headers=owner,
        status=201,
    )
    user_url = res.location
    mail = inbox.wait_for(1)[0]
    assert mail["To"] == "Ursula@Acme.test"
    token = token_from(mail)
    assert len(token) >= 43

    pending = testapp.get(user_url, headers=owner, status=200).json["body"]
    assert pending["status"] == "pending" and pending["email_verified"] is False

    # The link sets a password, activates the user and verifies the email.
    testapp.post_json(
        "/api/public/password_change/",
        {"token": token, "password": "tall ships at dawn"},
        status=204,
    )
    user = factory.login("ursula@acme.test", "tall ships at dawn")
    me = testapp.get(user_url, headers=user, status=200).json["body"]
    assert me["status"] == "active" and me["email_verified"] is True

    # The user edits their preferences ...
    testapp.patch_json(
        user_url,
        {
            "element": "shoji:entity",
            "body": {
                "preferences": {"timezone": "Europe/Paris", "locale": "fr_FR", "currency": "EUR"}
            },
        },
        headers=user,
        status=204,
    )
    prefs = testapp.get(user_url, headers=user, status=200).json["body"]["preferences"]
    assert prefs == {"timezone": "Europe/Paris", "locale": "fr_FR", "currency": "EUR"}

    # ... creates a dataset ...
    dataset_url = testapp.post_json(
        "/api/datasets/", {"name": "Ursula's survey"}, headers=user, status=201
    ).location

    # ... but cannot change their own role.
    res = testapp.patch_json(user_url, {"roles": ["administrator"]}, headers=user, status=403)
    assert "role" in res.json["message"]

    # The owner removes them: a tombstone remains, logins stop, the email is free.
    res = testapp.patch_json(
        account["catalogs"]["users"],
        {"element": "shoji:catalog", "index": {user_url: None}},
        headers=owner,
        status=200,
    )
    assert res.json["removed"] == [user_url.rstrip("/").rsplit("/", 1)[1]]
    testapp.get("/api/", headers=user, status=401)
    tomb = testapp.get(user_url, headers=owner, status=200).json["body"]
    assert tomb == {"id": tomb["id"], "name": "Ursula User", "status": "deleted"}
    testapp.post_json(
        "/api/public/login/",
        {"email": "ursula@acme.test", "password": "tall ships at dawn"},
        status=401,
    )

    # What the removed user created stays in the account, where the owner
    # sees it among the account's datasets and may delete it (seed 000).
    kept = testapp.get(dataset_url, headers=owner, status=200).json["body"]
    assert kept["owner"] == user_url
    assert (
        dataset_url
        in testapp.get("/api/account/datasets/", headers=owner, status=200).json["index"]
    )
    testapp.delete(dataset_url, headers=owner, status=204)

    # The same email can be invited again, as a new user.
    inbox.messages.clear()
    res = testapp.post_json(
        account["catalogs"]["users"],
        {"email": "ursula@acme.test", "url_base": URL_BASE},
        headers=owner,
        status=201,
    )
    assert res.location != user_url
    assert inbox.wait_for(1)
