"""Every relationship's forward and reverse sides agree after each operation.

A Kinto-style invariant suite: ``check`` walks the whole tree (fine in a
test) and compares each stored relationship with its reverse, then a
sequence of operations runs with the check after every step.
"""

from datetime import UTC, datetime

import pytest

from crunchusers.domain import collaboration as ops
from crunchusers.domain.expropriation import expropriate
from crunchusers.domain.resources.root import ApiRoot
from crunchusers.domain.resources.users import normalize_email
from crunchusers.domain.users import create_account, new_user, remove_user

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def check(root):
    users, teams, projects, datasets = root.users, root.teams, root.projects, root.datasets
    for user in users.values():
        if user.status != "deleted":
            assert root.users.by_email[normalize_email(user.email)] == user.__name__
        for team_id in user.team_ids:
            assert user.__name__ in teams[team_id].members
        for project_id in user.ids("project_ids"):
            assert f"user:{user.__name__}" in projects[project_id].members
        for dataset_id in user.ids("dataset_ids"):
            assert f"user:{user.__name__}" in datasets[dataset_id].shares
        for attr, container in (
            ("owned_team_ids", teams),
            ("owned_project_ids", projects),
            ("owned_dataset_ids", datasets),
        ):
            for ident in user.ids(attr):
                assert container[ident].owner_id == user.__name__
    for email_key, user_id in root.users.by_email.items():
        assert normalize_email(users[user_id].email) == email_key
    for team in teams.values():
        for user_id in team.members:
            assert team.__name__ in users[user_id].team_ids
        for dataset_id in team.ids("dataset_ids"):
            assert f"team:{team.__name__}" in datasets[dataset_id].shares
        for project_id in team.ids("project_ids"):
            assert f"team:{team.__name__}" in projects[project_id].members
    for thing_kind, container, owned in (
        ("team_ids", teams, "owned_team_ids"),
        ("project_ids", projects, "owned_project_ids"),
        ("dataset_ids", datasets, "owned_dataset_ids"),
    ):
        for thing in container.values():
            assert thing.__name__ in users[thing.owner_id].ids(owned)
            assert thing.__name__ in root.accounts[thing.account_id].ids(thing_kind)
    for project in projects.values():
        for key in project.members:
            kind, ident = key.split(":", 1)
            holder = users[ident] if kind == "user" else teams[ident]
            assert project.__name__ in holder.ids("project_ids")
        for dataset_id in project.ids("dataset_ids"):
            assert datasets[dataset_id].project_id == project.__name__
        for child_id in project.ids("child_project_ids"):
            assert projects[child_id].parent_id == project.__name__
        assert sorted(project.graph) == sorted(
            [*project.ids("dataset_ids"), *project.ids("child_project_ids")]
        )
    for dataset in datasets.values():
        for key in dataset.shares:
            kind, ident = key.split(":", 1)
            holder = users[ident] if kind == "user" else teams[ident]
            assert dataset.__name__ in holder.ids("dataset_ids")
        if dataset.project_id:
            assert dataset.__name__ in projects[dataset.project_id].ids("dataset_ids")


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
