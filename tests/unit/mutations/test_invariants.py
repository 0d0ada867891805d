"""Every relationship's forward and reverse sides agree after each operation.

A Kinto-style invariant suite: a sequence of operations runs with the
whole-tree check (``tests.unit.invariants``) after every step.
"""

from datetime import UTC, datetime

import pytest

from crunchusers.domain import collaboration as ops
from crunchusers.domain.ownership import expropriate
from crunchusers.domain.removal import remove_user
from crunchusers.domain.resources.root import ApiRoot
from crunchusers.domain.users import create_account, new_user

from ..invariants import check

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def world():
    root = ApiRoot()
    account, owner = create_account(root, name="A", owner_email="o@x.test", now=NOW)
    alice = new_user(root, account, email="alice@x.test", now=NOW, roles=("editor",))
    bob = new_user(root, account, email="bob@x.test", now=NOW)
    return root, owner, alice, bob


def test_invariants_hold_through_a_life_of_operations(world):
    root, owner, alice, bob = world
    steps = []
    team = ops.create_team(root, alice, "T", NOW)
    steps.append(lambda: ops.set_team_member(team, bob, team_admin=False))
    project = ops.create_project(root, alice, "P", NOW)
    sub = ops.create_project(root, alice, "Sub", NOW, parent=project)
    dataset = ops.create_dataset(root, alice, "D", NOW, project=project)
    other = ops.create_dataset(root, alice, "E", NOW)
    steps += [
        lambda: ops.set_project_member(project, team, "team", edit=False),
        lambda: ops.set_project_member(project, bob, "user", edit=True),
        lambda: ops.share_dataset(other, team, "team", {"view": True}),
        lambda: ops.share_dataset(other, bob, "user", {"edit": True}),
        lambda: ops.move_into_project(root, other, sub),
        lambda: ops.move_into_project(root, dataset, None),
        lambda: ops.unshare_dataset(other, bob, "user"),
        lambda: ops.remove_project_member(project, bob, "user"),
        lambda: expropriate(root, alice, owner),
        lambda: ops.move_into_project(root, other, None),
        lambda: ops.delete_project(root, sub),
        lambda: ops.delete_team(root, team),
        lambda: ops.delete_dataset(root, dataset),
        lambda: remove_user(root, bob),
    ]
    check(root)
    for step in steps:
        step()
        check(root)
    assert len(root.teams) == 0 and list(root.datasets) == [other.__name__]
    assert other.owner_id == owner.__name__ and project.owner_id == owner.__name__
