"""Slow refusals that cost nothing: pacing a login flood.

A refused login (429 throttled, 503 no hashing slot) takes a millisecond;
a client that ignores ``Retry-After`` sends the next one at once, and a few
such clients keep a core busy with refusals.  So a refused login's body is
sent only after ``crunchusers.login.refusal_delay_seconds`` (1 s): the
delay is spent in the response's body iterator, after the transaction
ended and the ZODB connection went back to the pool, sleeping (no CPU, no
GIL) in the waitress thread.  At most ``crunchusers.login.delayed_refusals``
(8) refusals wait at once per process; beyond that they answer at once, so
a flood can never hold more threads than that.
"""

import threading
import time

from ..infra.settings import get_config

_LOCK = threading.Lock()


class Pacer:
    """How many refusals may be delayed at once, and by how much."""

    def __init__(self, delay: float, limit: int):
        self.delay = delay
        self.slots = threading.BoundedSemaphore(limit) if limit > 0 else None
        self.delayed = 0  # refusals delayed so far (tests read it)

    def pace(self, response):
        """``response`` whose body waits ``delay`` seconds, if a slot is free."""
        if self.delay <= 0 or self.slots is None or not self.slots.acquire(blocking=False):
            return response
        self.delayed += 1
        body = response.body
        response.app_iter = DelayedBody(body, self.delay, self.slots.release)
        response.content_length = len(body)
        return response


class DelayedBody:
    """A one-chunk body sent after a sleep; frees its slot exactly once,
    when sent or when the server closes it (a client that went away)."""

    def __init__(self, body: bytes, delay: float, release):
        self.body = body
        self.delay = delay
        self.release = release
        self.released = False

    def __iter__(self):
        try:
            time.sleep(self.delay)
            yield self.body
        finally:
            self.close()

    def close(self):
        if not self.released:
            self.released = True
            self.release()


def pacer(registry) -> Pacer:
    with _LOCK:
        found = getattr(registry, "crunchusers_pacer", None)
        if found is None:
            login = get_config(registry).login
            found = registry.crunchusers_pacer = Pacer(
                login.refusal_delay_seconds, login.delayed_refusals
            )
        return found
