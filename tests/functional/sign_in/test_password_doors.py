"""The current password asked by a signed-in user's own changes — a
password change (``old_pw``), the own-account edit (``old_password``), an
email change (``pw``) — is a sign-in door too: a wrong one is a failed
sign-in (history method ``reauth``, lockout at the threshold), so that a
session cannot guess the password there past the lockout; and the edit
that carried it changes nothing."""

import pytest

from tests.factories import PASSWORD, acme_and_other
from tests.functional.helpers import assert_error

from .helpers import WRONG, history_of, status_of


def password_change(scene):
    url = scene.url("alice") + "password/"
    return url, "post", {"old_pw": WRONG, "new_pw": "a brand new passphrase 42"}, "old_pw"


def own_account_edit(scene):
    return scene.url("alice"), "patch", {"name": "Mallory", "old_password": WRONG}, "old_password"


def email_change(scene):
    url = scene.url("alice") + "change_email/"
    return url, "post", {"pw": WRONG, "email": "alice.new@acme.test"}, "pw"


DOORS = [password_change, own_account_edit, email_change]


@pytest.fixture
def acme(factory):
    return acme_and_other(factory)


def knock(testapp, scene, door, status=400):
    url, method, body, field = door(scene)
    call = getattr(testapp, f"{method}_json")
    res = call(url, body, headers=scene.headers("alice"), status=status)
    if status == 400:
        assert_error(res, 400, field)
    return res


def failures(scene) -> list[dict]:
    return [e for e in history_of(scene.factory, scene.alice) if e["method"] == "reauth"]


@pytest.mark.parametrize("door", DOORS)
def test_a_wrong_current_password_is_a_failed_sign_in(testapp, acme, door):
    knock(testapp, acme, door)
    (entry,) = failures(acme)
    assert (entry["outcome"], entry["reason"]) == ("failure", "wrong_password")


@pytest.mark.parametrize("door", DOORS)
def test_the_fifth_wrong_one_locks_and_the_fourth_does_not(testapp, acme, door):
    for _ in range(4):
        knock(testapp, acme, door)
    assert status_of(acme.factory, acme.alice) == "active"
    knock(testapp, acme, door)
    assert status_of(acme.factory, acme.alice) == "locked"
    knock(testapp, acme, door, status=401)  # the guessing session is over


def test_the_edit_that_carried_a_wrong_one_changes_nothing(testapp, acme):
    knock(testapp, acme, own_account_edit)
    name = acme.factory.read(lambda root: root.users[acme.alice].name)
    assert name != "Mallory"


def test_the_right_one_is_not_a_sign_in(testapp, acme):
    body = {"old_pw": PASSWORD, "new_pw": "a brand new passphrase 42"}
    testapp.post_json(acme.url("alice") + "password/", body, headers=acme.headers("alice"))
    assert failures(acme) == []


def test_someone_elses_guess_is_refused_before_any_check(testapp, acme):
    url, _method, body, _field = password_change(acme)
    res = testapp.post_json(url, body, headers=acme.headers("bob"), status=403)
    assert_error(res, 403)
    assert failures(acme) == []
