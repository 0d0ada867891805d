"""One injectable clock for every time rule (sessions, tokens, timestamps).

Code never calls ``datetime.now()`` directly: it asks ``get_clock(registry)``
so tests can swap in a :class:`FrozenClock` and test expiry boundaries exactly.

Because every reading goes through here, a request can also learn whether
its answer depends on the time (:class:`ClockWatch`): the read cache
(``views.read_cache``) keeps only answers that read no clock, or whose
readings said until when they hold.
"""

from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

#: The smallest step of a ``datetime``: "before T" is "at T - TICK at the latest".
TICK = timedelta(microseconds=1)


class ClockWatch:
    """What one request's answer owes to the clock.

    ``open_readings`` counts readings whose use nobody bounded: an answer
    with any is only true now.  A reader that knows until when its decision
    holds calls :func:`reading_holds_until`, which turns its reading into a
    bound: the answer then holds until ``holds_until`` (inclusive)."""

    def __init__(self):
        self.open_readings = 0
        self.holds_until = None

    @property
    def timeless(self) -> bool:
        return self.open_readings == 0


_WATCH: ContextVar[ClockWatch | None] = ContextVar("crunchusers_clock_watch", default=None)


def watch_clock() -> tuple[ClockWatch, object]:
    """Start watching this thread's readings: ``(watch, token)``; pass the
    token to :func:`stop_watching`."""
    watch = ClockWatch()
    return watch, _WATCH.set(watch)


def stop_watching(token):
    _WATCH.reset(token)


def _noted(moment: datetime) -> datetime:
    watch = _WATCH.get()
    if watch is not None:
        watch.open_readings += 1
    return moment


def reading_holds_until(moment: datetime | None):
    """The caller's last reading decided something that stays the same up
    to ``moment`` (inclusive; None: forever): the answer may be reused
    until then."""
    watch = _WATCH.get()
    if watch is None:
        return
    watch.open_readings -= 1
    if moment is not None and (watch.holds_until is None or moment < watch.holds_until):
        watch.holds_until = moment


class SystemClock:
    """The real wall clock, always timezone-aware UTC."""

    def now(self) -> datetime:
        return _noted(datetime.now(UTC))


class FrozenClock:
    """A clock that only moves when told to; used by tests."""

    def __init__(self, start: datetime | None = None):
        self.current = start or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return _noted(self.current)

    def advance(self, **delta) -> datetime:
        self.current += timedelta(**delta)
        return self.current


def get_clock(registry):
    return registry.crunchusers_clock


def now(request) -> datetime:
    return get_clock(request.registry).now()


def isoformat(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``-free ``+00:00`` offset, or None."""
    if not moment:
        return None
    return (moment if moment.tzinfo is UTC else moment.astimezone(UTC)).isoformat()
