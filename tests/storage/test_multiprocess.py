"""Two gunicorn servers (the first with two workers) over one database,
RelStorage/PostgreSQL or ZEO (a real ``runzeo``): what one process commits,
the other serves on the very next request, and a credential ended through
one is refused by the other at once; failed logins through both lock at
the threshold.

This is the README's recipe, run as written: ``gunicorn --paste`` on
production.ini (its settings changed only for the test's database, mail
server and address) with ``deploy/gunicorn.conf.py``.
"""

from datetime import UTC, datetime, timedelta

import pytest

from .client import Api, add_user, path_of, seed_account
from .conftest import servers, storage
from .servers import PASSWORD
from .servers import SUPERUSER_EMAIL as ADMIN

pytestmark = pytest.mark.storage


@pytest.fixture(scope="module", params=["relstorage", "zeo"])
def pair(request, tmp_path_factory, smtp_server):
    """``(a, b)``: clients of two servers over one new storage, and the
    account owner's client on each."""
    workdir = tmp_path_factory.mktemp(request.param)
    with storage(request.param, workdir) as (uri, env):
        with servers(workdir, smtp_server, uri, env, ("a", 2), ("b", 1)) as (a, b):
            owner_a = seed_account(Api(a.url), ADMIN)
            owner_b = Api(b.url).login("owner@acme.test")
            yield owner_a, owner_b


def test_a_write_through_one_is_read_through_the_other(pair):
    owner_a, owner_b = pair
    user = add_user(owner_a, "writer@acme.test")
    assert owner_b.get(user)["body"]["email"] == "writer@acme.test"
    owner_b.patch(user, {"roles": ["editor"]})
    assert owner_a.get(user)["body"]["roles"] == ["editor"]
    emails = {e["email"] for e in owner_b.get("/api/account/users/")["index"].values()}
    assert "writer@acme.test" in emails


def test_a_user_locked_through_one_is_refused_by_the_other(pair):
    owner_a, owner_b = pair
    user = add_user(owner_a, "locked@acme.test")
    member_b = Api(owner_b.base).login("locked@acme.test")
    member_b.get("/api/")
    owner_a.patch(user, {"status": "locked"})
    assert member_b.status_of("/api/") == 401
    assert (
        Api(owner_b.base)
        .request(
            "POST",
            "/api/public/login/",
            {"email": "locked@acme.test", "password": "storage password 1", "token": True},
        )
        .status_code
        == 401
    )


def test_a_session_ended_through_one_is_refused_by_the_other(pair):
    owner_a, owner_b = pair
    add_user(owner_a, "leaver@acme.test")
    member_a = Api(owner_a.base).login("leaver@acme.test")
    member_b = owner_b.as_user(member_a.token)
    member_b.get("/api/")
    member_a.request("GET", "/api/logout/", status=204)
    assert member_b.status_of("/api/") == 401


def test_an_api_key_revoked_through_one_is_refused_by_the_other(pair):
    owner_a, owner_b = pair
    add_user(owner_a, "keyholder@acme.test")
    member_a = Api(owner_a.base).login("keyholder@acme.test")
    expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    created = member_a.post("/api/apikeys/", {"name": "ci", "expires": expires})
    key = created.json()["body"]["key"]
    key_b = owner_b.as_user(key)
    key_b.get("/api/")
    member_a.as_user(member_a.token).delete(path_of(created.headers["Location"]))
    assert key_b.status_of("/api/") == 401


def test_failed_logins_through_both_lock_at_the_threshold(pair):
    """Lockout counts live in the database: failures alternating between the
    two servers (three processes) lock at exactly the account's threshold
    (5), and the admin's unlock through one lets the user in through the other."""
    owner_a, owner_b = pair
    email = "guessed@acme.test"
    user = add_user(owner_a, email)
    wrong = {"email": email, "password": "not the password", "token": True}
    clients = (Api(owner_a.base), Api(owner_b.base))
    for attempt in range(4):
        clients[attempt % 2].request("POST", "/api/public/login/", wrong, status=401)
    body = owner_b.get(user)["body"]
    assert (body["status"], body["failed_login_attempts"]) == ("active", 4)
    clients[1].request("POST", "/api/public/login/", wrong, status=401)
    assert owner_a.get(user)["body"]["status"] == "locked"
    right = {**wrong, "password": PASSWORD}
    clients[0].request("POST", "/api/public/login/", right, status=401)
    owner_b.patch(user, {"status": "active"})
    assert owner_a.get(user)["body"]["failed_login_attempts"] == 0
    clients[0].login(email)
    history = owner_b.get(user + "login_history/")
    assert [e["outcome"] for e in history["index"].values()][:2] == ["success", "failure"]
