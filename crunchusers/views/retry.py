"""Conflicting requests retried, spread out in time.

pyramid_retry runs a request again when it raised a ZODB conflict, up to
``retry.attempts`` times.  Conflicts fail fast (RelStorage does not wait for
a row lock held by a concurrent commit of an object this transaction read
as current: it fails at once, ``UnableToLockRowsToReadCurrentError``), so
requests that collided and retry at once collide again, and under 16
concurrent writers some ran out of attempts (503).  Before each retry the
request now waits a random time between 0 and a cap that starts at
``crunchusers.retry_backoff_ms`` and doubles with each attempt, up to
:data:`MAX_BACKOFF_SECONDS` ("full jitter"): the colliding requests spread
apart and each commits on one of its next attempts.

Each retry is logged at INFO with the conflicting object's class and oid
(ZODB conflict errors carry them), so that write hot spots can be found.
"""

import logging
import random
import time

from pyramid_retry import IBeforeRetry

from ..infra.settings import get_config

MAX_BACKOFF_SECONDS = 1.0

log = logging.getLogger(__name__)


def backoff_seconds(attempt: int, first: float, rng=random) -> float:
    """How long to wait before retry number ``attempt`` (0 for the first
    retry): uniform in ``[0, min(first * 2**attempt, MAX_BACKOFF_SECONDS)]``."""
    return rng.uniform(0, min(first * 2**attempt, MAX_BACKOFF_SECONDS))


def describe(exc) -> str:
    """The conflicting object of a ZODB conflict error, else the error's type."""
    oid = getattr(exc, "oid", None)
    if oid is None:
        return type(exc).__name__
    class_name = getattr(exc, "class_name", None) or "?"
    return f"{type(exc).__name__} on {class_name} oid 0x{int.from_bytes(oid, 'big'):x}"


def wait_before_retry(event):
    request = event.request
    log.info(
        "retry %d of %s %s: %s",
        request.environ.get("retry.attempt", 0) + 1,
        request.method,
        request.path,
        describe(event.exception),
    )
    first = get_config(request.registry).retry_backoff_ms / 1000
    time.sleep(backoff_seconds(request.environ.get("retry.attempt", 0), first))


def includeme(config):
    config.add_subscriber(wait_before_retry, IBeforeRetry)
