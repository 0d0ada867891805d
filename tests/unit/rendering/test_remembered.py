"""``rendering.remembered``: what names a committed state, and the bound."""

import pytest
import transaction
from persistent.mapping import PersistentMapping
from ZODB import DB
from ZODB.MappingStorage import MappingStorage

from crunchusers.rendering.remembered import Remembered, Unnamed, state


@pytest.fixture
def conn():
    db = DB(MappingStorage())
    manager = transaction.TransactionManager(explicit=True)
    connection = db.open(transaction_manager=manager)
    yield connection, manager
    connection.close()
    db.close()


def test_a_committed_object_is_named_by_its_oid_and_serial(conn):
    connection, manager = conn
    with manager:
        thing = connection.root()["thing"] = PersistentMapping(a=1)
    first = state(thing)
    assert first == (thing._p_oid, thing._p_serial)
    with manager:
        thing["a"] = 2
    assert state(thing) != first and state(thing)[0] == first[0]
    assert state(None) is None


def test_new_and_changed_objects_have_no_name(conn):
    connection, manager = conn
    with manager:
        thing = connection.root()["thing"] = PersistentMapping(a=1)
    with pytest.raises(Unnamed):
        state(PersistentMapping())  # never stored
    manager.begin()
    thing["a"] = 2
    with pytest.raises(Unnamed):
        state(thing)  # changed in this transaction
    manager.abort()


def test_a_ghost_is_named_by_its_current_state(conn):
    connection, manager = conn
    with manager:
        thing = connection.root()["thing"] = PersistentMapping(a=1)
    named = state(thing)
    with manager:
        thing._p_invalidate()
        assert state(thing) == named and thing["a"] == 1


def test_the_oldest_entry_leaves_first():
    cache = Remembered(size=2)
    for key in "abc":
        cache.put(key, key.upper())
    assert cache.get("a") is None and cache.get("b") == "B" and cache.get("c") == "C"
