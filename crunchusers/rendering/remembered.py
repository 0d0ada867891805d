"""Catalog tuples remembered across requests, keyed on what they were built from.

A catalog tuple is a pure function of a few persistent objects, of how the
viewer sees them (profile tier, edit flag, permissions, display format) and
of the application URL.  A persistent object's committed state is named by
``(_p_oid, _p_serial)``: the serial is the id of the transaction that last
wrote the object, so it changes with every commit that changes it, in this
process or in another one.  A tuple is remembered under the oid and serial
of *every* persistent object it reads (an object read through another one,
such as a user's last sign-in, is part of the key too), so it is never
served once any of them changed.

Only read requests (GET, HEAD) use the cache, and only objects in a state
the database has: a new object, or one changed in this transaction, makes
the tuple be built afresh and not remembered.  There is one cache per
database (oids and serials mean nothing in another one) of at most
:data:`SIZE` tuples; the oldest leave first.  Remembered tuples are shared
between requests: nothing may change them after they are built.
"""

import weakref

from pyramid.traversal import VH_ROOT_KEY
from ZODB.utils import z64

READS = frozenset({"GET", "HEAD"})
#: Tuples remembered per database and process (about 1-2 kB each).
SIZE = 20_000
REQUEST_KEY = "_crunchusers_remembered"

_caches = weakref.WeakKeyDictionary()  # database -> Remembered


class Unnamed(Exception):
    """An object whose state no committed transaction names."""


def state(obj):
    """``(oid, serial)`` of ``obj``'s committed state (None for None);
    :class:`Unnamed` for a new object or one changed in this transaction."""
    if obj is None:
        return None
    obj._p_activate()  # a ghost's serial may be an older state's
    serial = obj._p_serial
    if obj._p_changed or obj._p_oid is None or serial == z64:
        raise Unnamed
    return obj._p_oid, serial


class Remembered:
    """A bounded dict, oldest out first (safe under threads: each step is
    one dict operation, and a lost race only forgets a tuple)."""

    def __init__(self, size: int = SIZE):
        self.size = size
        self.entries = {}

    def get(self, key):
        return self.entries.get(key)

    def put(self, key, value):
        entries = self.entries
        if len(entries) >= self.size:
            try:
                del entries[next(iter(entries))]
            except (KeyError, RuntimeError, StopIteration):
                pass
        entries[key] = value


def cache_of(request) -> Remembered | None:
    """The cache of the request's database, or None when the request may
    not use one (a write, or a virtual root whose URLs differ)."""
    known = request.__dict__.get(REQUEST_KEY, False)
    if known is False:
        known = None
        if request.method in READS and VH_ROOT_KEY not in request.environ:
            db = request.api_root._p_jar.db()
            known = _caches.get(db)
            if known is None:
                known = _caches.setdefault(db, Remembered())
        request.__dict__[REQUEST_KEY] = known
    return known


def remembered(request, key_of, build):
    """``build()``, or what it returned before for the same key.  ``key_of()``
    names every input (use :func:`state` for persistent objects)."""
    cache = cache_of(request)
    if cache is None:
        return build()
    try:
        key = key_of()
    except Unnamed:
        return build()
    value = cache.get(key)
    if value is None:
        value = build()
        cache.put(key, value)
    return value
