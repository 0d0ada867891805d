"""Containers, the email/username indexes and stored credentials."""

import pickle
from datetime import UTC, datetime, timedelta

import pytest

from crunchusers.domain.resources.credentials import (
    ApiKeys,
    Credential,
    Credentials,
    LinkTokens,
)
from crunchusers.domain.resources.root import ApiRoot
from crunchusers.domain.resources.users import DuplicateLogin, User
from crunchusers.infra.tokens import hash_token

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def users():
    return ApiRoot().users


def test_add_sets_location_and_length(users):
    user = users.add(User("a@example.com"))
    assert user.__parent__ is users and len(user.__name__) == 32
    assert len(users) == 1 and users[user.__name__] is user
    assert users.get(123) is None and 123 not in users


def test_remove_updates_length(users):
    user = users.add(User("a@example.com"))
    users.remove(user.__name__)
    assert len(users) == 0


def test_email_index_is_casefolded_and_unique(users):
    user = users.add(User(" Ann@Example.COM "))
    assert users.find_by_email("ann@example.com") is user
    assert users.find_by_login("ANN@example.com") is user
    with pytest.raises(DuplicateLogin):
        users.add(User("ann@EXAMPLE.com"))
    assert len(users) == 1


def test_username_index_and_clashes_with_emails(users):
    user = User("a@example.com")
    user.username = "Ann"
    users.add(user)
    assert users.find_by_login("ann") is user
    other = users.add(User("b@example.com"))
    with pytest.raises(DuplicateLogin):
        users.change_username(other, "ANN")
    with pytest.raises(DuplicateLogin):
        users.change_username(other, "a@example.com")


def test_change_email_moves_the_index_entry(users):
    user = users.add(User("a@example.com"))
    users.change_email(user, "new@example.com")
    assert users.find_by_email("a@example.com") is None
    assert users.find_by_email("new@example.com") is user
    other = users.add(User("b@example.com"))
    with pytest.raises(DuplicateLogin):
        users.change_email(other, "NEW@example.com")
    assert other.email == "b@example.com"


def test_release_logins_frees_email_and_username(users):
    user = User("a@example.com")
    user.username = "ann"
    users.add(user)
    users.release_logins(user)
    assert users.find_by_login("a@example.com") is None and users.find_by_login("ann") is None
    users.add(User("a@example.com"))


def test_login_sessions_store_hashes_and_expire_after_boundary(users):
    user = users.add(User("a@example.com"))
    sessions = Credentials()
    token = sessions.start(user, NOW, timedelta(hours=24))
    assert token not in sessions.data and hash_token(token) in sessions.data
    assert sessions.lookup(token, NOW + timedelta(hours=24)) is not None
    assert sessions.lookup(token, NOW + timedelta(hours=24, seconds=1)) is None
    sessions.end_all(user)
    assert sessions.lookup(token, NOW) is None and len(user.session_hashes) == 0


@pytest.mark.parametrize("old, new", [("Session", Credential), ("Sessions", Credentials)])
def test_credentials_pickled_under_their_old_class_names_still_load(old, new):
    """Databases written before the rename name ``Session``/``Sessions``."""
    stored = pickle.dumps(new(*([] if new is Credentials else ["u", NOW, None])), protocol=2)
    renamed = stored.replace(f"\n{new.__name__}\n".encode(), f"\n{old}\n".encode())
    assert renamed != stored and type(pickle.loads(renamed)) is new


def test_link_token_single_use_expiry_and_reissue(users):
    user = users.add(User("a@example.com"))
    links = LinkTokens()
    first = links.issue(user, "invite", NOW, timedelta(hours=24))
    second = links.issue(user, "invite", NOW, timedelta(hours=24))
    assert links.redeem(first, ("invite",), NOW) is None  # re-issue killed it
    assert links.redeem(second, ("password_reset",), NOW) is None  # wrong purpose
    assert links.redeem(second, ("invite",), NOW + timedelta(hours=24)) == user.__name__
    assert links.redeem(second, ("invite",), NOW) is None  # used
    third = links.issue(user, "invite", NOW, timedelta(hours=24))
    assert links.redeem(third, ("invite",), NOW + timedelta(hours=24, seconds=1)) is None


#: A JWT signing key (``Credentials.signing_key`` in a real database).
KEY = "k" * 32


def test_api_keys_are_found_by_public_id_until_revoked_or_expired(users):
    root = users.__parent__
    user = users.add(User("a@example.com"))
    keys = ApiKeys(root, NOW, KEY)
    key, token = keys.create(user, "k", NOW + timedelta(days=1))
    assert keys[key.__name__].session is key.session and token.count(".") == 2
    assert ApiKeys(root, NOW + timedelta(days=1), KEY)[key.__name__].__name__ == key.__name__
    with pytest.raises(KeyError):
        ApiKeys(root, NOW + timedelta(days=1, seconds=1), KEY)[key.__name__]
    session_token = root.sessions.start(user, NOW, timedelta(hours=1))  # not a key
    with pytest.raises(KeyError):
        keys[root.sessions.lookup(session_token, NOW).public_id]
    keys.revoke(key)
    with pytest.raises(KeyError):
        keys[key.__name__]
    assert root.sessions.lookup(token, NOW, KEY) is None and len(root.sessions.key_index) == 0


def test_an_older_database_gets_its_api_keys_indexed(users):
    """Keys stored before the index existed are found after a start-up."""
    root = users.__parent__
    user = users.add(User("a@example.com"))
    _key, token = ApiKeys(root, NOW, KEY).create(user, "k", NOW + timedelta(days=1))
    public_id = root.sessions.lookup(token, NOW, KEY).public_id
    root.sessions.key_index = None
    root.ensure_containers()
    assert ApiKeys(root, NOW, KEY)[public_id].session.user_id == user.__name__
