"""Removing a user from an account (``domain.removal``): who may, and the
tombstone that is left."""

import pytest

from crunchusers.domain.exceptions import Invalid, NotAllowed
from crunchusers.domain.removal import remove_from_account
from crunchusers.domain.second_factor import enrol_totp, set_email

from ..invariants import check


@pytest.mark.parametrize(
    "actor, target",
    [
        ("ann", "olga"),  # the owner stays
        ("ann", "ann"),  # nobody removes themselves
        ("ed", "sam"),  # only admins remove
        ("oscar", "sam"),  # an admin of another account is no admin here
    ],
)
def test_who_may_not_remove_whom(w, actor, target):
    with pytest.raises(NotAllowed):
        remove_from_account(w.root, getattr(w, actor), w.acme, getattr(w, target))
    assert getattr(w, target).status == "active"


def test_a_removed_user_is_not_removed_twice(w):
    remove_from_account(w.root, w.ann, w.acme, w.sam)
    with pytest.raises(Invalid):
        remove_from_account(w.root, w.ann, w.acme, w.sam)


def test_removal_drops_every_grant_and_lock_and_keeps_what_the_user_made(w):
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    plan = w.tree.project(w.ed, "plan", editors=[w.sam])
    survey = w.tree.dataset(w.ed, "survey")
    w.tree.share(survey, w.sam, edit=True)
    survey.current_editor_id = w.sam.__name__
    mine = w.tree.dataset(w.sam, "mine")  # what sam made stays, and stays his
    w.sue.manager_id = w.sam.__name__
    remove_from_account(w.root, w.olga, w.acme, w.sam)
    assert w.sam.status == "deleted" and w.sam.email is None
    assert not crew.is_member(w.sam.__name__) and f"user:{w.sam.__name__}" not in plan.members
    assert dict(survey.shares) == {} and survey.current_editor_id is None
    assert mine.owner_id == w.sam.__name__ and w.sue.manager_id is None
    assert w.root.users.find_by_email("sam@acme.test") is None
    check(w.root)


def test_removal_drops_the_second_factor(w):
    set_email(w.sam, True)
    enrol_totp(w.sam)
    remove_from_account(w.root, w.ann, w.acme, w.sam)
    assert w.sam.second_factor is None
