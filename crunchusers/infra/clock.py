"""One injectable clock for every time rule (sessions, tokens, timestamps).

Code never calls ``datetime.now()`` directly: it asks ``get_clock(registry)``
so tests can swap in a :class:`FrozenClock` and test expiry boundaries exactly.
"""

from datetime import UTC, datetime, timedelta


class SystemClock:
    """The real wall clock, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to; used by tests."""

    def __init__(self, start: datetime | None = None):
        self.current = start or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

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
