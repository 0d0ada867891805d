"""Every relationship's forward and reverse sides agree after each operation.

A Kinto-style invariant suite: ``check`` walks the whole tree (fine in a
test) and compares each stored relationship with its reverse, as each kind
declares them (``domain.kinds``), then a sequence of operations runs with
the check after every step.
"""

from datetime import UTC, datetime

import pytest

from crunchusers.domain import collaboration as ops
from crunchusers.domain.kinds import all_kinds, granted_to, kind_named, owned_kinds, placement_of
from crunchusers.domain.ownership import expropriate
from crunchusers.domain.removal import remove_user
from crunchusers.domain.resources.root import ApiRoot
from crunchusers.domain.resources.users import normalize_email
from crunchusers.domain.users import create_account, new_user

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def check(root):
    users = root.users
    for user in users.values():
        if user.status != "deleted":
            assert root.users.by_email[normalize_email(user.email)] == user.__name__
    for email_key, user_id in root.users.by_email.items():
        assert normalize_email(users[user_id].email) == email_key
    for spec in all_kinds():
        for thing in spec.container_of(root).values():
            check_forward(root, spec, thing)
            check_reverse(root, spec, thing)


def check_forward(root, spec, thing):
    """What ``thing`` points at points back."""
    name = thing.__name__
    if spec.owned:
        assert name in root.users[thing.owner_id].ids(spec.owned_ids)
    if spec.in_account and thing.account_id:
        assert name in root.accounts[thing.account_id].ids(spec.ids)
    if spec.grantable:
        for key in getattr(thing, spec.grantable.on):
            grantee_kind, ident = spec.grantable.parse(key)
            assert name in kind_named(grantee_kind).container_of(root)[ident].ids(spec.ids)
    placed = placement_of(spec)
    if placed and getattr(thing, placed[1].pointer):
        holder_kind, placement = placed
        holder = holder_kind.container_of(root)[getattr(thing, placement.pointer)]
        assert name in holder.ids(placement.children)


def check_reverse(root, spec, thing):
    """What points at ``thing`` from its id-sets is pointed at back."""
    name = thing.__name__
    for granted in granted_to(spec.name):
        for ident in thing.ids(granted.ids):
            on = getattr(granted.container_of(root)[ident], granted.grantable.on)
            assert granted.grantable.key(spec.name, name) in on
    for owned in owned_kinds():
        for ident in thing.ids(owned.owned_ids):
            assert owned.container_of(root)[ident].owner_id == name
    for held in all_kinds():
        if held.in_account and spec.name == "account":
            for ident in thing.ids(held.ids):
                assert held.container_of(root)[ident].account_id == name
    children = []
    for child_name, placement in spec.contains.items():
        for child_id in thing.ids(placement.children):
            child = kind_named(child_name).container_of(root)[child_id]
            assert getattr(child, placement.pointer) == name
            children.append(child_id)
    if spec.contains:
        assert sorted(thing.graph) == sorted(children)


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
