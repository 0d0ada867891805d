"""Who a provider's verified email signs in, over an in-memory tree."""

from datetime import UTC, datetime, timedelta

import pytest

from crunchusers.domain.exceptions import Conflict
from crunchusers.domain.federation import (
    SignInRefused,
    refuse_email_change,
    refuse_password,
    sign_in,
    uses_external_identity,
)
from crunchusers.domain.resources.root import ApiRoot
from crunchusers.domain.users import create_account, new_user

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def root():
    root = ApiRoot()
    account, _ = create_account(
        root, name="Acme", owner_email="owner@x.com", now=NOW, password_hash="hash"
    )
    new_user(root, account, email="ivy@x.com", now=NOW)  # invited: pending
    return root


def ivy(root):
    return root.users.find_by_email("ivy@x.com")


def test_the_first_sign_in_links_an_invited_user(root):
    token = root.link_tokens.issue(ivy(root), "invite", NOW, timedelta(days=1))
    user = sign_in(root, "google", "sub-1", "IVY@x.com")
    assert user is ivy(root) and uses_external_identity(user)
    assert (user.id_provider, user.oidc_subject, user.status) == ("google", "sub-1", "active")
    assert user.email_verified and user.password_hash is None
    assert root.link_tokens.redeem(token, ("invite",), NOW) is None  # the invitation died
    assert sign_in(root, "google", "sub-1", "ivy@x.com") is user  # and again


@pytest.mark.parametrize(
    "provider, subject",
    [("other", "sub-1"), ("google", "sub-2")],
    ids=["another provider", "another subject"],
)
def test_a_linked_user_signs_in_only_with_its_provider_and_subject(root, provider, subject):
    sign_in(root, "google", "sub-1", "ivy@x.com")
    with pytest.raises(SignInRefused):
        sign_in(root, provider, subject, "ivy@x.com")


@pytest.mark.parametrize("status", ["locked", "inactive"])
def test_a_linked_user_no_longer_active_is_refused(root, status):
    sign_in(root, "google", "sub-1", "ivy@x.com").status = status
    with pytest.raises(SignInRefused):
        sign_in(root, "google", "sub-1", "ivy@x.com")


@pytest.mark.parametrize("status", ["active", "locked", "inactive"])
def test_a_password_user_is_never_taken_over(root, status):
    owner = root.users.find_by_email("owner@x.com")
    owner.status = status
    with pytest.raises(SignInRefused) as refused:
        sign_in(root, "google", "sub-9", "owner@x.com")
    assert (owner.id_method, owner.password_hash) == ("pwhash", "hash")
    with pytest.raises(SignInRefused) as unknown:
        sign_in(root, "google", "sub-9", "nobody@x.com")
    assert refused.value.message == unknown.value.message  # says nothing about who exists
    assert refused.value.status_code == 403


def test_oauth_users_get_no_password_and_keep_their_email(root):
    owner = root.users.find_by_email("owner@x.com")
    refuse_password(owner)  # a password user: nothing happens
    refuse_email_change(owner)
    user = sign_in(root, "google", "sub-1", "ivy@x.com")
    for refuse in (refuse_password, refuse_email_change):
        with pytest.raises(Conflict) as exc:
            refuse(user)
        assert exc.value.status_code == 409 and "google" in exc.value.message
