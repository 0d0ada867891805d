"""Time ``crunchusers.authz.grants.visible_datasets`` directly on the seeded database.

No HTTP, no server: the FileStorage is opened in this process (before the
server takes its lock), the call is made once to load the objects it touches
into the connection cache, then timed ``CALLS`` times; the median is reported
next to what the user can reach, so one can see that the cost follows the
user's own grants and teams, not the number of datasets in the database.
"""

import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import transaction
import ZODB
from ZODB.FileStorage import FileStorage

from crunchusers.authz.grants import candidate_dataset_ids, reachable_projects, visible_datasets
from crunchusers.infra.storage import ROOT_KEY

CALLS = 20


@dataclass(frozen=True)
class Timing:
    label: str
    teams: int  # teams the user is in
    direct: int  # datasets shared with the user directly
    owned: int  # datasets the user owns
    projects: int  # projects the user reaches
    candidates: int  # dataset ids gathered from those relationships
    visible: int  # len(visible_datasets(...))
    median_ms: float
    datasets_in_db: int

    def as_dict(self) -> dict:
        return asdict(self)


def time_visible_datasets(db_path: Path, users: dict[str, str]) -> list[Timing]:
    """Median warm time of ``visible_datasets(api_root, user)`` for each
    ``label -> user id`` in ``users``."""
    db = ZODB.DB(FileStorage(str(db_path), read_only=True))
    manager = transaction.TransactionManager(explicit=True)
    conn = db.open(transaction_manager=manager)
    try:
        with manager:
            api_root = conn.root()[ROOT_KEY]
            return [
                _time_one(api_root, label, api_root.users[uid]) for label, uid in users.items()
            ]
    finally:
        conn.close()
        db.close()


def _time_one(api_root, label, user) -> Timing:
    visible = visible_datasets(api_root, user)  # warm-up: load what it touches
    seconds = []
    for _ in range(CALLS):
        started = time.perf_counter()
        visible_datasets(api_root, user)
        seconds.append(time.perf_counter() - started)
    return Timing(
        label=label,
        teams=len(user.team_ids),
        direct=len(user.ids("dataset_ids")),
        owned=len(user.ids("owned_dataset_ids")),
        projects=len(reachable_projects(api_root, user)),
        candidates=len(candidate_dataset_ids(api_root, user)),
        visible=len(visible),
        median_ms=statistics.median(seconds) * 1000,
        datasets_in_db=len(api_root.datasets),
    )


def print_timings(timings: list[Timing]):
    print(f"\nIn-process visible_datasets(api_root, user), median of {CALLS} warm calls")
    header = (
        f"{'user':<26} {'teams':>5} {'direct':>6} {'owned':>5} {'projects':>8} "
        f"{'candidates':>10} {'visible':>7} {'ms':>8} {'us/visible':>10}"
    )
    print(header)
    print("-" * len(header))
    for t in timings:
        per = t.median_ms * 1000 / t.visible if t.visible else float("nan")
        print(
            f"{t.label:<26} {t.teams:>5} {t.direct:>6} {t.owned:>5} {t.projects:>8} "
            f"{t.candidates:>10} {t.visible:>7} {t.median_ms:>8.3f} {per:>10.1f}"
        )
    if timings:
        print(f"(datasets in the database: {timings[0].datasets_in_db})")
