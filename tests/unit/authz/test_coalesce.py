"""OR over grants, AND with the ceiling; drafts only for editors."""

from crunchusers.authz.grants import (
    FULL,
    NOTHING,
    Grant,
    ceiling,
    coalesce,
    normalize_flags,
)
from crunchusers.authz.grants import (
    dataset_flags as dataset_permissions,
)

VIEW_ONLY = {"view": True, "edit": False, "change_permissions": False}


# -- normalize_flags, ceiling, coalesce ---------------------------------------


def test_normalize_flags_edit_and_change_permissions_imply_view():
    assert normalize_flags({"edit": True})["view"] is True
    assert normalize_flags({"change_permissions": True})["view"] is True


def test_normalize_flags_implies_nothing_upwards_and_drops_unknown_keys():
    assert normalize_flags({"view": True, "add_users": True}) == VIEW_ONLY
    assert normalize_flags({}) == NOTHING


def test_a_user_without_a_ceiling_may_get_everything(w):
    assert ceiling(w.sam) == FULL


def test_coalesce_ors_the_grants():
    grants = [
        Grant("direct", "a", {"view": True, "edit": False, "change_permissions": False}),
        Grant("team", "b", {"view": True, "edit": True, "change_permissions": False}),
        Grant("team", "c", {"view": False, "edit": False, "change_permissions": True}),
    ]
    assert coalesce(grants, FULL) == FULL


def test_coalesce_of_no_grant_is_nothing():
    assert coalesce([], FULL) == NOTHING


def test_coalesce_ands_with_the_cap():
    assert coalesce([Grant("owner", "x", dict(FULL))], VIEW_ONLY) == VIEW_ONLY


def test_coalesce_reads_missing_flags_as_false():
    assert coalesce([Grant("project", "p", {"view": True, "edit": True})], FULL) == {
        "view": True,
        "edit": True,
        "change_permissions": False,
    }


# -- dataset_permissions --------------------------------------------------------


def test_direct_view_and_team_edit_add_up(w):
    survey = w.tree.dataset(w.ed, "survey")
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    w.tree.share(survey, w.sam, view=True)
    w.tree.share(survey, crew, change_permissions=True)
    assert dataset_permissions(w.root, w.sam, survey) == {
        "view": True,
        "edit": False,
        "change_permissions": True,
    }


def test_no_grant_means_no_permission(w):
    survey = w.tree.dataset(w.ed, "survey")
    assert dataset_permissions(w.root, w.sam, survey) == NOTHING


def test_ceiling_caps_the_owner(w):
    survey = w.tree.dataset(w.ed, "survey")
    w.tree.limit(w.ed, edit=False, change_permissions=False)
    assert dataset_permissions(w.root, w.ed, survey) == VIEW_ONLY


def test_ceiling_caps_an_account_admin(w):
    survey = w.tree.dataset(w.ed, "survey")
    w.tree.limit(w.ann, edit=False, change_permissions=False)
    assert dataset_permissions(w.root, w.ann, survey) == VIEW_ONLY


def test_ceiling_caps_shares(w):
    survey = w.tree.dataset(w.ed, "survey")
    w.tree.share(survey, w.sam, edit=True, change_permissions=True)
    w.tree.limit(w.sam, change_permissions=False)
    assert dataset_permissions(w.root, w.sam, survey) == {
        "view": True,
        "edit": True,
        "change_permissions": False,
    }


def test_superuser_ignores_any_ceiling(w):
    survey = w.tree.dataset(w.ed, "survey")
    w.su.dataset_ceiling = dict(NOTHING)  # superusers have no account to set it
    assert dataset_permissions(w.root, w.su, survey) == FULL


def test_draft_is_visible_to_its_editors(w):
    draft = w.tree.dataset(w.ed, "draft", published=False)
    w.tree.share(draft, w.sam, edit=True)
    assert dataset_permissions(w.root, w.ed, draft)["view"] is True
    assert dataset_permissions(w.root, w.sam, draft)["view"] is True
    assert dataset_permissions(w.root, w.ann, draft)["view"] is True


def test_draft_is_invisible_to_viewers(w):
    draft = w.tree.dataset(w.ed, "draft", published=False)
    w.tree.share(draft, w.sam, view=True)
    assert dataset_permissions(w.root, w.sam, draft) == NOTHING


def test_draft_is_invisible_to_a_sharer_without_edit(w):
    draft = w.tree.dataset(w.ed, "draft", published=False)
    w.tree.share(draft, w.sam, change_permissions=True)
    assert dataset_permissions(w.root, w.sam, draft) == NOTHING


def test_draft_is_invisible_to_its_owner_once_capped_below_edit(w):
    draft = w.tree.dataset(w.ed, "draft", published=False)
    w.tree.limit(w.ed, edit=False)
    assert dataset_permissions(w.root, w.ed, draft) == NOTHING


def test_ceiling_without_view_hides_the_dataset(w):
    survey = w.tree.dataset(w.ed, "survey")
    w.tree.share(survey, w.sam, view=True)
    w.tree.limit(w.sam, view=False)
    assert dataset_permissions(w.root, w.sam, survey)["view"] is False
