"""What a user reaches from their own relationships: dataset catalogs,
``access_type``, collaborating accounts, the users behind keys, teams."""

from crunchusers.authz.grants import (
    access_type,
    can_manage_team,
    can_view_team,
    candidate_dataset_ids,
    collaborating_accounts,
    dataset_grants,
    users_behind,
    visible_datasets,
)
from crunchusers.authz.grants import (
    dataset_flags as dataset_permissions,
)
from crunchusers.domain.collaboration import remove_team_member


def names(w, ids):
    return sorted(w.root.datasets[i].name for i in ids)


def visible(w, user):
    return sorted(d.name for d, _ in visible_datasets(w.root, user))


# -- candidate_dataset_ids ----------------------------------------------------


def test_candidates_come_from_every_relationship(w):
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    top = w.tree.project(w.ed, "top", viewers=[w.sam])
    leaf = w.tree.project(w.ed, "leaf", parent=top)
    w.tree.share(w.tree.dataset(w.ed, "direct"), w.sam, view=True)
    w.tree.share(w.tree.dataset(w.ed, "teamed"), crew, view=True)
    w.tree.dataset(w.ed, "in-top", project=top)
    w.tree.dataset(w.ed, "in-leaf", project=leaf)
    w.tree.dataset(w.ed, "unrelated")
    w.tree.dataset(w.ann, "others-project", project=w.tree.project(w.ann, "elsewhere"))
    assert names(w, candidate_dataset_ids(w.root, w.sam)) == [
        "direct",
        "in-leaf",
        "in-top",
        "teamed",
    ]


def test_candidates_include_owned_datasets(w):
    w.tree.dataset(w.ed, "mine")
    assert names(w, candidate_dataset_ids(w.root, w.ed)) == ["mine"]


def test_an_admin_reaches_every_dataset_of_their_account_only(w):
    w.tree.dataset(w.ed, "acme-data")
    w.tree.dataset(w.oscar, "other-data")
    assert names(w, candidate_dataset_ids(w.root, w.ann)) == ["acme-data"]
    assert names(w, candidate_dataset_ids(w.root, w.olga)) == ["acme-data"]


def test_an_editor_does_not_reach_the_accounts_datasets(w):
    w.tree.dataset(w.ann, "acme-data")
    assert candidate_dataset_ids(w.root, w.ed) == set()


# -- visible_datasets -----------------------------------------------------------


def test_visible_datasets_pair_each_dataset_with_its_permissions(w):
    survey = w.tree.dataset(w.ed, "survey")
    w.tree.share(survey, w.sam, view=True)
    assert visible_datasets(w.root, w.sam) == [
        (survey, dataset_permissions(w.root, w.sam, survey))
    ]


def test_visible_datasets_drop_drafts_the_user_only_views(w):
    draft = w.tree.dataset(w.ed, "draft", published=False)
    w.tree.share(draft, w.sam, view=True)
    assert draft.__name__ in candidate_dataset_ids(w.root, w.sam)
    assert visible(w, w.sam) == []
    assert visible(w, w.ed) == ["draft"]


def test_visible_datasets_follow_unsharing(w):
    survey = w.tree.dataset(w.ed, "survey")
    w.tree.share(survey, w.sam, view=True)
    w.tree.unshare(survey, w.sam)
    assert visible(w, w.sam) == []


def test_visible_datasets_of_a_collaborator_from_another_account(w):
    survey = w.tree.dataset(w.ed, "survey")
    w.tree.share(survey, w.otto, view=True)
    assert visible(w, w.otto) == ["survey"]
    assert visible(w, w.oscar) == []


# -- access_type ------------------------------------------------------------------


def test_access_type_names_teams_project_and_direct_share(w):
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    folder = w.tree.project(w.ed, "folder", viewers=[crew])
    survey = w.tree.dataset(w.ed, "survey", project=folder)
    w.tree.share(survey, crew, view=True)
    w.tree.share(survey, w.sam, view=True)
    assert access_type(dataset_grants(w.root, w.sam, survey)) == {
        "teams": [crew.__name__],
        "project": folder.__name__,
        "direct": True,
    }


def test_access_type_of_owner_or_admin_alone_is_empty(w):
    survey = w.tree.dataset(w.ed, "survey")
    empty = {"teams": [], "project": None, "direct": False}
    assert access_type(dataset_grants(w.root, w.ed, survey)) == empty
    assert access_type(dataset_grants(w.root, w.ann, survey)) == empty


def test_access_type_project_names_the_granting_ancestor(w):
    top = w.tree.project(w.ed, "top", viewers=[w.sam])
    leaf = w.tree.project(w.ed, "leaf", parent=top)
    survey = w.tree.dataset(w.ed, "survey", project=leaf)
    assert access_type(dataset_grants(w.root, w.sam, survey))["project"] == top.__name__


# -- collaborating_accounts -------------------------------------------------------


def test_no_collaboration_no_accounts(w):
    assert collaborating_accounts(w.root, w.otto) == set()


def test_a_direct_share_makes_the_datasets_account_a_collaborator(w):
    w.tree.share(w.tree.dataset(w.ed, "survey"), w.otto, view=True)
    assert collaborating_accounts(w.root, w.otto) == {w.acme.__name__}


def test_team_membership_makes_the_teams_account_a_collaborator(w):
    w.tree.team(w.ed, "crew", members=[w.otto])
    assert collaborating_accounts(w.root, w.otto) == {w.acme.__name__}


def test_project_membership_makes_the_projects_account_a_collaborator(w):
    w.tree.project(w.ed, "folder", viewers=[w.otto])
    assert collaborating_accounts(w.root, w.otto) == {w.acme.__name__}


def test_a_share_with_ones_own_team_makes_the_datasets_account_a_collaborator(w):
    home = w.tree.team(w.oscar, "home", members=[w.otto])
    w.tree.share(w.tree.dataset(w.ed, "survey"), home, view=True)
    assert collaborating_accounts(w.root, w.otto) == {w.acme.__name__}


def test_ones_own_account_is_never_a_collaborator(w):
    w.tree.share(w.tree.dataset(w.ed, "survey"), w.sam, view=True)
    w.tree.team(w.ed, "crew", members=[w.sam])
    assert collaborating_accounts(w.root, w.sam) == set()


def test_project_membership_of_ones_own_team_makes_a_collaborator(w):
    home = w.tree.team(w.oscar, "home", members=[w.otto])
    w.tree.project(w.ed, "folder", viewers=[home])
    assert collaborating_accounts(w.root, w.otto) == {w.acme.__name__}


# -- users_behind ---------------------------------------------------------------


def test_users_behind_expands_teams_and_ignores_unknown_ones(w):
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    keys = [f"user:{w.otto.__name__}", f"team:{crew.__name__}", "team:gone"]
    assert users_behind(w.root, keys) == {w.otto.__name__, w.ed.__name__, w.sam.__name__}


# -- teams ----------------------------------------------------------------------


def test_team_member_views_but_does_not_manage(w):
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    assert can_view_team(w.root, w.sam, crew) and not can_manage_team(w.root, w.sam, crew)


def test_team_admin_manages(w):
    crew = w.tree.team(w.ed, "crew", admins=[w.sam])
    assert can_manage_team(w.root, w.sam, crew) and can_manage_team(w.root, w.ed, crew)


def test_account_admin_and_superuser_manage_any_team_of_the_account(w):
    crew = w.tree.team(w.ed, "crew")
    for user in (w.ann, w.olga, w.su):
        assert can_view_team(w.root, user, crew) and can_manage_team(w.root, user, crew)


def test_outsiders_neither_view_nor_manage(w):
    crew = w.tree.team(w.ed, "crew")
    for user in (w.sam, w.oscar):
        assert not can_view_team(w.root, user, crew)
        assert not can_manage_team(w.root, user, crew)


def test_a_member_from_another_account_only_views(w):
    crew = w.tree.team(w.ed, "crew", members=[w.oscar])
    assert can_view_team(w.root, w.oscar, crew) and not can_manage_team(w.root, w.oscar, crew)


def test_a_former_member_no_longer_views(w):
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    remove_team_member(crew, w.sam)
    assert not can_view_team(w.root, w.sam, crew)
