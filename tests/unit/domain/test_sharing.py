"""Sharing limits (``domain.sharing``): the ceiling a share may not exceed,
and the collaborators an account's sharing reaches."""

import pytest

from crunchusers.domain.exceptions import Invalid
from crunchusers.domain.sharing import check_ceiling, collaborator_ids


def test_a_share_within_the_ceiling_passes(w):
    w.tree.limit(w.sam, view=True, edit=False, change_permissions=False)
    check_ceiling("ref", w.sam, "user", {"view": True}, {})


@pytest.mark.parametrize(
    "flags, current, refused",
    [
        ({"edit": True}, {}, "edit"),
        ({"change_permissions": True}, {"view": True}, "change_permissions"),
        ({}, {"edit": True}, "edit"),  # what is already there counts too
    ],
)
def test_a_share_beyond_the_ceiling_is_refused_naming_the_reference(w, flags, current, refused):
    w.tree.limit(w.sam, view=True, edit=False, change_permissions=False)
    with pytest.raises(Invalid) as error:
        check_ceiling("sam-url", w.sam, "user", flags, current)
    assert error.value.field == "sam-url" and refused in error.value.message


def test_a_ceiling_without_view_leaves_nothing_to_grant(w):
    w.tree.limit(w.sam, view=False, edit=True)
    with pytest.raises(Invalid):
        check_ceiling("ref", w.sam, "user", {"view": True}, {})


def test_a_team_has_no_ceiling_of_its_own(w):
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    w.tree.limit(w.sam, view=True, edit=False)
    check_ceiling("ref", crew, "team", {"edit": True, "change_permissions": True}, {})


def test_collaborators_come_from_every_grantable_kind_of_the_account(w):
    outsider = w.tree.user(w.other, "oli")
    through_team = w.tree.user(w.other, "tim")
    their_team = w.tree.team(w.oscar, "theirs", members=[through_team])
    w.tree.team(w.ed, "crew", members=[w.otto, w.sam])  # team membership
    w.tree.project(w.ed, "plan", viewers=[outsider])  # project membership
    survey = w.tree.dataset(w.ed, "survey")
    w.tree.share(survey, their_team, view=True)  # a share to another account's team
    assert collaborator_ids(w.root, w.acme) == {
        w.otto.__name__,
        outsider.__name__,
        w.oscar.__name__,  # their team's creator is its first member
        through_team.__name__,
    }


def test_sharing_into_an_account_makes_no_collaborator_of_it(w):
    theirs = w.tree.dataset(w.oscar, "theirs")
    w.tree.share(theirs, w.sam, view=True)
    assert collaborator_ids(w.root, w.acme) == set()
    assert collaborator_ids(w.root, w.other) == {w.sam.__name__}
