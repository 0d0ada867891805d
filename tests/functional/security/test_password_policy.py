"""The password policy at every door, the account's own settings, and the
``password_policy`` views (account entity and public catalog).

Doors: the password change, the own-account edit, a reset link, an
invitation link, and account user creation with a password (the CLI's
doors are in ``tests/test_cli.py``).  Each refusal is a 400 naming the
field and, in its message, the rule.
"""

import pytest

from tests.factories import PASSWORD
from tests.functional.helpers import (
    URL_BASE,
    USERS,
    assert_error,
    can_log_in,
    request_reset,
    set_password,
    token_from,
)

FIFTEEN = "quiet lantern x"  # not common, nobody's name: only its length matters
SIXTEEN = "quiet lantern xy"
NEWCOMER = "zed@example.com"


def door_change(testapp, scene, inbox, password):
    body = {"old_pw": PASSWORD, "new_pw": password}
    url = scene.url("alice") + "password/"
    return testapp.post_json(
        url, body, headers=scene.headers("alice"), expect_errors=True
    ), "new_pw"


def door_own_edit(testapp, scene, inbox, password):
    body = {"password": password, "old_password": PASSWORD}
    res = testapp.patch_json(
        scene.url("alice"), body, headers=scene.headers("alice"), expect_errors=True
    )
    return res, "password"


def door_reset_link(testapp, scene, inbox, password):
    request_reset(testapp, scene.email("alice"))
    token = token_from(inbox.wait_for(1)[0])
    return set_password(testapp, token, password, status="*"), "password"


def door_invitation_link(testapp, scene, inbox, password):
    body = {"email": NEWCOMER, "url_base": URL_BASE}
    testapp.post_json(USERS, body, headers=scene.headers("owner"), status=201)
    token = token_from(inbox.wait_for(1)[0])
    return set_password(testapp, token, password, status="*"), "password"


def door_new_user(testapp, scene, inbox, password):
    body = {"email": NEWCOMER, "password": password, "send_invite": False}
    return testapp.post_json(
        USERS, body, headers=scene.headers("owner"), expect_errors=True
    ), "password"


@pytest.fixture
def acme(acme):
    """The shared scene with an administrator who is not the owner."""
    acme.add("admin_user", roles=("administrator",))
    return acme


DOORS = [door_change, door_own_edit, door_reset_link, door_invitation_link, door_new_user]


def set_policy(testapp, scene, who="owner", status=204, **settings):
    return testapp.patch_json(
        "/api/account/", {"password_policy": settings}, headers=scene.headers(who), status=status
    )


def assert_refused(res, field, rule):
    assert_error(res, 400, field)
    assert res.json["message"].endswith(f"(password rule: {rule}).")


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(
    "password,rule",
    [
        ("qwerty123456", "common"),
        ("QWERTY123456", "common"),
        ("short one", "min_length"),
        ("z" * 129, "max_length"),
    ],
)
def test_each_door_refuses_by_the_rule(testapp, acme, inbox, door, password, rule):
    res, field = door(testapp, acme, inbox, password)
    assert_refused(res, field, rule)


@pytest.mark.parametrize("door", DOORS)
def test_each_door_applies_the_accounts_own_minimum(testapp, acme, inbox, door):
    set_policy(testapp, acme, min_length=16)
    res, field = door(testapp, acme, inbox, FIFTEEN)
    assert_refused(res, field, "min_length")
    assert "at least 16 characters" in res.json["message"]


@pytest.mark.parametrize("door", DOORS)
def test_each_door_accepts_what_the_policy_allows(testapp, acme, inbox, door):
    set_policy(testapp, acme, min_length=16)
    res, _ = door(testapp, acme, inbox, SIXTEEN)
    assert res.status_int in (201, 204), res.json


@pytest.mark.parametrize("door", [door_change, door_own_edit, door_reset_link])
def test_each_door_refuses_the_users_own_email_or_name(testapp, acme, factory, inbox, door):
    local_part = acme.email("alice").partition("@")[0]
    res, field = door(testapp, acme, inbox, f"{local_part} likes green tea")
    assert_refused(res, field, "personal")


@pytest.mark.parametrize("door", [door_invitation_link, door_new_user])
def test_a_new_users_password_may_not_contain_their_address(testapp, acme, inbox, door):
    res, field = door(testapp, acme, inbox, "zed likes green tea")
    assert_refused(res, field, "personal")


def test_a_new_users_password_may_not_contain_the_name_given_with_it(testapp, acme):
    body = {"email": NEWCOMER, "name": "Marguerite Duras", "password": "duras forever ever"}
    res = testapp.post_json(USERS, body, headers=acme.headers("owner"), status=400)
    assert_refused(res, "password", "personal")


def test_a_new_account_owners_password_follows_the_defaults(testapp, acme):
    def create(password, status):
        body = {"name": "Newco", "owner": {"email": "olga@newco.test", "password": password}}
        return testapp.post_json(
            "/api/accounts/", body, headers=acme.headers("superuser"), status=status
        )

    assert_refused(create("qwerty123456", 400), "owner.password", "common")
    assert_refused(create("olga rides bikes", 400), "owner.password", "personal")
    create(FIFTEEN, 201)
    assert can_log_in(testapp, "olga@newco.test", FIFTEEN)


# -- the account's settings -------------------------------------------------------------


def test_admins_set_the_policy_on_the_account_entity(testapp, acme):
    set_policy(testapp, acme, min_length=14, history=3)
    account = testapp.get("/api/account/", headers=acme.headers("bob"), status=200).json
    assert account["body"]["password_policy"] == {"min_length": 14, "history": 3}
    set_policy(testapp, acme, "admin_user", min_length=10)  # the others stay
    account = testapp.get("/api/account/", headers=acme.headers("bob"), status=200).json
    assert account["body"]["password_policy"] == {"min_length": 10, "history": 3}


@pytest.mark.parametrize("who,status", [("bob", 403), ("alice", 403), ("anonymous", 401)])
def test_only_admins_change_the_policy(testapp, acme, who, status):
    set_policy(testapp, acme, who, status=status, min_length=8)
    account = testapp.get("/api/account/", headers=acme.headers("owner")).json
    assert account["body"]["password_policy"]["min_length"] == 12


def test_another_accounts_admin_cannot_even_see_it(testapp, acme):
    url = f"/api/accounts/{acme.account_id}/"
    body = {"password_policy": {"min_length": 8}}
    testapp.patch_json(url, body, headers=acme.headers("other_owner"), status=404)
    testapp.get(url + "password_policy/", headers=acme.headers("other_owner"), status=404)


@pytest.mark.parametrize(
    "settings,field",
    [
        ({"min_length": 7}, "min_length"),  # never below 8
        ({"min_length": 129}, "min_length"),
        ({"min_length": "12"}, "min_length"),
        ({"min_length": True}, "min_length"),
        ({"min_length": 12.5}, "min_length"),
        ({"min_length": 10**30}, "min_length"),
        ({"history": 0}, "history"),
        ({"history": 25}, "history"),
        ({"composition": True}, "composition"),
    ],
)
def test_bad_settings_are_400_and_change_nothing(testapp, acme, settings, field):
    res = testapp.patch_json(
        "/api/account/",
        {"password_policy": settings, "name": "Renamed"},
        headers=acme.headers("owner"),
        status=400,
    )
    assert_error(res, 400, f"password_policy.{field}")
    account = testapp.get("/api/account/", headers=acme.headers("owner")).json
    assert account["body"]["password_policy"] == {"min_length": 12, "history": 5}
    assert account["body"]["name"] == "Acme"


def test_a_lower_minimum_lets_shorter_passwords_in_but_never_common_ones(testapp, acme, inbox):
    set_policy(testapp, acme, min_length=8)
    res, _ = door_change(testapp, acme, inbox, "Password1")
    assert_refused(res, "new_pw", "common")
    res, _ = door_change(testapp, acme, inbox, "vq7!kd2z")
    assert res.status_int == 204


def test_a_history_of_one_only_refuses_the_current_password(testapp, acme):
    set_policy(testapp, acme, history=1)
    url = acme.url("alice") + "password/"
    headers = acme.headers("alice")
    testapp.post_json(url, {"old_pw": PASSWORD, "new_pw": SIXTEEN}, headers=headers, status=204)
    res = testapp.post_json(
        url, {"old_pw": SIXTEEN, "new_pw": SIXTEEN}, headers=headers, status=400
    )
    assert_refused(res, "new_pw", "history")
    testapp.post_json(url, {"old_pw": SIXTEEN, "new_pw": PASSWORD}, headers=headers, status=204)


def test_a_stricter_policy_does_not_lock_anyone_out(testapp, acme):
    set_policy(testapp, acme, min_length=40)
    assert can_log_in(testapp, acme.email("alice"), PASSWORD)


# -- the views ---------------------------------------------------------------------------


def test_the_account_links_its_policy_view(testapp, acme):
    set_policy(testapp, acme, min_length=14)
    account = testapp.get("/api/account/", headers=acme.headers("bob")).json
    url = account["views"]["password_policy"]
    assert url == f"http://localhost/api/accounts/{acme.account_id}/password_policy/"
    view = testapp.get(url, headers=acme.headers("bob"), status=200).json
    assert view["element"] == "shoji:view" and view["self"] == url
    value = view["value"]
    assert (value["min_length"], value["max_length"], value["history"]) == (14, 128, 5)
    assert value["composition_rules"] is False
    assert value["common_passwords_refused"] >= 10_000
    assert "14" in value["rules"]["min_length"]
    mine = testapp.get("/api/account/password_policy/", headers=acme.headers("bob")).json
    assert mine["value"] == value


@pytest.mark.parametrize("who,status", [("outsider", 404), ("anonymous", 401)])
def test_the_account_view_is_for_its_members(testapp, acme, who, status):
    url = f"/api/accounts/{acme.account_id}/password_policy/"
    testapp.get(url, headers=acme.headers(who), status=status)


def test_the_public_catalog_links_the_default_rules(testapp):
    public = testapp.get("/api/public/", status=200).json
    url = public["views"]["password_policy"]
    value = testapp.get(url, status=200).json["value"]
    assert (value["min_length"], value["history"]) == (12, 5)


def test_with_a_live_link_token_the_public_view_shows_that_accounts_rules(testapp, acme, inbox):
    set_policy(testapp, acme, min_length=16)
    request_reset(testapp, acme.email("alice"))
    token = token_from(inbox.wait_for(1)[0])
    view = testapp.get("/api/public/password_policy/", params={"token": token}).json
    assert view["value"]["min_length"] == 16
    assert token not in view["self"]
    junk = testapp.get("/api/public/password_policy/", params={"token": "x" * 43}).json
    assert junk["value"]["min_length"] == 12
    set_password(testapp, token, SIXTEEN)  # looking did not use the token up
