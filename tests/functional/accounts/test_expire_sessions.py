"""``POST /api/users/{id}/expire_sessions/``: every session and API token of
the user ends at once; the user themself (their current session too) or an
admin of their account; the user is mailed when an admin did it."""

import pytest

from tests.factories import acme_and_other
from tests.functional.helpers import new_key

EXPIRED = "You were signed out everywhere"


@pytest.fixture
def acme(factory):
    return acme_and_other(factory)


def expire(testapp, scene, who, target, status=204):
    url = scene.url(target) + "expire_sessions/"
    return testapp.post_json(url, {}, headers=scene.headers(who), status=status)


def credentials_of(testapp, scene, who):
    """Two logins and an API token of ``who``, as bearer headers."""
    first, second = scene.headers(who), scene.factory.login(scene.id(who))
    key = testapp.post_json("/api/apikeys/", new_key(), headers=first, status=201)
    return [first, second, {"Authorization": f"Bearer {key.json['body']['key']}"}]


def mails(inbox, scene, who):
    return [m for m in inbox.to(scene.email(who)) if m["Subject"] == EXPIRED]


def test_self_ends_every_session_and_token_the_current_one_too(testapp, acme, inbox):
    alices = credentials_of(testapp, acme, "alice")
    bobs = acme.headers("bob")
    expire(testapp, acme, "alice", "alice")
    for headers in alices:
        testapp.get("/api/", headers=headers, status=401)
    testapp.get("/api/", headers=bobs, status=200)
    assert mails(inbox, acme, "alice") == []


@pytest.mark.parametrize("admin", ["owner", "superuser"])
def test_an_admin_ends_them_and_the_user_is_mailed(testapp, acme, inbox, admin):
    alices = credentials_of(testapp, acme, "alice")
    expire(testapp, acme, admin, "alice")
    for headers in alices:
        testapp.get("/api/", headers=headers, status=401)
    testapp.get("/api/", headers=acme.headers(admin), status=200)
    assert len(mails(inbox, acme, "alice")) == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("bob", 403), ("outsider", 404), ("other_owner", 404), ("anonymous", 401)],
)
def test_others_are_refused_and_nothing_ends(testapp, acme, inbox, who, status):
    alices = credentials_of(testapp, acme, "alice")
    res = expire(testapp, acme, who, "alice", status=status)
    assert res.json["message"]
    for headers in alices:
        testapp.get("/api/", headers=headers, status=200)
    assert mails(inbox, acme, "alice") == []


def test_an_admin_may_not_end_the_owners_sessions(testapp, factory, inbox):
    scene = acme_and_other(factory)
    scene.add("admin", roles=("administrator",))
    owners = scene.headers("owner")
    expire(testapp, scene, "admin", "alice")  # an admin indeed
    expire(testapp, scene, "admin", "owner", status=403)
    testapp.get("/api/", headers=owners, status=200)
    expire(testapp, scene, "superuser", "owner")
    testapp.get("/api/", headers=owners, status=401)
