"""OpenID sign-ins in the login history (``method: oidc``): successes, and
refusals of known users, which are recorded although the refusal itself
changes nothing.  They never count toward lockout."""

import pytest

from tests.functional.sign_in.helpers import history_of

from .conftest import Browser, assert_refused


def test_a_sign_in_is_recorded_as_oidc(browser, scene, factory, ivy_at_provider):
    assert browser.sign_in(ivy_at_provider).status_code == 302
    (entry,) = history_of(factory, scene.ivy)
    assert entry["method"] == "oidc" and entry["outcome"] == "success"
    assert entry["ip"] == "127.0.0.1" and entry["user_agent"]


@pytest.mark.parametrize("status", ["locked", "inactive"])
def test_a_refused_sign_in_of_a_known_user_is_recorded_and_locks_nothing(
    browser, scene, factory, ivy_at_provider, oidc_provider, server, status
):
    assert browser.sign_in(ivy_at_provider).status_code == 302

    def set_status(root):
        root.users[scene.ivy].status = status

    factory.write(set_status)
    for _ in range(6):
        assert_refused(Browser(server, oidc_provider).sign_in(ivy_at_provider), 403)
    entries = history_of(factory, scene.ivy)
    assert [(e["outcome"], e["reason"]) for e in entries] == [("failure", status)] * 6 + [
        ("success", None)
    ]
    state = factory.read(lambda root: root.users[scene.ivy].status)
    assert state == status


def test_a_password_user_refused_by_the_provider_is_recorded_as_not_linked(
    browser, scene, factory, oidc_provider
):
    oidc_provider.set_user("sub-owner", email=scene.email("owner"), email_verified=True)
    assert_refused(browser.sign_in("sub-owner"), 403)
    (entry,) = history_of(factory, scene.owner)
    assert (entry["method"], entry["reason"]) == ("oidc", "not_linked")
    oidc_provider.set_user("sub-x", email="nobody@example.com", email_verified=True)
    assert_refused(Browser(browser.api, oidc_provider).sign_in("sub-x"), 403)
    # an address nobody has leaves no record anywhere
    assert factory.read(lambda root: list(root.sign_ins.users)) == [scene.owner]
