"""Users who sign in with a provider have no password to log in with,
reset or set, and a retried callback does not spend the code twice."""

import pytest
import requests

from tests.factories import PASSWORD

from . import conflict_once
from .conftest import IVY, user_state


@pytest.fixture
def ivy_signed_in(browser, scene, ivy_at_provider):
    assert browser.sign_in(ivy_at_provider).status_code == 302
    return scene.ivy


def post(server, path, body, session=requests):
    return session.post(f"{server}{path}", json=body, timeout=30)


def test_password_logins_fail_exactly_like_a_wrong_password(ivy_signed_in, scene, server):
    wrong = post(server, "public/login/", {"email": scene.email("owner"), "password": "nope"})
    assert wrong.status_code == 401
    for password in ("", PASSWORD, "any password at all"):
        res = post(server, "public/login/", {"email": IVY, "password": password})
        assert (res.status_code, res.json()) == (401, wrong.json())


def test_setting_a_password_is_a_409(ivy_signed_in, browser, server, factory):
    body = {"old_pw": "", "new_pw": "a brand new password"}
    res = post(server, f"users/{ivy_signed_in}/password/", body, browser.session)
    assert res.status_code == 409
    assert res.json()["message"] == "This user signs in with mock and has no password here."
    assert user_state(factory, ivy_signed_in)["password_hash"] is None


def test_changing_the_email_is_a_409_and_the_user_is_not_gated(
    ivy_signed_in, browser, server, factory, inbox
):
    """The provider vouches for the address: no change here, and no
    verification to do either (the sign-in verified it)."""
    body = {"pw": "", "email": "ivy.elsewhere@example.com"}
    res = post(server, f"users/{ivy_signed_in}/change_email/", body, browser.session)
    assert res.status_code == 409
    assert res.json()["message"] == (
        "This user signs in with mock and keeps the email the provider vouches for."
    )
    assert factory.email_of(ivy_signed_in) == IVY
    assert inbox.to("ivy.elsewhere@example.com") == []
    me = browser.session.get(f"{server}users/{ivy_signed_in}/", timeout=30).json()
    assert "change_email" not in me["fragments"]
    assert browser.session.get(f"{server}users/", timeout=30).status_code == 200


def test_a_password_reset_mails_nothing_but_answers_as_for_anyone(
    ivy_signed_in, scene, server, inbox, live_app
):
    owner = scene.email("owner")
    for email in (IVY, owner):
        assert post(server, "public/password_reset/", {"email": email}).status_code == 204
    assert live_app.registry.crunchusers_delivery.wait_until_sent()
    assert inbox.to(IVY) == []
    assert len(inbox.to(owner)) == 1  # the worker ran: the password user got a link


@pytest.mark.parametrize(
    "extra_settings", [{"pyramid.includes": "tests.functional.oidc.conflict_once"}]
)
def test_a_retried_callback_does_not_spend_the_code_again(
    browser,
    scene,
    ivy_at_provider,
    oidc_provider,
    factory,  # noqa: F811
):
    conflict_once.TARGET[:] = [IVY]
    conflict_once.ATTEMPTS.clear()
    before = oidc_provider.stats()["token_requests"]
    res = browser.sign_in(ivy_at_provider)
    assert res.status_code == 302, res.text
    assert conflict_once.ATTEMPTS == [0, 1]  # the first attempt conflicted
    assert oidc_provider.stats()["token_requests"] == before + 1
    assert factory.read(lambda root: root.users[scene.ivy].title) == (
        "changed by a concurrent request"  # the conflict happened, and both writes landed
    )
    assert user_state(factory, scene.ivy)["id_method"] == "oauth"
