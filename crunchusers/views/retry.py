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
"""

import random
import time

from pyramid_retry import IBeforeRetry

from ..infra.settings import get_config

MAX_BACKOFF_SECONDS = 1.0


def backoff_seconds(attempt: int, first: float, rng=random) -> float:
    """How long to wait before retry number ``attempt`` (0 for the first
    retry): uniform in ``[0, min(first * 2**attempt, MAX_BACKOFF_SECONDS)]``."""
    return rng.uniform(0, min(first * 2**attempt, MAX_BACKOFF_SECONDS))


def wait_before_retry(event):
    request = event.request
    first = get_config(request.registry).retry_backoff_ms / 1000
    time.sleep(backoff_seconds(request.environ.get("retry.attempt", 0), first))


def includeme(config):
    config.add_subscriber(wait_before_retry, IBeforeRetry)
