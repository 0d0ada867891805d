"""The absolute session lifetime is a setting of each account
(``session_lifetime_seconds`` on the account entity, 5 minutes to 30 days,
24 h by default).  A session takes its account's lifetime at sign-in (stored
expiry and cookie ``Max-Age``) and is refused once older than the account's
current lifetime: exactly at the lifetime still works, one second past is a
401, as with the idle timeout."""

from datetime import timedelta

import pytest

from tests.factories import PASSWORD
from tests.functional.helpers import LOGIN, assert_error, new_key

HOUR = 3600
DAY = 24 * HOUR
ACCOUNT = "/api/account/"


def set_lifetime(testapp, headers, seconds, status=204, url=ACCOUNT):
    body = {"session_lifetime_seconds": seconds}
    return testapp.patch_json(url, body, headers=headers, status=status)


def shown(testapp, scene, who="owner"):
    account = testapp.get(ACCOUNT, headers=scene.headers(who), status=200).json
    return account["body"]["session_lifetime_seconds"]


def fresh(factory, scene, who):
    """Bearer headers of a session of ``who`` opened now."""
    return factory.login(scene.id(who))


# -- the setting --------------------------------------------------------------------------


def test_the_default_is_24_hours_on_the_account_entity(testapp, acme):
    assert shown(testapp, acme, "bob") == DAY


def test_admins_set_it_and_members_see_it(testapp, acme):
    set_lifetime(testapp, acme.headers("admin"), HOUR)
    assert shown(testapp, acme, "bob") == HOUR
    set_lifetime(testapp, acme.headers("owner"), None)  # back to the default
    assert shown(testapp, acme, "bob") == DAY


@pytest.mark.parametrize("seconds", [300, 30 * DAY])
def test_the_bounds_themselves_are_allowed(testapp, acme, seconds):
    set_lifetime(testapp, acme.headers("owner"), seconds)
    assert shown(testapp, acme) == seconds


@pytest.mark.parametrize("who,status", [("bob", 403), ("alice", 403), ("anonymous", 401)])
def test_only_the_accounts_admins_change_it(testapp, acme, who, status):
    res = set_lifetime(testapp, acme.headers(who), HOUR, status=status)
    assert_error(res, status)
    assert shown(testapp, acme) == DAY


def test_another_accounts_admin_cannot_even_see_the_account(testapp, acme):
    url = f"/api/accounts/{acme.account_id}/"
    set_lifetime(testapp, acme.headers("other_owner"), HOUR, status=404, url=url)
    assert shown(testapp, acme) == DAY


@pytest.mark.parametrize(
    "value", [299, 30 * DAY + 1, 0, -HOUR, 10**30, "3600", 3600.5, True, [3600], {"s": 1}]
)
def test_bad_values_are_400_naming_the_field_and_change_nothing(testapp, acme, value):
    body = {"session_lifetime_seconds": value, "name": "Renamed"}
    res = testapp.patch_json(ACCOUNT, body, headers=acme.headers("owner"), status=400)
    assert_error(res, 400, "session_lifetime_seconds")
    assert shown(testapp, acme) == DAY
    assert testapp.get(ACCOUNT, headers=acme.headers("owner")).json["body"]["name"] == "Acme"


# -- sessions get it at sign-in -------------------------------------------------------------


def test_a_session_lives_exactly_the_accounts_lifetime(testapp, acme, factory, clock):
    set_lifetime(testapp, acme.headers("owner"), HOUR)
    headers = fresh(factory, acme, "alice")
    clock.advance(seconds=HOUR)
    testapp.get("/api/", headers=headers, status=200)
    clock.advance(seconds=1)
    res = testapp.get("/api/", headers=headers, status=401)
    assert res.json["message"]


def test_the_cookie_lives_as_long_as_the_session(testapp, acme):
    set_lifetime(testapp, acme.headers("owner"), 2 * HOUR)
    res = testapp.post_json(LOGIN, {"email": acme.email("bob"), "password": PASSWORD})
    assert "Max-Age=7200;" in res.headers["Set-Cookie"]


def test_a_longer_lifetime_holds_past_the_default(testapp, acme, factory, clock):
    """Used every 6 hours (the idle limit is 8), it outlives 24 hours."""
    set_lifetime(testapp, acme.headers("owner"), 2 * DAY)
    headers = fresh(factory, acme, "alice")
    for _ in range(8):
        clock.advance(hours=6)
        testapp.get("/api/", headers=headers, status=200)
    clock.advance(seconds=1)
    testapp.get("/api/", headers=headers, status=401)


def test_other_accounts_keep_theirs(testapp, acme, factory, clock):
    set_lifetime(testapp, acme.headers("owner"), HOUR)
    outsider = fresh(factory, acme, "outsider")
    clock.advance(seconds=HOUR + 1)
    testapp.get("/api/", headers=outsider, status=200)


def test_api_keys_are_not_sessions(testapp, acme, factory, clock):
    """A key lives until the expiry its owner chose, whatever the lifetime."""
    set_lifetime(testapp, acme.headers("owner"), 300)
    res = testapp.post_json("/api/apikeys/", new_key(), headers=fresh(factory, acme, "alice"))
    key = {"Authorization": f"Bearer {res.json['body']['key']}"}
    clock.advance(seconds=301)
    testapp.get("/api/", headers=key, status=200)


# -- changing it with sessions open -------------------------------------------------------


def test_shortening_it_ends_older_sessions_at_once(testapp, acme, factory, clock):
    alice = fresh(factory, acme, "alice")
    clock.advance(seconds=2 * HOUR)
    set_lifetime(testapp, fresh(factory, acme, "owner"), 2 * HOUR)
    testapp.get("/api/", headers=alice, status=200)  # exactly as old as allowed
    clock.advance(seconds=1)
    testapp.get("/api/", headers=alice, status=401)


def test_shortening_it_shortens_the_listed_expiry(testapp, acme, factory, clock):
    alice = fresh(factory, acme, "alice")
    url = acme.url("alice") + "sessions/"

    def expiries():
        index = testapp.get(url, headers=alice, status=200).json["index"]
        return [entry["expires"] for entry in index.values()]

    started = clock.now()
    assert expiries() == [(started + timedelta(seconds=DAY)).isoformat()]
    set_lifetime(testapp, acme.headers("owner"), HOUR)
    assert expiries() == [(started + timedelta(seconds=HOUR)).isoformat()]


def test_lengthening_it_extends_no_open_session(testapp, acme, factory, clock):
    set_lifetime(testapp, acme.headers("owner"), HOUR)
    alice = fresh(factory, acme, "alice")
    set_lifetime(testapp, acme.headers("owner"), 2 * DAY)
    clock.advance(seconds=HOUR)
    testapp.get("/api/", headers=alice, status=200)
    clock.advance(seconds=1)
    testapp.get("/api/", headers=alice, status=401)
    later = fresh(factory, acme, "alice")  # a new session gets the new lifetime
    clock.advance(seconds=2 * HOUR)
    testapp.get("/api/", headers=later, status=200)
