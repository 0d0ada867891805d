"""Lockout (seed 003 "Status"): N consecutive failed logins lock an active
user, who is mailed; only an admin sets them back to active."""

import pytest

from tests.functional.helpers import assert_error

from .helpers import WRONG, attempt, fail, status_of, succeed


def account_patch(testapp, acme, body, who="admin", status=204):
    return testapp.patch_json("/api/account/", body, headers=acme.headers(who), status=status)


def failures_seen_by_admin(testapp, acme, who):
    body = testapp.get(acme.url(who), headers=acme.headers("admin")).json["body"]
    return body["failed_login_attempts"]


def unlock(testapp, acme, who, by="admin", status=204):
    return testapp.patch_json(
        acme.url(who), {"status": "active"}, headers=acme.headers(by), status=status
    )


def lock_mails(inbox, address):
    return [m for m in inbox.to(address) if m["Subject"] == "Your account was locked"]


def test_locked_at_exactly_the_fifth_failure_and_mailed(testapp, acme, factory, inbox):
    email = acme.email("alice")
    acme.headers("admin")  # before the failures, so the admin's login mails nothing
    fail(testapp, email, times=4)
    assert status_of(factory, acme.alice) == "active"
    assert failures_seen_by_admin(testapp, acme, "alice") == 4
    assert lock_mails(inbox, email) == []
    first = attempt(testapp, email)
    assert status_of(factory, acme.alice) == "locked"
    (mail,) = lock_mails(inbox, email)
    assert "5 failed sign-in attempts" in mail.text
    # the right password now gets the very same answer
    assert attempt(testapp, email, "correct horse battery").json == first.json
    fail(testapp, email, times=2)  # a locked user is not locked (nor mailed) again
    assert len(lock_mails(inbox, email)) == 1


def test_the_threshold_is_an_account_setting(testapp, acme, factory):
    assert (
        testapp.get("/api/account/", headers=acme.headers("admin")).json["body"][
            "lockout_threshold"
        ]
        == 5
    )
    account_patch(testapp, acme, {"lockout_threshold": 3})
    account = testapp.get("/api/account/", headers=acme.headers("bob")).json
    assert account["body"]["lockout_threshold"] == 3
    fail(testapp, acme.email("alice"), times=2)
    assert status_of(factory, acme.alice) == "active"
    fail(testapp, acme.email("alice"))
    assert status_of(factory, acme.alice) == "locked"


@pytest.mark.parametrize("value", [0, 101, -1, "3", 3.5, True, None, 10**12])
def test_threshold_outside_1_to_100_or_not_a_number_is_400(testapp, acme, value):
    res = account_patch(testapp, acme, {"lockout_threshold": value}, status=400)
    assert_error(res, 400, "lockout_threshold")
    body = testapp.get("/api/account/", headers=acme.headers("admin")).json["body"]
    assert body["lockout_threshold"] == 5


@pytest.mark.parametrize("who", ["bob", "outsider"])
def test_only_the_accounts_admins_set_the_threshold(testapp, acme, who):
    url = "/api/account/" if who == "bob" else f"/api/accounts/{acme.account_id}/"
    res = testapp.patch_json(
        url, {"lockout_threshold": 100}, headers=acme.headers(who), status="*"
    )
    assert res.status_int in (403, 404)
    body = testapp.get("/api/account/", headers=acme.headers("admin")).json["body"]
    assert body["lockout_threshold"] == 5


def test_a_success_starts_the_count_again(testapp, acme, factory):
    email = acme.email("alice")
    fail(testapp, email, times=4)
    succeed(testapp, email)
    assert failures_seen_by_admin(testapp, acme, "alice") == 0
    fail(testapp, email, times=4)
    assert status_of(factory, acme.alice) == "active"


def test_an_admin_unlocks_and_the_count_starts_again(testapp, acme, factory):
    email = acme.email("alice")
    fail(testapp, email, times=5)
    assert status_of(factory, acme.alice) == "locked"
    unlock(testapp, acme, "alice", by="bob", status=403)  # a plain member may not
    assert status_of(factory, acme.alice) == "locked"
    unlock(testapp, acme, "alice")
    assert failures_seen_by_admin(testapp, acme, "alice") == 0
    fail(testapp, email, times=4)  # not locked again at the sixth failure overall
    assert status_of(factory, acme.alice) == "active"
    succeed(testapp, email)


def test_an_admin_unlocks_the_owner_but_changes_nothing_else_of_theirs(testapp, acme, factory):
    fail(testapp, acme.email("owner"), times=5)
    assert status_of(factory, acme.owner) == "locked"
    res = testapp.patch_json(
        acme.url("owner"), {"status": "inactive"}, headers=acme.headers("admin"), status=403
    )
    assert "owner" in res.json["message"]
    unlock(testapp, acme, "owner")
    assert status_of(factory, acme.owner) == "active"
    testapp.patch_json(
        acme.url("owner"), {"status": "locked"}, headers=acme.headers("admin"), status=403
    )
    succeed(testapp, acme.email("owner"))


def test_credentials_stop_while_locked_and_work_again_after_the_unlock(testapp, acme):
    alice = acme.headers("alice")
    fail(testapp, acme.email("alice"), times=5)
    testapp.get("/api/", headers=alice, status=401)
    unlock(testapp, acme, "alice")
    testapp.get("/api/", headers=alice, status=200)


def test_password_guesses_never_lock_users_who_have_no_password(testapp, acme, factory):
    def make_oauth(root):
        user = root.users[acme.bob]
        user.id_method, user.id_provider, user.password_hash = "oauth", "google", None

    factory.write(make_oauth)
    pending = acme.add("pending", status="pending", password=None)
    for who in ("bob", "pending"):
        fail(testapp, acme.email(who), times=7)
    assert status_of(factory, acme.bob) == "active"
    assert status_of(factory, pending) == "pending"


def test_failures_of_other_users_and_unknown_names_do_not_count(testapp, acme, factory):
    for email in (acme.email("bob"), "nobody@example.com", acme.email("alice").upper()):
        fail(testapp, email, times=4)
    # alice's name in capitals is alice: 4 failures, not locked
    assert status_of(factory, acme.alice) == "active"
    assert status_of(factory, acme.bob) == "active"
    attempt(testapp, acme.email("alice"), WRONG)
    assert status_of(factory, acme.alice) == "locked"
