"""Who sees a user entity: its derived ACL (``User.__acl__``) asked through
Pyramid's ``ACLHelper`` with the viewer's principals from ``security``."""

import pytest

import crunchusers.domain.resources.users
from crunchusers.authz.permissions import Permission as P
from crunchusers.authz.principals import CAN_CREATE_DATASETS
from crunchusers.domain.collaboration import remove_team_member


@pytest.fixture
def collab_calls(monkeypatch):
    """Counts the calls of the costly collaborator lookup behind ``User.__acl__``."""
    calls = []
    real = crunchusers.domain.resources.users.collaborating_accounts

    def counting(api_root, user):
        calls.append(user.__name__)
        return real(api_root, user)

    monkeypatch.setattr(crunchusers.domain.resources.users, "collaborating_accounts", counting)
    return calls


# -- principals -------------------------------------------------------------------


def test_principals_name_the_user_account_and_teams(w):
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    principals = w.tree.principals(w.sam)
    for expected in (
        f"user:{w.sam.__name__}",
        f"account:{w.acme.__name__}",
        f"team:{crew.__name__}",
    ):
        assert expected in principals
    assert f"account-admin:{w.acme.__name__}" not in principals


def test_principals_of_admin_owner_and_editor(w):
    acme = w.acme.__name__
    assert f"account-admin:{acme}" in w.tree.principals(w.ann)
    assert f"account-owner:{acme}" not in w.tree.principals(w.ann)
    assert f"account-owner:{acme}" in w.tree.principals(w.olga)
    assert CAN_CREATE_DATASETS in w.tree.principals(w.ed)
    assert CAN_CREATE_DATASETS not in w.tree.principals(w.sam)


def test_a_standard_owner_still_gets_the_admin_principal(w):
    w.acme.owner_id = w.sam.__name__  # as PATCH account {"owner": ...} does
    assert f"account-admin:{w.acme.__name__}" in w.tree.principals(w.sam)


# -- who sees a user --------------------------------------------------------------


def test_users_view_and_edit_themselves_but_do_not_administer(w, collab_calls):
    assert w.tree.permits(w.sam, w.sam, P.VIEW)
    assert w.tree.permits(w.sam, w.sam, P.EDIT)
    assert not w.tree.permits(w.sam, w.sam, P.ADMIN)


def test_same_account_members_view_but_do_not_edit(w):
    assert w.tree.permits(w.sue, w.sam, P.VIEW)
    assert not w.tree.permits(w.sue, w.sam, P.EDIT)


def test_account_admins_and_owner_administer_their_users(w):
    for admin in (w.ann, w.olga):
        assert w.tree.permits(admin, w.sam, P.ADMIN)
        assert w.tree.permits(admin, w.sam, P.EDIT)


def test_superuser_administers_anyone(w):
    assert w.tree.permits(w.su, w.otto, P.ADMIN)


def test_a_stranger_from_another_account_sees_nothing(w):
    assert not w.tree.permits(w.otto, w.sam, P.VIEW)
    assert not w.tree.permits(w.oscar, w.sam, P.VIEW)


def test_a_team_co_member_from_another_account_views(w):
    w.tree.team(w.ed, "crew", members=[w.sam, w.otto])
    assert w.tree.permits(w.otto, w.sam, P.VIEW)
    assert w.tree.permits(w.sam, w.otto, P.VIEW)
    assert not w.tree.permits(w.otto, w.sam, P.EDIT)


def test_an_admin_of_a_collaborating_account_views_the_collaborator(w):
    w.tree.share(w.tree.dataset(w.ed, "survey"), w.otto, view=True)
    assert w.tree.permits(w.ann, w.otto, P.VIEW)
    assert not w.tree.permits(w.ann, w.otto, P.EDIT)


def test_a_non_admin_of_the_collaborating_account_does_not(w):
    w.tree.share(w.tree.dataset(w.ed, "survey"), w.otto, view=True)
    assert not w.tree.permits(w.sam, w.otto, P.VIEW)


def test_an_admin_of_an_unrelated_account_does_not(w):
    third = w.tree.account("Third")
    w.tree.share(w.tree.dataset(w.ed, "survey"), w.otto, view=True)
    assert not w.tree.permits(w.tree.owner(third), w.otto, P.VIEW)


def test_leaving_the_team_ends_the_co_members_view(w):
    crew = w.tree.team(w.ed, "crew", members=[w.sam, w.otto])
    remove_team_member(crew, w.otto)
    assert not w.tree.permits(w.sam, w.otto, P.VIEW)
    assert not w.tree.permits(w.otto, w.sam, P.VIEW)


def test_unsharing_ends_the_collaborating_admins_view(w):
    survey = w.tree.dataset(w.ed, "survey")
    w.tree.share(survey, w.otto, view=True)
    w.tree.unshare(survey, w.otto)
    assert not w.tree.permits(w.ann, w.otto, P.VIEW)


def test_a_removed_user_is_hidden_from_former_collaborators(w):
    w.tree.team(w.ed, "crew", members=[w.sam, w.otto])
    w.tree.share(w.tree.dataset(w.ed, "survey"), w.otto, view=True)
    w.tree.remove(w.otto)
    assert not w.tree.permits(w.sam, w.otto, P.VIEW)
    assert not w.tree.permits(w.ann, w.otto, P.VIEW)
    assert not w.tree.permits(w.otto, w.otto, P.EDIT)  # no self ACE on a tombstone


def test_a_removed_users_tombstone_is_visible_to_its_account_admins_only(w):
    w.tree.remove(w.sam)
    assert w.tree.permits(w.ann, w.sam, P.VIEW)
    assert not w.tree.permits(w.sue, w.sam, P.VIEW)


def test_an_admin_of_a_project_shared_with_the_users_team_views_the_user(w):
    home = w.tree.team(w.oscar, "home", members=[w.otto])
    w.tree.project(w.ed, "folder", viewers=[home])
    assert w.tree.permits(w.ann, w.otto, P.VIEW)


# -- the collaborator lookup runs only when nothing cheaper decided ------------


def test_self_same_account_and_team_checks_skip_the_collaborator_lookup(w, collab_calls):
    w.tree.team(w.ed, "crew", members=[w.sam, w.otto])
    assert w.tree.permits(w.sam, w.sam, P.VIEW)
    assert w.tree.permits(w.sue, w.sam, P.VIEW)
    assert w.tree.permits(w.ann, w.sam, P.ADMIN)
    assert w.tree.permits(w.otto, w.sam, P.VIEW)
    assert collab_calls == []


def test_an_undecided_check_runs_the_collaborator_lookup_once(w, collab_calls):
    w.tree.share(w.tree.dataset(w.ed, "survey"), w.otto, view=True)
    assert w.tree.permits(w.ann, w.otto, P.VIEW)
    assert not w.tree.permits(w.sue, w.otto, P.VIEW)
    assert collab_calls == [w.otto.__name__] * 2
