"""Weakening one's own second factor asks for the current password
(``views.reauth``): turning mailed codes off, resetting, enrolling an app,
new recovery codes.  Missing or wrong is a 400 naming ``password`` that
changes nothing; a wrong one is a failed sign-in (history, lockout)."""

import pytest
from webtest import TestApp

from tests.factories import Factory
from tests.functional.helpers import assert_error
from tests.functional.sign_in.helpers import history_of, status_of

from .helpers import REAUTH, factor_state, factor_url, totp_code, with_totp

WRONG = {"password": "not the password at all"}


def weakenings(scene, secret, clock):
    """``(method, url suffix, body without the password)`` of each change
    that asks for it; ``secret`` is the user's confirmed app's."""
    clock.advance(seconds=30)  # a fresh app code for the recovery codes
    return [
        ("patch", "", {"email": False}),
        ("delete", "", {}),
        ("post", "totp/", {}),
        ("post", "recovery_codes/", {"code": totp_code(secret, clock)}),
    ]


def send(testapp, scene, method, suffix, body, status, who="alice"):
    call = getattr(testapp, f"{method}_json")
    url = factor_url(scene, "alice") + suffix
    return call(url, body, headers=scene.headers(who), status=status)


def reauths(scene) -> list[dict]:
    """Alice's history entries of re-authentications."""
    return [e for e in history_of(scene.factory, scene.alice) if e["method"] == "reauth"]


@pytest.fixture
def protected(testapp, acme, clock):
    """Alice with mailed codes and a confirmed app: her state, the secret."""
    secret, _codes = with_totp(testapp, acme, "alice", clock)
    send(testapp, acme, "patch", "", {"email": True}, 204)
    return factor_state(testapp, acme, "alice").json["body"], secret


@pytest.mark.parametrize("index", range(4))
@pytest.mark.parametrize("password", [None, WRONG])
def test_without_the_right_password_nothing_changes(
    testapp, acme, clock, protected, index, password
):
    before, secret = protected
    method, suffix, body = weakenings(acme, secret, clock)[index]
    res = send(testapp, acme, method, suffix, {**body, **(password or {})}, 400)
    assert_error(res, 400, "password")
    assert factor_state(testapp, acme, "alice").json["body"] == before


@pytest.mark.parametrize("index", range(4))
def test_with_it_each_change_is_made(testapp, acme, clock, protected, index):
    before, secret = protected
    method, suffix, body = weakenings(acme, secret, clock)[index]
    res = send(testapp, acme, method, suffix, {**body, **REAUTH}, (204, 200))
    if suffix == "recovery_codes/":
        assert len(res.json["recovery_codes"]) == 10
    else:
        assert factor_state(testapp, acme, "alice").json["body"] != before
    assert reauths(acme) == []  # a right password is not a sign-in


def test_opting_in_needs_no_password(testapp, acme):
    send(testapp, acme, "patch", "", {"email": True}, 204)
    assert factor_state(testapp, acme, "alice").json["body"]["email"]


def test_a_wrong_password_is_a_failed_sign_in(testapp, acme, clock, protected):
    _before, secret = protected
    send(testapp, acme, "delete", "", WRONG, 400)
    (entry,) = reauths(acme)
    assert entry["method"] == "reauth" and entry["outcome"] == "failure"
    assert entry["reason"] == "wrong_password"


def test_wrong_passwords_lock_the_user_at_the_threshold(testapp, acme, clock, protected, inbox):
    _before, secret = protected
    for _ in range(4):
        send(testapp, acme, "patch", "", {"email": False, **WRONG}, 400)
    assert status_of(acme.factory, acme.alice) == "active"
    send(testapp, acme, "patch", "", {"email": False, **WRONG}, 400)
    assert status_of(acme.factory, acme.alice) == "locked"
    assert [m for m in inbox.to(acme.email("alice")) if m["Subject"] == "Your account was locked"]
    # the session that guessed is over, and the factor is as it was
    send(testapp, acme, "delete", "", REAUTH, 401)
    assert factor_state(testapp, acme, "owner", "alice").json["body"]["totp"]


def test_an_admins_reset_needs_no_password_of_the_user(testapp, acme, protected):
    send(testapp, acme, "delete", "", {}, 204, who="admin")
    assert not factor_state(testapp, acme, "alice").json["body"]["methods"]


def test_someone_elses_password_does_not_help(testapp, acme, protected):
    """bob sending his own password for alice's factor: 403 before any check."""
    res = send(testapp, acme, "delete", "", REAUTH, 403, who="bob")
    assert_error(res, 403)
    assert reauths(acme) == []


def test_wrong_passwords_are_throttled_like_logins(app_with):
    """Three failures for the name: the fourth answer is a 429, before the
    password is checked (the right one does not get through either)."""
    app = app_with(
        **{
            "crunchusers.login.failures_per_address": "3",
            "crunchusers.login.refusal_delay_seconds": "0",
        }
    )
    factory = Factory(app, TestApp(app))
    _account_id, owner_id = factory.account()
    url, headers = factory.user_url(owner_id) + "second_factor/", factory.login(owner_id)
    factory.testapp.patch_json(url, {"email": True}, headers=headers, status=204)
    for _ in range(3):
        factory.testapp.delete_json(url, WRONG, headers=headers, status=400)
    res = factory.testapp.delete_json(url, REAUTH, headers=headers, status=429)
    assert_error(res, 429)
    assert int(res.headers["Retry-After"]) > 0
    assert factory.read(lambda root: root.users[owner_id].second_factor.email)


def test_a_user_of_an_identity_provider_has_nothing_to_weaken(testapp, acme):
    acme.headers("alice")  # a session, as after the provider's sign-in
    acme.factory.write(lambda root: setattr(root.users[acme.alice], "id_method", "oauth"))
    res = send(testapp, acme, "delete", "", REAUTH, 409)
    assert_error(res, 409)
