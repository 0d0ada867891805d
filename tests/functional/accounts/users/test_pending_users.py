"""Pending users: admins may correct their name and email until they
activate, and a corrected email kills the link sent to the old one."""

from tests.functional.accounts.users.helpers import (
    NEW_PASSWORD,
    field_of,
    patch_entity,
    post_user,
    set_password,
    stored,
    token_in,
)
from tests.functional.helpers import URL_BASE

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
    # ... but the user may rename themselves (email has its own flow, which
    # needs the password and changes nothing before the new address confirms)
    user = acme.factory.login("pat@example.com", NEW_PASSWORD)
    patch_entity(testapp, user_url, user, {"name": "Pat P."})
    res = patch_entity(testapp, user_url, user, {"email": "pat2@example.com"}, status=400)
    assert field_of(res) == "old_password"
    body = {"email": "pat2@example.com", "old_password": NEW_PASSWORD}
    patch_entity(testapp, user_url, user, body)
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
