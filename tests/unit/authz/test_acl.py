"""The derived ACLs and the per-user permission sets of ``acl.py``."""

from pyramid.authorization import DENY_ALL, Allow

from crunchusers.authz.acl import (
    SUPERUSER_ACE,
    team_permissions,
    user_acl,
)
from crunchusers.authz.acl import (
    dataset_permissions as dataset_permission_set,
)
from crunchusers.authz.acl import (
    project_permissions as project_permission_set,
)
from crunchusers.authz.permissions import Permission as P

VIEW, EDIT, ADMIN, DELETE, SHARE = P.VIEW, P.EDIT, P.ADMIN, P.DELETE, P.SHARE


def ace_for(acl, principal):
    """The permissions of the ACEs naming ``principal``, in order."""
    return [perms for _, who, perms in acl if who == principal]


# -- user_acl -----------------------------------------------------------------


def test_user_acl_starts_with_the_superuser_and_ends_denying_all(w):
    acl = list(user_acl(w.sam))
    assert acl[0] == SUPERUSER_ACE and acl[-1] == DENY_ALL


def test_user_acl_lets_the_user_view_and_edit_themself(w):
    assert ace_for(user_acl(w.sam), f"user:{w.sam.__name__}") == [(VIEW, EDIT)]


def test_user_acl_gives_account_admins_admin_and_members_view(w):
    acl = list(user_acl(w.sam))
    account_id = w.acme.__name__
    assert ace_for(acl, f"account-admin:{account_id}") == [(VIEW, EDIT, ADMIN)]
    assert ace_for(acl, f"account:{account_id}") == [VIEW]


def test_user_acl_lets_each_team_view(w):
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    band = w.tree.team(w.ed, "band", members=[w.sam])
    acl = list(user_acl(w.sam))
    assert ace_for(acl, f"team:{crew.__name__}") == [VIEW]
    assert ace_for(acl, f"team:{band.__name__}") == [VIEW]


def test_user_acl_lets_collaborating_account_admins_view_but_not_twice_their_own(w):
    own, acme = w.other.__name__, w.acme.__name__
    acl = list(user_acl(w.otto, lambda: [acme, own]))
    assert ace_for(acl, f"account-admin:{acme}") == [VIEW]
    assert ace_for(acl, f"account-admin:{own}") == [(VIEW, EDIT, ADMIN)]


def test_user_acl_of_a_removed_user_has_no_self_ace(w):
    w.tree.team(w.ed, "crew", members=[w.sam])
    w.tree.remove(w.sam)
    acl = list(user_acl(w.sam))
    assert ace_for(acl, f"user:{w.sam.__name__}") == []
    assert not [who for _, who, _ in acl if who.startswith("team:")]


def test_user_acl_of_the_superuser_has_no_account_aces(w):
    assert list(user_acl(w.su)) == [
        SUPERUSER_ACE,
        (Allow, f"user:{w.su.__name__}", (VIEW, EDIT)),
        DENY_ALL,
    ]


def test_user_acl_asks_for_collaborators_only_once_it_gets_there(w):
    calls = []
    acl = user_acl(w.sam, lambda: calls.append(1) or ())
    for _ in range(4):  # superuser, self, account admins, account members
        next(acl)
    assert calls == []
    assert list(acl) == [DENY_ALL] and calls == [1]


# -- account_acl and root_acl, through Pyramid's ACL helper ----------------------


def test_account_owner_may_do_anything_on_the_account(w):
    assert w.tree.permits(w.olga, w.acme, "any-permission")


def test_account_admin_views_and_administers_but_does_not_edit(w):
    assert w.tree.permits(w.ann, w.acme, ADMIN)
    assert not w.tree.permits(w.ann, w.acme, EDIT)


def test_account_member_only_views(w):
    assert w.tree.permits(w.sam, w.acme, VIEW)
    assert not w.tree.permits(w.sam, w.acme, ADMIN)


def test_other_accounts_users_do_not_see_the_account(w):
    assert not w.tree.permits(w.oscar, w.acme, VIEW)


def test_superuser_may_do_anything_on_accounts_and_root(w):
    assert w.tree.permits(w.su, w.acme, DELETE)
    assert w.tree.permits(w.su, w.root, P.CREATE_ACCOUNT)


def test_root_is_viewable_by_anyone_signed_in(w):
    assert w.tree.permits(w.otto, w.root, VIEW)
    assert not w.tree.permits(w.olga, w.root, P.CREATE_ACCOUNT)


def test_root_create_dataset_needs_the_create_datasets_permission(w):
    assert w.tree.permits(w.ed, w.root, P.CREATE_DATASET)
    assert w.tree.permits(w.ann, w.root, P.CREATE_DATASET)
    assert not w.tree.permits(w.sam, w.root, P.CREATE_DATASET)


# -- team_permissions ------------------------------------------------------------


def test_team_permissions_by_role(w):
    crew = w.tree.team(w.ed, "crew", members=[w.sam])
    assert team_permissions(w.root, w.sam, crew) == {VIEW}
    assert team_permissions(w.root, w.ed, crew) == {VIEW, EDIT, DELETE}
    assert team_permissions(w.root, w.ann, crew) == {VIEW, EDIT, DELETE}
    assert team_permissions(w.root, w.su, crew) == {VIEW, EDIT, DELETE}
    assert team_permissions(w.root, w.sue, crew) == set()


# -- project_permission_set -----------------------------------------------------


def test_project_viewer_and_editor_do_not_delete(w):
    folder = w.tree.project(w.ed, "folder", viewers=[w.sam], editors=[w.sue])
    assert project_permission_set(w.root, w.sam, folder) == {VIEW}
    assert project_permission_set(w.root, w.sue, folder) == {VIEW, EDIT}


def test_project_owner_admin_and_superuser_delete(w):
    folder = w.tree.project(w.ed, "folder")
    for user in (w.ed, w.ann, w.su):
        assert project_permission_set(w.root, user, folder) == {VIEW, EDIT, DELETE}


def test_project_owner_deletes_even_after_leaving_the_members(w):
    folder = w.tree.project(w.ed, "folder")
    w.tree.leave(folder, w.ed)
    assert DELETE in project_permission_set(w.root, w.ed, folder)


def test_project_stranger_gets_nothing(w):
    folder = w.tree.project(w.ed, "folder")
    assert project_permission_set(w.root, w.oscar, folder) == set()


# -- dataset_permission_set -----------------------------------------------------


def test_dataset_viewer_only_views(w):
    survey = w.tree.dataset(w.ed, "survey")
    w.tree.share(survey, w.sam, view=True)
    assert dataset_permission_set(w.root, w.sam, survey) == {VIEW}


def test_dataset_editor_edits_and_deletes_but_shares_only_if_granted(w):
    survey = w.tree.dataset(w.ed, "survey")
    w.tree.share(survey, w.sam, edit=True)
    w.tree.share(survey, w.sue, change_permissions=True)
    assert dataset_permission_set(w.root, w.sam, survey) == {VIEW, EDIT, DELETE}
    assert dataset_permission_set(w.root, w.sue, survey) == {VIEW, SHARE}


def test_dataset_owner_gets_everything(w):
    survey = w.tree.dataset(w.ed, "survey")
    assert dataset_permission_set(w.root, w.ed, survey) == {VIEW, EDIT, DELETE, SHARE}


def test_account_owner_deletes_even_when_capped_to_view(w):
    survey = w.tree.dataset(w.ed, "survey")
    w.tree.limit(w.olga, edit=False, change_permissions=False)
    w.tree.limit(w.ann, edit=False, change_permissions=False)
    assert dataset_permission_set(w.root, w.olga, survey) == {VIEW, DELETE}
    assert dataset_permission_set(w.root, w.ann, survey) == {VIEW}


def test_dataset_stranger_gets_nothing(w):
    survey = w.tree.dataset(w.ed, "survey")
    assert dataset_permission_set(w.root, w.otto, survey) == set()
