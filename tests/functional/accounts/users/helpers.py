"""What the tests of account users share: URLs, requests and snapshots."""

from tests.factories import PASSWORD
from tests.functional.helpers import USERS

NEW_PASSWORD = "a brand new secret"


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
    text = mail.text
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
