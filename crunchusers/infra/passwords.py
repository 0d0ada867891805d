"""Password hashing with argon2id (the policy is ``domain.password_policy``).

Parameters come from settings (defaults: argon2-cffi's RFC 9106 low-memory
profile).  Verification of an unknown login still runs one hash against a
dummy so that timing does not tell which emails exist.
"""

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .hashing import HashGate
from .settings import get_config

#: The longest password a login accepts: above the policy's 128, because
#: passwords set under the earlier policy could have up to 256 characters.
LOGIN_MAX_LENGTH = 256

_GATE_LOCK = threading.Lock()


def hash_gate(registry) -> HashGate:
    """The process's bounded hashing threads for this app (``infra.hashing``):
    every argon2 computation goes through them."""
    with _GATE_LOCK:
        gate = getattr(registry, "crunchusers_hash_gate", None)
        if gate is None:
            login = get_config(registry).login
            gate = HashGate(login.hash_slots, login.hash_waiting, login.hash_wait_seconds)
            registry.crunchusers_hash_gate = gate
        return gate


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
    return hash_gate(registry).run(lambda: hasher.hash(password))


def verify_password(registry, password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; spends the same time when there is no
    hash.  Raises ``HashingBusy`` when the hashing capacity is taken."""
    hasher = hasher_for(registry)
    return hash_gate(registry).run(lambda: _matches(hasher, password_hash, password, registry))


def _matches(hasher, password_hash, password, registry) -> bool:
    try:
        hasher.verify(password_hash or registry.crunchusers_dummy_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None
