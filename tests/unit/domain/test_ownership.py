"""Handing things over (``domain.ownership``): the one write and the rule of
each door — the account, a dataset, everything a user owns."""

import pytest

from crunchusers.domain.collaboration import personal_project
from crunchusers.domain.exceptions import Invalid, NotAllowed
from crunchusers.domain.ownership import (
    account_heir,
    check_new_owner,
    dataset_heir,
    expropriate,
    hand_over,
    owned_things,
)

from ..invariants import check


def url(user) -> str:
    return f"/api/users/{user.__name__}/"


# -- the write ----------------------------------------------------------------------


def test_a_team_goes_with_its_admin_rights(w):
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    hand_over(w.root, crew, w.sam)
    assert crew.owner_id == w.sam.__name__ and crew.is_team_admin(w.sam.__name__)
    assert crew.__name__ in w.sam.ids("owned_team_ids")
    assert crew.__name__ not in w.ed.ids("owned_team_ids")
    check(w.root)


def test_a_project_goes_with_edit_membership(w):
    plan = w.tree.project(w.ed, "plan")
    hand_over(w.root, plan, w.sue)
    assert dict(plan.members[f"user:{w.sue.__name__}"]) == {"edit": True}
    assert plan.__name__ in w.sue.ids("owned_project_ids")
    check(w.root)


def test_a_dataset_goes_alone_and_keeps_its_lock(w):
    survey = w.tree.dataset(w.ed, "survey")
    survey.current_editor_id = w.ed.__name__
    hand_over(w.root, survey, w.ann)
    assert survey.owner_id == w.ann.__name__ and dict(survey.shares) == {}
    assert survey.__name__ in w.ann.ids("owned_dataset_ids") and not w.ed.ids("owned_dataset_ids")
    assert survey.current_editor_id == w.ed.__name__  # as before: only expropriation frees it
    check(w.root)


def test_an_account_changes_owner_and_nobody_keeps_a_set_of_accounts(w):
    hand_over(w.root, w.acme, w.ann)
    assert w.acme.owner_id == w.ann.__name__
    assert not w.ann.ids("owned_account_ids") and not w.olga.ids("owned_account_ids")


# -- who may hand an account over, and to whom ------------------------------------------


def test_the_owner_hands_the_account_to_an_active_admin(w):
    assert account_heir(w.root, w.olga, w.acme, url(w.ann)) is w.ann
    assert account_heir(w.root, w.su, w.acme, w.ann.email) is w.ann


@pytest.mark.parametrize("actor", ["ann", "ed", "oscar"])
def test_only_the_owner_or_a_superuser_hands_an_account_over(w, actor):
    with pytest.raises(NotAllowed):
        account_heir(w.root, getattr(w, actor), w.acme, url(w.ann))


@pytest.mark.parametrize("heir", ["ed", "oscar", "pending admin", "nobody"])
def test_an_account_goes_only_to_an_active_admin_of_it(w, heir):
    if heir == "pending admin":
        ref = url(w.tree.user(w.acme, "pat", role="administrator", status="pending"))
    else:
        ref = url(getattr(w, heir)) if heir != "nobody" else "/api/users/nobody/"
    with pytest.raises(Invalid) as refused:
        account_heir(w.root, w.olga, w.acme, ref)
    assert refused.value.field == "owner"


# -- who may hand a dataset over, and to whom ----------------------------------------------


def test_the_owner_hands_a_dataset_to_an_active_or_invited_editor(w):
    survey = w.tree.dataset(w.ed, "survey")
    invited = w.tree.user(w.acme, "ivy", role="editor", status="pending")
    assert dataset_heir(w.root, w.ed, survey, url(w.ann)) is w.ann
    assert dataset_heir(w.root, w.ed, survey, url(invited)) is invited
    assert dataset_heir(w.root, w.su, survey, url(w.ann)) is w.ann


def test_an_account_admin_who_does_not_own_the_dataset_may_not_hand_it_over(w):
    survey = w.tree.dataset(w.ed, "survey")
    with pytest.raises(NotAllowed):
        dataset_heir(w.root, w.ann, survey, url(w.olga))


@pytest.mark.parametrize("heir", ["sam", "otto", "locked editor", "nobody"])
def test_a_dataset_goes_only_to_who_may_own_datasets_in_its_account(w, heir):
    survey = w.tree.dataset(w.ed, "survey")
    if heir == "locked editor":
        ref = url(w.tree.user(w.acme, "lou", role="editor", status="locked"))
    else:
        ref = url(getattr(w, heir)) if heir != "nobody" else "/api/users/nobody/"
    with pytest.raises(Invalid):
        dataset_heir(w.root, w.ed, survey, ref)


# -- expropriation ------------------------------------------------------------------


def test_expropriation_is_for_admins_and_to_another_dataset_owner_of_the_account(w):
    assert check_new_owner(w.root, w.ann, w.ed, url(w.olga)) is w.olga
    with pytest.raises(NotAllowed):
        check_new_owner(w.root, w.sam, w.ed, url(w.olga))
    for heir in (w.ed, w.sam, w.otto):  # themselves, no create_datasets, another account
        with pytest.raises(Invalid):
            check_new_owner(w.root, w.ann, w.ed, url(heir))


def test_expropriation_moves_everything_and_frees_the_locks(w):
    crew = w.tree.team(w.ed, "crew")
    plan = w.tree.project(w.ed, "plan")
    survey = w.tree.dataset(w.ed, "survey", project=plan)
    survey.current_editor_id = w.ed.__name__
    assert owned_things(w.root, w.ed) == {
        "teams": [crew],
        "projects": [plan],
        "datasets": [survey],
    }
    moved = expropriate(w.root, w.ed, w.ann)
    assert moved == {"teams": [crew], "projects": [plan], "datasets": [survey]}
    assert {t.owner_id for t in (crew, plan, survey)} == {w.ann.__name__}
    assert crew.is_team_admin(w.ann.__name__) and plan.members[f"user:{w.ann.__name__}"]["edit"]
    assert survey.current_editor_id is None
    assert owned_things(w.root, w.ed) == {"teams": [], "projects": [], "datasets": []}
    check(w.root)


def test_expropriation_empties_the_personal_project_into_the_heirs(w):
    mine = personal_project(w.root, w.ed)
    survey = w.tree.dataset(w.ed, "survey", project=mine)
    expropriate(w.root, w.ed, w.ann)
    heirs = personal_project(w.root, w.ann)
    assert survey.project_id == heirs.__name__ and heirs.graph == [survey.__name__]
    assert mine.graph == [] and mine.personal_of == w.ed.__name__  # never handed over


def test_a_lock_held_by_someone_else_stays(w):
    survey = w.tree.dataset(w.ed, "survey")
    w.tree.share(survey, w.sue, edit=True)
    survey.current_editor_id = w.sue.__name__
    expropriate(w.root, w.ed, w.ann)
    assert survey.current_editor_id == w.sue.__name__
