"""``dataset_grants`` and the project rules: one test per grant source."""

from crunchusers.authz.grants import (
    FULL,
    NOTHING,
    coalesce,
    dataset_flags,
    dataset_grants,
    project_chain,
    project_membership,
    reach_of,
    reachable_projects,
)
from crunchusers.authz.grants import (
    project_flags as project_permissions,
)
from crunchusers.domain.collaboration import remove_team_member
from crunchusers.domain.ownership import hand_over

VIEW = {"view": True, "edit": False, "change_permissions": False}
EDIT = {"view": True, "edit": True, "change_permissions": True}


def grants(w, user, dataset) -> dict:
    """``{(source, ref): flags}`` of every grant ``user`` has on ``dataset``."""
    return {(g.source, g.ref): g.flags for g in dataset_grants(w.root, user, dataset)}


def u(user):
    return f"user:{user.__name__}"


def t(team):
    return f"team:{team.__name__}"


def p(project, team=None):
    return f"project:{project.__name__}" + (f"|team:{team.__name__}" if team else "")


# -- dataset_grants -----------------------------------------------------------


def test_owner_grant_is_full_and_only_for_the_owner(w):
    survey = w.tree.dataset(w.ed, "survey")
    assert grants(w, w.ed, survey) == {("owner", u(w.ed)): FULL}
    assert grants(w, w.sam, survey) == {}


def test_account_admin_grant_for_an_administrator_of_the_datasets_account(w):
    survey = w.tree.dataset(w.ed, "survey")
    assert grants(w, w.ann, survey) == {("account_admin", f"account:{w.acme.__name__}"): FULL}


def test_account_owner_gets_the_account_admin_grant(w):
    survey = w.tree.dataset(w.ed, "survey")
    assert ("account_admin", f"account:{w.acme.__name__}") in grants(w, w.olga, survey)


def test_no_account_admin_grant_for_an_admin_of_another_account(w):
    survey = w.tree.dataset(w.ed, "survey")
    assert grants(w, w.oscar, survey) == {}


def test_superuser_gets_the_account_admin_grant_without_belonging_to_the_account(w):
    survey = w.tree.dataset(w.ed, "survey")
    assert grants(w, w.su, survey) == {("account_admin", f"account:{w.acme.__name__}"): FULL}


def test_direct_share_grant_carries_the_shared_flags(w):
    survey = w.tree.dataset(w.ed, "survey")
    w.tree.share(survey, w.sam, view=True)
    assert grants(w, w.sam, survey) == {("direct", u(w.sam)): VIEW}
    assert grants(w, w.sue, survey) == {}


def test_direct_share_of_edit_implies_view(w):
    survey = w.tree.dataset(w.ed, "survey")
    w.tree.share(survey, w.sam, edit=True)
    assert grants(w, w.sam, survey)[("direct", u(w.sam))]["view"] is True


def test_team_share_grants_each_member_and_names_the_team(w):
    survey = w.tree.dataset(w.ed, "survey")
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    w.tree.share(survey, crew, view=True)
    assert grants(w, w.sam, survey) == {("team", t(crew)): VIEW}
    assert grants(w, w.sue, survey) == {}


def test_one_team_grant_per_sharing_team(w):
    survey = w.tree.dataset(w.ed, "survey")
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    band = w.tree.team(w.ed, "band", members=[w.sam])
    w.tree.share(survey, crew, view=True)
    w.tree.share(survey, band, edit=True)
    assert grants(w, w.sam, survey) == {
        ("team", t(crew)): VIEW,
        ("team", t(band)): {"view": True, "edit": True, "change_permissions": False},
    }


def test_team_share_stops_when_the_member_leaves(w):
    survey = w.tree.dataset(w.ed, "survey")
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    w.tree.share(survey, crew, view=True)
    remove_team_member(crew, w.sam)
    assert grants(w, w.sam, survey) == {}


def test_project_viewer_gets_view_only(w):
    folder = w.tree.project(w.ed, "folder", viewers=[w.sam])
    survey = w.tree.dataset(w.ed, "survey", project=folder)
    assert grants(w, w.sam, survey) == {("project", p(folder)): VIEW}


def test_project_editor_gets_edit_and_change_permissions(w):
    folder = w.tree.project(w.ed, "folder", editors=[w.sam])
    survey = w.tree.dataset(w.ed, "survey", project=folder)
    assert grants(w, w.sam, survey) == {("project", p(folder)): EDIT}


def test_project_membership_through_a_team_names_project_and_team(w):
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    folder = w.tree.project(w.ed, "folder", viewers=[crew])
    survey = w.tree.dataset(w.ed, "survey", project=folder)
    assert grants(w, w.sam, survey) == {("project", p(folder, crew)): VIEW}


def test_membership_of_an_ancestor_project_reaches_nested_datasets(w):
    top = w.tree.project(w.ed, "top", viewers=[w.sam])
    mid = w.tree.project(w.ed, "mid", parent=top)
    leaf = w.tree.project(w.ed, "leaf", parent=mid)
    survey = w.tree.dataset(w.ed, "survey", project=leaf)
    assert grants(w, w.sam, survey) == {("project", p(top)): VIEW}


def test_team_membership_of_an_ancestor_project(w):
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    top = w.tree.project(w.ed, "top", editors=[crew])
    leaf = w.tree.project(w.ed, "leaf", parent=top)
    survey = w.tree.dataset(w.ed, "survey", project=leaf)
    assert grants(w, w.sam, survey) == {("project", p(top, crew)): EDIT}


def test_membership_of_a_child_project_does_not_reach_the_parents_datasets(w):
    top = w.tree.project(w.ed, "top")
    w.tree.project(w.ed, "leaf", parent=top, editors=[w.sam])
    survey = w.tree.dataset(w.ed, "survey", project=top)
    assert grants(w, w.sam, survey) == {}


def test_moving_a_dataset_out_of_the_project_drops_the_project_grant(w):
    folder = w.tree.project(w.ed, "folder", viewers=[w.sam])
    survey = w.tree.dataset(w.ed, "survey", project=folder)
    w.tree.move(survey, None)
    assert grants(w, w.sam, survey) == {}


def test_every_source_at_once_is_listed_separately(w):
    crew = w.tree.team(w.ed, "crew", members=[w.ann])
    folder = w.tree.project(w.ed, "folder", viewers=[w.ann])
    survey = w.tree.dataset(w.ed, "survey", project=folder)
    w.tree.share(survey, w.ann, view=True)
    w.tree.share(survey, crew, view=True)
    sources = sorted(g.source for g in dataset_grants(w.root, w.ann, survey))
    assert sources == ["account_admin", "direct", "project", "team"]


# -- projects ---------------------------------------------------------------


def test_project_membership_lists_the_ancestor_that_grants(w):
    top = w.tree.project(w.ed, "top", editors=[w.sam])
    leaf = w.tree.project(w.ed, "leaf", parent=top)
    assert [(g.ref, g.flags["edit"]) for g in project_membership(w.root, w.sam, leaf)] == [
        (p(top), True)
    ]


def test_project_owner_has_an_owner_grant_on_descendants(w):
    top = w.tree.project(w.ed, "top")
    leaf = w.tree.project(w.sam, "leaf", parent=top)
    sources = {(g.source, g.ref) for g in project_membership(w.root, w.ed, leaf)}
    assert ("owner", p(top)) in sources


def test_project_chain_stops_on_a_cycle(w):
    top = w.tree.project(w.ed, "top")
    leaf = w.tree.project(w.ed, "leaf", parent=top)
    w.tree.move(top, leaf)  # a cycle the API refuses; the walk must still end
    assert [n.name for n in project_chain(w.root, leaf)] == ["leaf", "top"]


def test_project_permissions_of_a_viewer_and_an_editor(w):
    folder = w.tree.project(w.ed, "folder", viewers=[w.sam], editors=[w.sue])
    assert project_permissions(w.root, w.sam, folder) == {"view": True, "edit": False}
    assert project_permissions(w.root, w.sue, folder) == {"view": True, "edit": True}


def test_project_permissions_of_a_stranger_are_nothing(w):
    folder = w.tree.project(w.ed, "folder")
    assert project_permissions(w.root, w.sam, folder) == {"view": False, "edit": False}


def test_project_permissions_of_the_accounts_admin_and_the_superuser(w):
    folder = w.tree.project(w.ed, "folder")
    assert project_permissions(w.root, w.ann, folder) == {"view": True, "edit": True}
    assert project_permissions(w.root, w.su, folder) == {"view": True, "edit": True}
    assert project_permissions(w.root, w.oscar, folder) == {"view": False, "edit": False}


def test_project_permissions_inherit_from_the_parent(w):
    top = w.tree.project(w.ed, "top", viewers=[w.sam])
    leaf = w.tree.project(w.ed, "leaf", parent=top)
    assert project_permissions(w.root, w.sam, leaf) == {"view": True, "edit": False}


def test_reachable_projects_include_descendants_but_not_ancestors(w):
    top = w.tree.project(w.ed, "top")
    mid = w.tree.project(w.ed, "mid", parent=top, viewers=[w.sam])
    w.tree.project(w.ed, "leaf", parent=mid)
    w.tree.project(w.ed, "unrelated")
    assert sorted(x.name for x in reachable_projects(w.root, w.sam)) == ["leaf", "mid"]


def test_reachable_projects_through_a_team(w):
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    top = w.tree.project(w.ed, "top", viewers=[crew])
    w.tree.project(w.ed, "leaf", parent=top)
    assert sorted(x.name for x in reachable_projects(w.root, w.sam)) == ["leaf", "top"]


def test_reachable_projects_include_owned_ones_without_membership(w):
    folder = w.tree.project(w.ed, "folder")
    hand_over(w.root, folder, w.sue)
    w.tree.leave(folder, w.sue)  # owner, no longer a member
    assert [x.name for x in reachable_projects(w.root, w.sue)] == ["folder"]


def test_dataset_flags_are_the_or_over_dataset_grants_for_everyone(w):
    """``dataset_flags`` merges without listing the grants: the same flags
    as ``coalesce(dataset_grants(...))`` for every user and dataset."""
    crew = w.tree.team(w.ed, "crew", members=[w.sam, w.otto])
    top = w.tree.project(w.ed, "top", viewers=[w.sue], editors=[crew])
    folder = w.tree.project(w.ed, "folder", parent=top, editors=[w.sam])
    datasets = [
        w.tree.dataset(w.ed, "plain"),
        w.tree.dataset(w.ed, "nested", project=folder),
        w.tree.dataset(w.sam, "draft", published=False),
        w.tree.dataset(w.oscar, "foreign"),
    ]
    w.tree.share(datasets[0], crew, view=True)
    w.tree.share(datasets[0], w.sue, edit=True)
    w.tree.share(datasets[2], w.sue, change_permissions=True)
    w.tree.share(datasets[3], w.otto, view=True)
    w.tree.limit(w.sue, view=True, edit=False)
    for user in w.root.users.values():
        reach = reach_of(w.root, user)
        for dataset in datasets:
            expected = coalesce(dataset_grants(w.root, user, dataset, reach), reach.cap)
            if not dataset.is_published and not expected["edit"]:
                expected = dict(NOTHING)
            assert dataset_flags(w.root, user, dataset) == expected, (user.name, dataset.name)
