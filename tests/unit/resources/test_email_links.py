"""Link tokens that carry a value (the pending address of an email change)
and the email index that makes a confirmed change atomic."""

from datetime import UTC, datetime, timedelta

import pytest
import transaction
from ZODB import DB
from ZODB.MappingStorage import MappingStorage
from ZODB.POSException import ConflictError

from crunchusers.domain.resources.credentials import LinkToken, LinkTokens
from crunchusers.domain.resources.root import ApiRoot
from crunchusers.domain.resources.users import User

NOW = datetime(2026, 1, 1, tzinfo=UTC)
DAY = timedelta(hours=24)


def test_a_link_keeps_its_value_until_redeemed_once():
    tokens, user = LinkTokens(), ApiRoot().users.add(User("a@example.com"))
    token = tokens.issue(user, "change_email", NOW, DAY, value="b@example.com")
    assert tokens.peek(token, ("change_email",), NOW) == user.__name__
    link = tokens.redeem_link(token, ("change_email",), NOW + DAY)
    assert (link.user_id, link.value) == (user.__name__, "b@example.com")
    assert tokens.redeem_link(token, ("change_email",), NOW) is None


def test_a_link_of_another_purpose_or_past_its_expiry_is_not_redeemed():
    tokens, user = LinkTokens(), ApiRoot().users.add(User("a@example.com"))
    token = tokens.issue(user, "verify_email", NOW, DAY, value="a@example.com")
    assert tokens.redeem_link(token, ("change_email",), NOW) is None
    assert tokens.redeem_link(token, ("verify_email",), NOW + DAY + timedelta(seconds=1)) is None


def test_links_from_before_values_read_as_none():
    """Pickles of older LinkTokens have no ``value``: the class default."""
    link = LinkToken.__new__(LinkToken)
    link.__setstate__({"user_id": "u", "purpose": "invite", "expires": NOW})
    assert link.value is None


def test_revoke_all_ends_every_purpose_of_one_user_only():
    users = ApiRoot().users
    tokens = LinkTokens()
    ann, bob = users.add(User("a@example.com")), users.add(User("b@example.com"))
    mine = [tokens.issue(ann, p, NOW, DAY) for p in ("invite", "verify_email", "change_email")]
    theirs = tokens.issue(bob, "verify_email", NOW, DAY)
    tokens.revoke_all(ann)
    assert [tokens.peek(t, ("invite", "verify_email", "change_email"), NOW) for t in mine] == [
        None
    ] * 3
    assert tokens.peek(theirs, ("verify_email",), NOW) == bob.__name__


@pytest.fixture
def db():
    database = DB(MappingStorage())
    with transaction.manager:
        root = database.open().root()
        api_root = root["api"] = ApiRoot()
        for address in ("ann@example.com", "bob@example.com"):
            api_root.users.add(User(address))
    yield database
    database.close()


def open_users(db):
    manager = transaction.TransactionManager()
    conn = db.open(transaction_manager=manager)
    users = conn.root()["api"].users
    return manager, users, {u.email: u for u in users.values()}


def test_two_changes_to_one_address_cannot_both_commit(db):
    """Two transactions each find the address free and move a different
    user to it: both write its key in the email index, so the second to
    commit conflicts (and a retried request would find the address taken)."""
    first, users_1, by_email_1 = open_users(db)
    second, users_2, by_email_2 = open_users(db)
    users_1.change_email(by_email_1["ann@example.com"], "new@example.com")
    users_2.change_email(by_email_2["bob@example.com"], "new@example.com")
    first.commit()
    with pytest.raises(ConflictError):
        second.commit()
    second.abort()
    _, users, by_email = open_users(db)
    assert users.find_by_email("new@example.com") is by_email["new@example.com"]
    assert set(by_email) == {"new@example.com", "bob@example.com"}
