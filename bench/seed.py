"""Seed a fresh FileStorage with one account of N users, using crunchusers' own code.

The data is made the way the app makes it (``db.bootstrap``,
``operations.create_account`` / ``new_user``) so the benchmark reads the same
object graph a real server would.  Seeding must be quick, so the password is
hashed once with cheap argon2 settings and the hash is reused for every user,
and users are committed in batches rather than one transaction each.
"""

import time
from dataclasses import dataclass
from pathlib import Path

import transaction
import ZODB
from pyramid.registry import Registry
from ZODB.FileStorage import FileStorage

from crunchusers.clock import SystemClock
from crunchusers.db import ROOT_KEY, bootstrap
from crunchusers.operations import create_account, new_user
from crunchusers.passwords import hash_password
from crunchusers.settings import Config

PASSWORD = "bench-password-1"
OWNER_EMAIL = "owner@bench.example.com"

# Only for seeding: the stored hash carries its own parameters, so the server
# (with its default, expensive settings) still verifies it cheaply at login.
CHEAP_ARGON2 = {
    "crunchusers.argon2.time_cost": "1",
    "crunchusers.argon2.memory_cost": "1024",
    "crunchusers.argon2.parallelism": "1",
}


@dataclass(frozen=True)
class Seeded:
    """What the benchmark needs to know about the seeded data."""

    owner_email: str
    password: str
    account_id: str
    target_user_id: str  # a plain member, fetched by the GET /api/users/<id>/ scenario
    users: int
    seconds: float


def seeding_registry() -> Registry:
    """The two registry attributes ``bootstrap`` and ``hash_password`` read."""
    registry = Registry("crunchusers-bench-seed")
    registry.crunchusers_config = Config.from_settings(CHEAP_ARGON2)
    registry.crunchusers_clock = SystemClock()
    return registry


def seed(db_path: Path, users: int, batch: int = 1000) -> Seeded:
    """Create ``users`` users in total (the account owner plus ``users - 1``
    standard members) in a new FileStorage at ``db_path``, then close it so
    the server process can take the storage lock."""
    if users < 2:
        raise ValueError("--users must be at least 2 (the owner and one member)")
    started = time.perf_counter()
    registry = seeding_registry()
    password_hash = hash_password(registry, PASSWORD)
    now = registry.crunchusers_clock.now()
    db = ZODB.DB(FileStorage(str(db_path)))
    manager = transaction.TransactionManager(explicit=True)
    conn = db.open(transaction_manager=manager)
    try:
        with manager:
            api_root = bootstrap(conn.root(), registry)
            account, _owner = create_account(
                api_root,
                name="Bench account",
                owner_email=OWNER_EMAIL,
                owner_name="Owner",
                now=now,
                password_hash=password_hash,
            )
            account_id = account.__name__
        member_ids = []
        for first in range(1, users, batch):
            with manager:
                api_root = conn.root()[ROOT_KEY]
                account = api_root.accounts[account_id]
                for n in range(first, min(first + batch, users)):
                    user = new_user(
                        api_root,
                        account,
                        email=f"user{n:06d}@bench.example.com",
                        now=now,
                        password_hash=password_hash,
                    )
                    member_ids.append(user.__name__)
            conn.cacheGC()  # keep the seeding process small for large --users
    finally:
        conn.close()
        db.close()
    return Seeded(
        owner_email=OWNER_EMAIL,
        password=PASSWORD,
        account_id=account_id,
        target_user_id=member_ids[len(member_ids) // 2],
        users=users,
        seconds=time.perf_counter() - started,
    )
