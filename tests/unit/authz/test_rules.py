"""The account-level predicates of ``rules.py``."""

import pytest

from crunchusers.authz.roles import account_permissions_for
from crunchusers.authz.rules import (
    can_create_datasets,
    is_account_admin,
    is_account_owner,
    may_edit_profile,
    may_manage_user,
)


def test_only_the_owner_owns_the_account(w):
    assert is_account_owner(w.olga, w.acme)
    assert not is_account_owner(w.ann, w.acme)
    assert not is_account_owner(w.oscar, w.acme)
    assert not is_account_owner(w.olga, None)


def test_administrators_and_the_owner_are_account_admins(w):
    assert is_account_admin(w.olga, w.acme) and is_account_admin(w.ann, w.acme)


def test_editors_and_standard_users_are_not_account_admins(w):
    assert not is_account_admin(w.ed, w.acme) and not is_account_admin(w.sam, w.acme)


def test_an_admin_of_another_account_is_not_an_admin_here(w):
    assert not is_account_admin(w.oscar, w.acme)
    assert not is_account_admin(w.ann, w.other)


def test_the_owner_is_an_admin_whatever_their_role(w):
    w.acme.owner_id = w.sam.__name__  # as PATCH account {"owner": ...} does
    assert is_account_admin(w.sam, w.acme)


def test_no_account_means_no_admin_except_for_the_superuser(w):
    assert not is_account_admin(w.ann, None)
    assert is_account_admin(w.su, None) and is_account_admin(w.su, w.acme)


@pytest.mark.parametrize("status", ["locked", "inactive"])
def test_an_administrator_who_is_not_active_is_not_an_admin(w, status):
    lou = w.tree.user(w.acme, "lou", role="administrator", status=status)
    assert not is_account_admin(lou, w.acme)


def test_dataset_creation_needs_the_editor_or_administrator_role(w):
    assert can_create_datasets(w.ed) and can_create_datasets(w.ann)
    assert not can_create_datasets(w.sam)


def test_the_superuser_may_create_datasets(w):
    assert can_create_datasets(w.su)


def test_admins_manage_other_users_of_their_account(w):
    assert may_manage_user(w.ann, w.sam, w.acme)
    assert may_manage_user(w.olga, w.ann, w.acme)
    assert may_manage_user(w.su, w.sam, w.acme)


def test_nobody_manages_themself(w):
    assert not may_manage_user(w.ann, w.ann, w.acme)
    assert not may_manage_user(w.olga, w.olga, w.acme)


def test_non_admins_and_other_accounts_admins_do_not_manage(w):
    assert not may_manage_user(w.sue, w.sam, w.acme)
    assert not may_manage_user(w.oscar, w.sam, w.acme)


def test_users_edit_their_own_profile(w):
    assert may_edit_profile(w.sam, w.sam, w.acme)


def test_admins_edit_profiles_of_their_account_only(w):
    assert may_edit_profile(w.ann, w.sam, w.acme)
    assert may_edit_profile(w.su, w.sam, w.acme)
    assert not may_edit_profile(w.oscar, w.sam, w.acme)


def test_colleagues_do_not_edit_each_others_profile(w):
    assert not may_edit_profile(w.sue, w.sam, w.acme)
    assert not may_edit_profile(w.ed, w.sam, w.acme)


def test_account_permissions_follow_role_changes_and_are_fresh_dicts(w):
    first = account_permissions_for(w.ed)
    assert first == {"alter_users": False, "admin_account": False, "create_datasets": True}
    first["alter_users"] = True  # a caller changing its copy changes nothing else
    assert account_permissions_for(w.ed)["alter_users"] is False
    w.ed.roles = ("administrator",)
    assert account_permissions_for(w.ed)["alter_users"] is True
    w.ed.roles = ["standard", "unknown"]  # stored as a list by an old version, or stale ids
    assert account_permissions_for(w.ed) == dict.fromkeys(first, False)
