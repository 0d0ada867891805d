"""Answers to reads, kept while nothing they were made from has changed.

An API read is a function of the request (method, URL, headers, client
address), of the database's committed state, of the settings and of the
clock.  So a ``GET`` answer can be sent again, without opening a
transaction, a connection or any view, to the identical request, as long as

* the database's last transaction is still the one it was made under
  (any commit, by anybody, to anything, empties the cache: no write can be
  missed, whichever objects it touched);
* the settings and the clock are the same objects (tests swap them);
* the clock has not passed the moment the answer holds until, nor gone
  back before the moment it was made.  Every reading of the clock is
  watched (:class:`~crunchusers.infra.clock.ClockWatch`): an answer that
  read it is kept only if each reader said until when its reading holds.
  The security policy does, with the end of the credential (its expiry,
  idle time and session lifetime, and the moment before its use would be
  stamped again): a session refused at ``t + 1 s`` is refused at
  ``t + 1 s``, kept answer or not; so does the sign-in summary (until its
  first live session ends).  Any other reading (a dataset's
  ``access_time``, a session list's idle flags) makes the answer one-off.

Only ``200`` JSON answers to ``GET`` are kept, and only those that committed
nothing (the last transaction is the same after the answer as before it:
a read that stamped a session's use, or a tracked user's read, is not kept)
and set no cookie.  They are kept as sent, after the response callbacks:
a kept answer is served without a view, so without the callbacks a view's
request registers (Cornice's ``nosniff`` header).  The key is everything a
view can see of the request: the method, scheme, host, port, script name,
path and query, the client's address and every header, the credentials
included, so one client's answer never reaches another.

Only for storages whose last transaction this process knows without asking
anyone (FileStorage, MappingStorage, DemoStorage): over ZEO or RelStorage,
another process's commit is known only after a round trip, which is what
opening a connection costs anyway, so there it stays off and those servers
answer every read afresh.

Why: a read through every layer (routing, traversal, Cornice, the
transaction, the connection, the security policy, the renderer) costs 3-10
times a bare Pyramid view, however lean each layer is (README, *Speed*);
a kept answer costs about as much as the bare view.  ``crunchusers.read_cache_mb``
(16 by default, 0 to switch it off) bounds its memory, keys included (a
client chooses their size); once full, nothing more is kept until the next
commit empties it.
"""

import sys
import threading

from pyramid.response import Response
from ZODB.DemoStorage import DemoStorage
from ZODB.FileStorage import FileStorage
from ZODB.MappingStorage import MappingStorage

from ..infra.clock import get_clock, stop_watching, watch_clock
from ..infra.settings import get_config
from ..infra.storage import get_db

#: Storages whose ``lastTransaction()`` is the truth for every process using them.
LOCAL_STORAGES = (FileStorage, MappingStorage, DemoStorage)
#: The parts of the WSGI environ, besides the headers, that a view may read.
REQUEST_PARTS = (
    "wsgi.url_scheme",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "REMOTE_ADDR",
)


def is_local(storage) -> bool:
    """A storage this process alone writes (a BlobStorage wrapper looks through)."""
    inner = getattr(storage, "_BlobStorage__storage", storage)
    return isinstance(inner, LOCAL_STORAGES)


def request_key(environ) -> tuple | None:
    """Everything of a ``GET`` a view can see, or None for a request that
    is never kept (another method, or a body)."""
    if environ["REQUEST_METHOD"] != "GET" or environ.get("CONTENT_LENGTH") not in (None, "", "0"):
        return None
    parts = tuple(environ.get(name) for name in REQUEST_PARTS)
    headers = tuple(sorted((k, v) for k, v in environ.items() if k.startswith("HTTP_")))
    return parts, headers, environ.get("CONTENT_TYPE")


def is_keepable(response) -> bool:
    """A complete ``200`` JSON answer that sets no cookie."""
    return (
        response.status_code == 200
        and isinstance(response.app_iter, list)
        and (response.content_type or "").endswith("json")
        and "Set-Cookie" not in response.headers
    )


#: What a kept answer takes besides its key, headers and body: the
#: :class:`Kept` and its slot in the dict, rounded up.
ENTRY_BYTES = 256


def footprint(value) -> int:
    """The bytes ``value`` takes in memory: a string, bytes or None, or a
    tuple of them (a key, a header list)."""
    size = sys.getsizeof(value)
    if type(value) is tuple:
        size += sum(map(footprint, value))
    return size


class Kept:
    """One answer: its headers and body, and the moments it holds from
    (None: any) and until (None: any)."""

    __slots__ = ("headers", "body", "holds_until", "since", "cost")

    def __init__(self, response, holds_until, since=None):
        self.headers = tuple(response.headerlist)
        # A copy of its own length: orjson's bytes keep the buffer they grew
        # in (4-8 kB for a short answer), which their length does not show.
        self.body = memoryview(response.body).tobytes()
        self.holds_until = holds_until
        self.since = since
        self.cost = 0  # set when kept, with its key

    @property
    def size(self) -> int:
        return footprint(self.headers) + sys.getsizeof(self.body) + ENTRY_BYTES

    def holds_at(self, now) -> bool:
        """Not past its end, nor before it was made (a wall clock set back:
        a session that ended since was live then)."""
        if self.since is not None and now < self.since:
            return False
        return self.holds_until is None or now <= self.holds_until

    def response(self) -> Response:
        return Response(body=self.body, headerlist=list(self.headers))


class ReadCache:
    """The kept answers of one database state (see the module docstring).

    Lookups take no lock: the state and its answers are one tuple, replaced
    (never changed in place) when the state changes; keeping takes one."""

    def __init__(self, db, budget_bytes: int):
        self.db = db
        self.budget = budget_bytes
        self.lock = threading.Lock()
        #: (state, answers by key): state is (last transaction, settings, clock).
        self.snapshot = (None, {})
        self.used = 0
        self.hits = 0
        self.kept = 0

    def current_state(self, registry) -> tuple:
        return self.db.lastTransaction(), get_config(registry), get_clock(registry)

    def find(self, key, state, now) -> Kept | None:
        kept_state, entries = self.snapshot
        if kept_state is None or not _same(kept_state, state):
            return None
        entry = entries.get(key)
        if entry is None or not entry.holds_at(now):
            return None
        self.hits += 1
        return entry

    def keep(self, key, state, entry: Kept, registry):
        with self.lock:
            if not _same(self.current_state(registry), state):
                return  # a commit since: this answer may already be stale
            kept_state, entries = self.snapshot
            if kept_state is None or not _same(kept_state, state):
                entries, self.used = {}, 0
                self.snapshot = (state, entries)
            # The key too: a client chooses its size (query, headers), and
            # may send many with small answers.
            entry.cost = footprint(key) + entry.size
            replaced = entries.get(key)
            freed = replaced.cost if replaced is not None else 0
            if self.used - freed + entry.cost > self.budget:
                return
            entries[key] = entry
            self.used += entry.cost - freed
            self.kept += 1


def _same(one: tuple, other: tuple) -> bool:
    return one[0] == other[0] and one[1] is other[1] and one[2] is other[2]


def cache_of(registry, budget: int) -> ReadCache | None:
    """The cache of the registry's database, or None where it stays off.
    Looked up per request: tests give one app a new database per test."""
    db = get_db(registry)
    cache = getattr(registry, "crunchusers_read_cache", None)
    if cache is None or cache.db is not db:
        enabled = budget > 0 and is_local(db.storage)
        cache = registry.crunchusers_read_cache = ReadCache(db, budget if enabled else 0)
    return cache if cache.budget else None


def read_cache_tween_factory(handler, registry):
    budget = get_config(registry).read_cache_mb * 1024 * 1024

    def read_cache_tween(request):
        key = request_key(request.environ)
        cache = cache_of(registry, budget) if key is not None else None
        if cache is None:
            return handler(request)
        state = cache.current_state(registry)
        now = state[2].now()
        found = cache.find(key, state, now)
        if found is not None:
            return found.response()
        watch, token = watch_clock()
        try:
            response = handler(request)
        finally:
            stop_watching(token)
        if watch.timeless:
            # Kept as sent: after the response callbacks the request has
            # (Cornice's ``X-Content-Type-Options``), which a kept answer,
            # served without a view, would not get.  This one runs last.  Not
            # one a tween above replaced: it would do that again on a hit.
            def keep(request, sent):
                if sent is response and is_keepable(sent):
                    cache.keep(key, state, Kept(sent, watch.holds_until, now), registry)

            request.add_response_callback(keep)
        return response

    return read_cache_tween


def includeme(config):
    """Just over the transaction: a kept answer opens none; the body limit,
    CSRF and access log tweens still see every request."""
    config.add_tween(
        f"{__name__}.read_cache_tween_factory",
        under="crunchusers.views.csrf.csrf_tween_factory",
        over="pyramid_tm.tm_tween_factory",
    )
