"""The registry of kinds: what each resource declares, what is derived from
it, and a new shareable kind ("folder") working everywhere from one
declaration."""

import pytest
from BTrees.OOBTree import OOBTree

from crunchusers.authz.grants import collaborating_accounts
from crunchusers.domain import collaboration as ops
from crunchusers.domain import kinds
from crunchusers.domain.kinds import (
    Grants,
    Placement,
    all_kinds,
    granted_to,
    kind,
    kind_named,
    kind_of,
    owned_kinds,
    placement_of,
)
from crunchusers.domain.ownership import expropriate, owned_things
from crunchusers.domain.removal import remove_user
from crunchusers.domain.resources.base import Container, Item
from crunchusers.domain.resources.datasets import Dataset, Datasets
from crunchusers.domain.resources.root import ApiRoot
from crunchusers.domain.sharing import collaborator_ids

from ..authz.tree import NOW, Tree
from ..invariants import check


def names(specs) -> set:
    return {spec.name for spec in specs}


def test_the_root_has_one_container_per_kind_and_no_other():
    root = ApiRoot()
    assert {spec.container for spec in all_kinds()} == {
        "accounts",
        "users",
        "teams",
        "projects",
        "datasets",
    }
    for spec in all_kinds():
        container = root[spec.container]
        assert isinstance(container, spec.container_class) and container.__parent__ is root
    with pytest.raises(KeyError):
        root["sessions"]  # stored on the root, but no kind's container


def test_a_thing_and_its_class_have_the_same_kind(w):
    dataset = w.tree.dataset(w.ed, "survey")
    assert kind_of(dataset) is kind_of(Dataset) is kind_named("dataset")
    with pytest.raises(LookupError):
        kind_of(Datasets)  # a container is no kind


def test_what_each_kind_declares():
    assert names(owned_kinds()) == {"team", "project", "dataset"}
    assert names(k for k in all_kinds() if k.in_account) == {"user", "team", "project", "dataset"}
    assert names(granted_to("user")) == {"team", "project", "dataset"}
    assert names(granted_to("team")) == {"project", "dataset"}
    assert kind_named("account").grantable is None and not kind_named("account").owned


def test_id_sets_are_named_after_the_kind():
    dataset = kind_named("dataset")
    assert (dataset.ids, dataset.owned_ids) == ("dataset_ids", "owned_dataset_ids")
    assert placement_of(dataset) == (kind_named("project"), Placement("project_id", "dataset_ids"))
    assert placement_of(kind_named("project"))[1] == Placement("parent_id", "child_project_ids")
    assert placement_of(kind_named("team")) is None


def test_grant_keys_are_principals_except_team_members():
    shares, members = kind_named("dataset").grantable, kind_named("team").grantable
    assert shares.key("team", "t1") == "team:t1" and shares.parse("team:t1") == ("team", "t1")
    assert members.key("user", "u1") == "u1" and members.parse("u1") == ("user", "u1")


def test_team_members_are_principals_to_whom_they_reach(w):
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    assert sorted(kind_of(crew).grantable.principals(crew)) == sorted(
        [f"user:{w.ed.__name__}", f"user:{w.sam.__name__}"]
    )


@pytest.mark.parametrize("clash", [{"name": "team"}, {"container": "teams"}])
def test_a_kind_or_container_is_declared_once(monkeypatch, clash):
    monkeypatch.setattr(kinds, "_KINDS", dict(kinds._KINDS))
    declaration = {"name": "crew", "container": "crews", "container_class": Container, **clash}
    with pytest.raises(ValueError, match="repeats"):
        kind(**declaration)(type("Crew", (Item,), {}))


def test_makers_get_the_declared_grant(w):
    crew = w.tree.team(w.ed, "crew")
    plan = w.tree.project(w.ed, "plan")
    survey = w.tree.dataset(w.ed, "survey")
    assert crew.members[w.ed.__name__] is True
    assert dict(plan.members[f"user:{w.ed.__name__}"]) == {"edit": True}
    assert dict(survey.shares) == {}  # owning a dataset is grant enough


# -- a new kind from one declaration ---------------------------------------------


class Folders(Container):
    pass


class Folder(Item):
    """A shareable kind that does not exist: declared only inside the test."""

    owner_id = None
    account_id = None

    def __init__(self, name, created=None):
        super().__init__(name, created)
        self.members = OOBTree()


@pytest.fixture
def folders(monkeypatch):
    """Register ``Folder`` for one test: a private copy of the registry."""
    monkeypatch.setattr(kinds, "_KINDS", dict(kinds._KINDS))
    kind(
        name="folder",
        container="folders",
        container_class=Folders,
        owned=True,
        in_account=True,
        grantable=Grants(on="members", maker_grant={"edit": True}),
    )(Folder)
    tree = Tree()
    acme, other = tree.account("Acme", owner="olga"), tree.account("Other", owner="oscar")
    return tree, tree.owner(acme), tree.user(acme, "ed", role="editor"), tree.owner(other)


def test_a_new_kind_is_stored_granted_and_checked(folders):
    tree, olga, ed, oscar = folders
    root = tree.root
    plans = ops.make(root, Folder, "plans", NOW, ed)
    crew = tree.team(olga, "crew", members=[oscar])
    ops.grant(plans, crew, "team", {"edit": False})
    assert root["folders"][plans.__name__] is plans
    assert plans.__name__ in root.accounts[ed.account_id].ids("folder_ids")
    assert plans.__name__ in ed.ids("owned_folder_ids") and plans.__name__ in crew.ids(
        "folder_ids"
    )
    assert dict(plans.members[f"user:{ed.__name__}"]) == {"edit": True}
    check(root)
    # Whom it reaches outside the account, from both sides.
    assert collaborator_ids(root, root.accounts[ed.account_id]) == {oscar.__name__}
    assert ed.account_id in collaborating_accounts(root, oscar)


def test_removal_expropriation_and_deletion_know_the_new_kind(folders):
    tree, olga, ed, oscar = folders
    root = tree.root
    plans = ops.make(root, Folder, "plans", NOW, ed)
    crew = tree.team(olga, "crew")
    ops.grant(plans, oscar, "user", {"edit": False})
    ops.grant(plans, crew, "team", {"edit": False})

    remove_user(root, oscar)
    assert f"user:{oscar.__name__}" not in plans.members and not oscar.ids("folder_ids")
    assert owned_things(root, ed)["folders"] == [plans]
    expropriate(root, ed, olga)
    assert plans.owner_id == olga.__name__ and plans.__name__ in olga.ids("owned_folder_ids")
    assert dict(plans.members[f"user:{olga.__name__}"]) == {"edit": True}
    check(root)

    ops.delete_team(root, crew)
    assert f"team:{crew.__name__}" not in plans.members
    ops.delete(root, plans)
    assert len(root.folders) == 0 and not olga.ids("owned_folder_ids")
    assert not root.accounts[olga.account_id].ids("folder_ids")
    check(root)


def test_a_project_holds_the_kinds_it_declares(w):
    plan = w.tree.project(w.ed, "plan")
    sub = w.tree.project(w.ed, "sub", parent=plan)
    survey = w.tree.dataset(w.ed, "survey", project=plan)
    assert plan.graph == [sub.__name__, survey.__name__] and not ops.is_project_empty(plan)
    assert ops.child_of(w.root, plan, survey.__name__) is survey
    assert ops.child_of(w.root, plan, sub.__name__) is sub
    assert ops.child_of(w.root, plan, "nothing") is None
    ops.move_into_project(w.root, survey, None)
    ops.move_into_project(w.root, sub, None)
    assert ops.is_project_empty(plan) and survey.project_id is None and sub.parent_id is None
    check(w.root)
