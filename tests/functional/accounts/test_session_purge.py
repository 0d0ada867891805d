"""Ended sessions and API keys are removed, not kept: a few at each login,
all by ``crunchusers INI purge-sessions`` (tests/test_cli.py)."""

from datetime import timedelta

from crunchusers.domain.resources.credentials import PURGE_AT_LOGIN
from tests.factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD
from tests.functional.helpers import new_key


def stored(factory):
    """(user's hashes, stored credentials) of the superuser, as counts."""

    def count(root):
        user = root.users.find_by_email(SUPERUSER_EMAIL)
        return len(user.session_hashes), len(root.sessions.data)

    return factory.read(count)


def login(factory):
    return factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)


def test_a_login_removes_ended_sessions_and_keys(testapp, factory, clock):
    headers = login(factory)
    expires = (clock.now() + timedelta(hours=1)).isoformat()
    testapp.post_json("/api/apikeys/", {**new_key(), "expires": expires}, headers=headers)
    login(factory)
    assert stored(factory) == (3, 3)
    clock.advance(hours=8, seconds=1)  # both sessions idle, the key expired
    fresh = login(factory)
    assert stored(factory) == (1, 1)
    testapp.get("/api/", headers=fresh, status=200)


def test_a_login_keeps_live_ones_and_looks_at_a_few(testapp, factory, clock):
    for _ in range(PURGE_AT_LOGIN + 5):
        login(factory)
    clock.advance(hours=8, seconds=1)
    login(factory)
    hashes, count = stored(factory)
    assert hashes == count == PURGE_AT_LOGIN + 5 - PURGE_AT_LOGIN + 1
