"""Seed a fresh FileStorage with one account of users, teams, datasets and
projects, using crunchusers' own code.

The data is made the way the app makes it (``db.bootstrap``,
``operations.create_account`` / ``new_user`` and the ``collaboration``
mutations) so the benchmark reads the same object graph a real server would.
Seeding must be quick, so the password is hashed once with cheap argon2
settings and the hash is reused for every user, and everything is committed in
batches rather than one transaction per object.

The shape is random but deterministic (``random.Random(RANDOM_SEED)``): user
number n, team number t and dataset number d get the same relationships on
every run, only their generated ids differ.

* users: the owner (administrator), ``STANDARD_USERS`` members left with the
  default "standard" role, every other member an "editor";
* teams: each with ``TEAM_SIZE`` random members, the first one its creator
  and team admin;
* datasets: each owned by a random editor, shared with one random team with
  view; every ``DIRECT_SHARE_EVERY``-th also directly with a random user;
* projects: each created by a random editor, with one random team as a view
  member and a few datasets moved into it;
* and for single scenarios: a "catalog member" (standard role) whose only
  grants are one team holding ``CATALOG_GRANTS`` datasets and
  ``CATALOG_GRANTS`` direct shares; a "login user" whose password hash has
  the server's default argon2 parameters (everyone else's is cheap); a
  "sharer" (editor) owning ``SHARER_DATASETS`` datasets it holds the edit
  lock of, and ``GRANTEES`` users the share scenario grants them to.
"""

import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import transaction
import ZODB
from pyramid.registry import Registry
from ZODB.FileStorage import FileStorage

from crunchusers.domain.collaboration import (
    create_dataset,
    create_project,
    create_team,
    move_into_project,
    set_project_member,
    set_team_member,
    share_dataset,
)
from crunchusers.domain.users import create_account, new_user
from crunchusers.infra.clock import SystemClock
from crunchusers.infra.passwords import hash_password
from crunchusers.infra.settings import Config
from crunchusers.infra.storage import ROOT_KEY, bootstrap

PASSWORD = "bench-password-1"
OWNER_EMAIL = "owner@bench.example.com"
RANDOM_SEED = 4  # issue 4
STANDARD_USERS = 10  # members 1..10 keep the default role; the rest are editors
TEAM_SIZE = 10
DIRECT_SHARE_EVERY = 10
DATASETS_PER_PROJECT = (2, 5)  # inclusive range
MEMBER_TEAMS = 3  # the measured member is in this many teams
BATCH = 1000  # objects per transaction
# Objects the seeding connection keeps between batches: with ZODB's default
# (400) every batch of users loaded again the ~2,000 index buckets it writes
# to (ids are random), and 1,000,000 users took 24 minutes here.
CACHE_OBJECTS = 200_000
CATALOG_GRANTS = 50  # the catalog member's team grants, and as many direct ones
SHARER_DATASETS = 50
GRANTEES = 1000
LOGIN_EMAIL = "login@bench.example.com"
CATALOG_EMAIL = "catalog@bench.example.com"
SHARER_EMAIL = "sharer@bench.example.com"
INVITER_EMAIL = "inviter@bench.example.com"  # owner of a second account the invites go to

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
    member_email: str  # the member whose dataset catalog is measured ...
    member_id: str
    member_teams: int  # ... and how many teams they are in
    dataset_id: str  # a dataset the member sees through a team (entity, permissions)
    probe_users: dict[str, str]  # label -> user id, timed in-process by inprocess.py
    target_email: str  # target_user_id's, for the email lookup
    catalog_email: str  # sees exactly CATALOG_GRANTS team + CATALOG_GRANTS direct grants
    login_email: str  # password hashed with the server's default argon2 parameters
    sharer_email: str  # owns and edits sharer_datasets
    inviter_email: str  # owns the account the invite scenario adds users to
    sharer_datasets: list[str]
    grantees: list[str]  # user ids the share scenario grants view to
    users: int
    teams: int
    datasets: int
    projects: int
    seconds: float
    phase_seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Shape:
    """How many of each thing to seed (``run.py`` passes its options here)."""

    users: int = 10_000
    teams: int = 1_000
    datasets: int = 100_000
    projects: int = 100

    def check(self):
        if self.users < STANDARD_USERS + TEAM_SIZE + 1:
            raise ValueError(f"--users must be at least {STANDARD_USERS + TEAM_SIZE + 1}")
        if min(self.teams, self.datasets) < 1 or self.projects < 0:
            raise ValueError("--teams and --datasets must be >= 1, --projects >= 0")
        if self.projects * DATASETS_PER_PROJECT[1] > self.datasets:
            raise ValueError("too few datasets to fill the projects")
        if self.datasets < 2 * CATALOG_GRANTS or self.users < GRANTEES + 1:
            raise ValueError(f"need >= {2 * CATALOG_GRANTS} datasets and > {GRANTEES} users")


def seeding_registry() -> Registry:
    """The two registry attributes ``bootstrap`` and ``hash_password`` read."""
    registry = Registry("crunchusers-bench-seed")
    registry.crunchusers_config = Config.from_settings(CHEAP_ARGON2)
    registry.crunchusers_clock = SystemClock()
    return registry


def batches(count: int, size: int = BATCH):
    """``range`` objects covering 0..count-1, ``size`` at a time."""
    for first in range(0, count, size):
        yield range(first, min(first + size, count))


class Seeder:
    """Creates the data in one open connection, one batch per transaction.

    Objects are kept in lists by their seeding number; after each commit
    ``cacheGC`` turns the least recently used into ghosts beyond
    :data:`CACHE_OBJECTS`, so memory stays bounded."""

    def __init__(self, conn, manager, registry, shape: Shape):
        self.conn = conn
        self.manager = manager
        self.shape = shape
        self.rng = random.Random(RANDOM_SEED)
        self.now = registry.crunchusers_clock.now()
        self.password_hash = hash_password(registry, PASSWORD)
        self.phase_seconds = {}
        self.users = []  # [0] is the owner
        self.editors = []
        self.teams = []
        self.datasets = []
        self.team_numbers = {}  # user id -> numbers of the teams they are in
        self.first_dataset = {}  # team number -> first dataset shared with it
        self.project_teams = set()  # numbers of the teams that are project members

    def api_root(self):
        return self.conn.root()[ROOT_KEY]

    def in_batches(self, phase: str, count: int, make_one):
        """Call ``make_one(api_root, n)`` for n in 0..count-1, committing per batch."""
        started = time.perf_counter()
        for numbers in batches(count):
            with self.manager:
                api_root = self.api_root()
                for n in numbers:
                    make_one(api_root, n)
            self.conn.cacheGC()
        self.phase_seconds[phase] = time.perf_counter() - started

    def account(self, registry):
        with self.manager:
            api_root = bootstrap(self.conn.root(), registry)
            account, owner = create_account(
                api_root,
                name="Bench account",
                owner_email=OWNER_EMAIL,
                owner_name="Owner",
                now=self.now,
                password_hash=self.password_hash,
            )
            owner.email_verified = True
        self.account_id = account.__name__
        self.users.append(owner)

    def user(self, api_root, n):
        number = n + 1  # the owner is user 0
        editor = number > STANDARD_USERS
        user = new_user(
            api_root,
            api_root.accounts[self.account_id],
            email=f"user{number:06d}@bench.example.com",
            now=self.now,
            password_hash=self.password_hash,
            roles=("editor",) if editor else ("standard",),
        )
        user.email_verified = True  # made with a password: as if the link was followed
        self.users.append(user)
        if editor:
            self.editors.append(user)

    def team(self, api_root, n):
        members = self.rng.sample(self.users[1:], TEAM_SIZE)
        team = create_team(api_root, members[0], f"Team {n:05d}", self.now)
        for member in members[1:]:
            set_team_member(team, member, team_admin=False)
        for member in members:
            self.team_numbers.setdefault(member.__name__, []).append(n)
        self.teams.append(team)

    def dataset(self, api_root, n):
        owner = self.rng.choice(self.editors)
        dataset = create_dataset(
            api_root, owner, f"Dataset {n:06d}", self.now, current_editor_id=owner.__name__
        )
        team_number = self.rng.randrange(len(self.teams))
        share_dataset(dataset, self.teams[team_number], "team", {"view": True})
        self.first_dataset.setdefault(team_number, dataset)
        if n % DIRECT_SHARE_EVERY == 0:
            grantee = self.rng.choice(self.users[1:])
            if grantee is not owner:
                share_dataset(dataset, grantee, "user", {"view": True})
        self.datasets.append(dataset)

    def projects(self):
        """Each project gets a random team and a few datasets no other project has."""
        low, high = DATASETS_PER_PROJECT
        pool = self.rng.sample(self.datasets, self.shape.projects * high)

        def project(api_root, n):
            creator = self.rng.choice(self.editors)
            made = create_project(api_root, creator, f"Project {n:04d}", self.now)
            team_number = self.rng.randrange(len(self.teams))
            set_project_member(made, self.teams[team_number], "team", edit=False)
            self.project_teams.add(team_number)
            for _ in range(self.rng.randint(low, high)):
                move_into_project(api_root, pool.pop(), made)

        self.in_batches("projects", self.shape.projects, project)

    def typical_member(self):
        """The first member (in seeding order) in exactly ``MEMBER_TEAMS``
        teams, or the closest count, preferring one who also reaches a project
        through a team, so every kind of grant is exercised; and the first
        dataset shared with the first of their teams that has one."""

        def teams_of(user):
            return self.team_numbers.get(user.__name__, [])

        def distance(user):
            teams = teams_of(user)
            in_project = any(t in self.project_teams for t in teams)
            return abs(len(teams) - MEMBER_TEAMS), not in_project

        member = min(self.users[1:], key=distance)
        shared = [self.first_dataset[t] for t in teams_of(member) if t in self.first_dataset]
        if not shared:
            raise RuntimeError("the chosen member sees no team dataset; seed more datasets")
        return member, len(teams_of(member)), shared[0].__name__

    def contrast(self) -> dict[str, str]:
        """Users to time next to the member: fewer and more teams, and the
        owner, an account admin who reaches every dataset of the account."""

        def teams(user):
            return len(self.team_numbers.get(user.__name__, []))

        members = self.users[1:]
        one = next((u for u in members if teams(u) == 1), None)
        most = max(members, key=teams)
        found = {"member (1 team)": one, f"member ({teams(most)} teams, most)": most}
        found["owner (account admin)"] = self.users[0]
        return {label: user.__name__ for label, user in found.items() if user is not None}


class Scenarios:
    """The few users and objects single scenarios measure, made after the
    bulk, in one transaction."""

    def __init__(self, seeder: Seeder):
        self.seeder = seeder

    def make(self, api_root):
        seeder, now = self.seeder, self.seeder.now
        account = api_root.accounts[seeder.account_id]

        def user(email, roles, password_hash=None):
            made = new_user(
                api_root,
                account,
                email=email,
                now=now,
                password_hash=password_hash or seeder.password_hash,
                roles=roles,
            )
            made.email_verified = True
            return made

        self.login = user(LOGIN_EMAIL, ("standard",), hash_password(default_registry(), PASSWORD))
        catalog = user(CATALOG_EMAIL, ("standard",))
        team = create_team(api_root, seeder.users[0], "Catalog team", now)
        set_team_member(team, catalog, team_admin=False)
        picked = seeder.rng.sample(seeder.datasets, 2 * CATALOG_GRANTS)
        for dataset in picked[:CATALOG_GRANTS]:
            share_dataset(dataset, team, "team", {"view": True})
        for dataset in picked[CATALOG_GRANTS:]:
            share_dataset(dataset, catalog, "user", {"view": True})
        sharer = user(SHARER_EMAIL, ("editor",))
        self.sharer_datasets = [
            create_dataset(api_root, sharer, f"Shared {n:02d}", now, current_editor_id=sharer.id)
            for n in range(SHARER_DATASETS)
        ]
        self.grantees = seeder.rng.sample(seeder.users[1:], GRANTEES)
        # Invites go into their own account, so the measured account's users
        # page does not grow from round to round.
        _account, inviter = create_account(
            api_root,
            name="Invites",
            owner_email=INVITER_EMAIL,
            owner_name="Inviter",
            now=now,
            password_hash=seeder.password_hash,
        )
        inviter.email_verified = True


def default_registry() -> Registry:
    """A registry whose argon2 parameters are the server's defaults."""
    registry = seeding_registry()
    registry.crunchusers_config = Config.from_settings({})
    return registry


def seed(db_path: Path, shape: Shape = Shape()) -> Seeded:
    """Create an account with ``shape.users`` users in total (the owner
    included), ``shape.teams`` teams, ``shape.datasets`` datasets and
    ``shape.projects`` projects in a new FileStorage at ``db_path``, then close
    it so the server process can take the storage lock."""
    shape.check()
    started = time.perf_counter()
    registry = seeding_registry()
    db = ZODB.DB(FileStorage(str(db_path)), cache_size=CACHE_OBJECTS)
    manager = transaction.TransactionManager(explicit=True)
    conn = db.open(transaction_manager=manager)
    try:
        seeder = Seeder(conn, manager, registry, shape)
        seeder.account(registry)
        seeder.in_batches("users", shape.users - 1, seeder.user)
        seeder.in_batches("teams", shape.teams, seeder.team)
        seeder.in_batches("datasets", shape.datasets, seeder.dataset)
        seeder.projects()
        scenarios = Scenarios(seeder)
        started_single = time.perf_counter()
        with manager:
            scenarios.make(seeder.api_root())
        seeder.phase_seconds["scenarios"] = time.perf_counter() - started_single
        member, member_teams, dataset_id = seeder.typical_member()
        probe_users = {f"member ({member_teams} teams)": member.__name__, **seeder.contrast()}
        middle = seeder.users[1 + (shape.users - 1) // 2]
        seeded = Seeded(
            owner_email=OWNER_EMAIL,
            password=PASSWORD,
            account_id=seeder.account_id,
            target_user_id=middle.__name__,
            target_email=middle.email,
            catalog_email=CATALOG_EMAIL,
            login_email=LOGIN_EMAIL,
            sharer_email=SHARER_EMAIL,
            inviter_email=INVITER_EMAIL,
            sharer_datasets=[d.__name__ for d in scenarios.sharer_datasets],
            grantees=[u.__name__ for u in scenarios.grantees],
            member_email=member.email,
            member_id=member.__name__,
            member_teams=member_teams,
            dataset_id=dataset_id,
            probe_users=probe_users,
            users=shape.users,
            teams=shape.teams,
            datasets=shape.datasets,
            projects=shape.projects,
            seconds=time.perf_counter() - started,
            phase_seconds=seeder.phase_seconds,
        )
    finally:
        conn.close()
        db.close()
    return seeded
