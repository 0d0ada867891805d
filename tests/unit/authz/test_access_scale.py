"""A user's reachable datasets are found from the user's own grants.

With 10,000 users, 1,000 teams and 10,000 datasets in the tree, computing one
user's dataset catalog (``visible_datasets``) must look up only the datasets
and teams that user's relationships point at — never iterate a container.
The tree is built in memory (persistent objects work without a database).
"""

import random
from datetime import UTC, datetime

import pytest

from crunchusers.authz.grants import candidate_dataset_ids, visible_datasets
from crunchusers.domain.collaboration import (
    create_dataset,
    create_team,
    set_team_member,
    share_dataset,
)
from crunchusers.domain.resources.root import ApiRoot
from crunchusers.domain.users import create_account, new_user

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class CountingContainer:
    """Stands in for a container: counts lookups, forbids whole scans."""

    def __init__(self, real):
        self.real = real
        self.lookups = 0

    def get(self, name, default=None):
        self.lookups += 1
        return self.real.get(name, default)

    def __getitem__(self, name):
        self.lookups += 1
        return self.real[name]

    def __contains__(self, name):
        self.lookups += 1
        return name in self.real

    def scan(self, *args, **kw):
        raise AssertionError("a query scanned a whole container")

    values = keys = items = __iter__ = __len__ = scan


@pytest.fixture(scope="module")
def world():
    rng = random.Random(4)
    root = ApiRoot()
    accounts, users = [], []
    for a in range(10):
        account, owner = create_account(root, name=f"A{a}", owner_email=f"o{a}@x.test", now=NOW)
        accounts.append(account)
        users.append(owner)
        for u in range(999):
            users.append(
                new_user(root, account, email=f"u{a}-{u}@x.test", now=NOW, roles=("editor",))
            )
    teams = []
    for t in range(1000):
        members = rng.sample(users, 10)
        team = create_team(root, members[0], f"T{t}", NOW)
        for member in members[1:]:
            set_team_member(team, member, team_admin=False)
        teams.append(team)
    for d in range(10_000):
        dataset = create_dataset(root, rng.choice(users), f"D{d}", NOW)
        share_dataset(dataset, rng.choice(teams), "team", {"view": True})
        if d % 10 == 0:
            share_dataset(dataset, rng.choice(users), "user", {"edit": True})
    member = next(u for u in users[1:] if len(u.team_ids) >= 2)
    return root, member


def test_world_has_the_promised_size(world):
    root, _ = world
    assert (len(root.users), len(root.teams), len(root.datasets)) == (10_000, 1_000, 10_000)


def test_visible_datasets_touch_only_the_users_grants(world):
    root, user = world
    expected = candidate_dataset_ids(root, user)
    real_datasets, real_teams = root.datasets, root.teams
    root.datasets = CountingContainer(real_datasets)
    root.teams = CountingContainer(real_teams)
    try:
        pairs = visible_datasets(root, user)
        dataset_lookups, team_lookups = root.datasets.lookups, root.teams.lookups
    finally:
        root.datasets, root.teams = real_datasets, real_teams
    assert pairs, "the user should see the datasets shared with their teams"
    assert {d.__name__ for d, _ in pairs} == expected
    # One lookup per candidate dataset, and a bounded number per team and
    # dataset for permission checks (teams of the user, the dataset's project).
    assert dataset_lookups == len(expected)
    assert team_lookups <= 2 * len(user.team_ids)
    assert len(expected) < 200  # a handful of teams' worth, not 10,000
