"""Password hashing with argon2id (the policy is ``domain.password_policy``).

Parameters come from settings (defaults: argon2-cffi's RFC 9106 low-memory
profile).  Verification of an unknown login still runs one hash against a
dummy so that timing does not tell which emails exist.
"""

import os
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .settings import get_config

#: The longest password a login accepts: above the policy's 128, because
#: passwords set under the earlier policy could have up to 256 characters.
LOGIN_MAX_LENGTH = 256

#: At most one argon2 computation per core at a time: each takes ~150 ms and
#: 64 MiB, so unbounded logins would starve every worker thread of CPU and
#: memory (reference performance.md §3.2).
HASH_SLOTS = threading.BoundedSemaphore(os.cpu_count() or 2)


def hasher_for(registry) -> PasswordHasher:
    hasher = getattr(registry, "crunchusers_hasher", None)
    if hasher is None:
        config = get_config(registry)
        hasher = PasswordHasher(
            time_cost=config.argon2_time_cost,
            memory_cost=config.argon2_memory_cost,
            parallelism=config.argon2_parallelism,
        )
        registry.crunchusers_hasher = hasher
        registry.crunchusers_dummy_hash = hasher.hash("not a real password")
    return hasher


def hash_password(registry, password: str) -> str:
    hasher = hasher_for(registry)
    with HASH_SLOTS:
        return hasher.hash(password)


def verify_password(registry, password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; spends the same time when there is no hash."""
    hasher = hasher_for(registry)
    try:
        with HASH_SLOTS:
            hasher.verify(password_hash or registry.crunchusers_dummy_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None
