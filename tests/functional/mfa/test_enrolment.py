"""``/api/users/{id}/second_factor/``: the state, opting in to mailed
codes, enrolling and confirming an authenticator app, recovery codes, and
who may do which — the user, their admins, nobody else."""

import pytest

from crunchusers.views.bodies import SecondFactorPatch
from crunchusers.views.openapi import json_schema
from tests.functional.helpers import assert_error

from .helpers import REAUTH, confirm, enrol, factor_state, factor_url, totp_code, with_totp

OFF = {
    "email": False,
    "totp": False,
    "totp_pending": False,
    "recovery_codes_left": 0,
    "required_by_account": False,
    "methods": [],
}


def test_the_user_sees_their_state_and_the_links_to_set_it_up(testapp, acme):
    doc = factor_state(testapp, acme, "alice").json
    base = factor_url(acme, "alice")
    assert doc["self"] == base and doc["body"] == OFF
    assert doc["views"] == {
        "totp": f"{base}totp/",
        "totp_confirm": f"{base}totp/confirm/",
        "recovery_codes": f"{base}recovery_codes/",
    }


@pytest.mark.parametrize("admin", ["owner", "admin", "superuser"])
def test_admins_see_the_state_without_the_users_links(testapp, acme, admin):
    doc = factor_state(testapp, acme, admin, "alice").json
    assert doc["body"] == OFF and "views" not in doc


@pytest.mark.parametrize(
    ("who", "status"), [("bob", 403), ("outsider", 404), ("other_owner", 404), ("anonymous", 401)]
)
def test_nobody_else_sees_it(testapp, acme, who, status):
    assert_error(factor_state(testapp, acme, who, "alice", status=status), status)


def test_opting_in_and_out_of_mailed_codes(testapp, acme):
    url, headers = factor_url(acme, "alice"), acme.headers("alice")
    testapp.patch_json(url, {"email": True}, headers=headers, status=204)
    body = factor_state(testapp, acme, "alice").json["body"]
    assert body["email"] and body["methods"] == ["email"]
    wrapped = {"element": "shoji:entity", "body": {"email": False, **REAUTH}}
    testapp.patch_json(url, wrapped, headers=headers, status=204)
    assert factor_state(testapp, acme, "alice").json["body"] == OFF


@pytest.mark.parametrize("body", [{}, {"email": "yes"}, {"email": True, "totp": True}])
def test_a_malformed_patch_is_a_400(testapp, acme, body):
    res = testapp.patch_json(
        factor_url(acme, "alice"), body, headers=acme.headers("alice"), status=400
    )
    assert_error(res, 400)


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 403), ("admin", 403), ("bob", 403), ("outsider", 404), ("anonymous", 401)],
)
def test_only_the_user_opts_in_or_enrols(testapp, acme, who, status):
    url, headers = factor_url(acme, "alice"), acme.headers(who)
    assert_error(testapp.patch_json(url, {"email": True}, headers=headers, status=status), status)
    res = testapp.post_json(url + "totp/", REAUTH, headers=headers, status=status)
    assert_error(res, status)
    body = {"code": "123456", **REAUTH}
    for action in ("totp/confirm/", "recovery_codes/"):
        assert_error(testapp.post_json(url + action, body, headers=headers, status=status), status)
    assert factor_state(testapp, acme, "alice").json["body"] == OFF


def test_an_app_is_enrolled_then_confirmed_with_its_first_code(testapp, acme, clock):
    url, headers = factor_url(acme, "alice"), acme.headers("alice")
    res = testapp.post_json(url + "totp/", REAUTH, headers=headers, status=200)
    assert res.headers["Cache-Control"] == "no-store"
    secret, uri = res.json["secret"], res.json["uri"]
    assert uri.startswith("otpauth://totp/crunchusers:") and f"secret={secret}" in uri
    assert "issuer=crunchusers" in uri
    pending = factor_state(testapp, acme, "alice").json["body"]
    assert pending["totp_pending"] and not pending["totp"] and pending["methods"] == []

    clock.advance(minutes=5)  # the code the app shows when the user types it
    res = confirm(testapp, acme, "alice", totp_code(secret, clock))
    assert res.headers["Cache-Control"] == "no-store"
    codes = res.json["recovery_codes"]
    assert len(codes) == 10 == len(set(codes))
    body = factor_state(testapp, acme, "alice").json["body"]
    assert body["totp"] and not body["totp_pending"] and body["recovery_codes_left"] == 10
    assert body["methods"] == ["totp", "recovery_code"]


def test_a_wrong_first_code_changes_nothing(testapp, acme, clock):
    secret = enrol(testapp, acme, "alice")
    code = totp_code(secret, clock)
    clock.advance(seconds=60)  # two steps on: out of the window
    assert_error(confirm(testapp, acme, "alice", code, status=400), 400, "code")
    for wrong in ("abcdef", "1234567"):
        assert_error(confirm(testapp, acme, "alice", wrong, status=400), 400, "code")
    body = factor_state(testapp, acme, "alice").json["body"]
    assert body["totp_pending"] and not body["totp"]


def test_the_first_code_works_one_step_after_its_own(testapp, acme, clock):
    secret = enrol(testapp, acme, "alice")
    code = totp_code(secret, clock)
    clock.advance(seconds=59)  # the clock starts on a step boundary
    confirm(testapp, acme, "alice", code)


def test_nothing_to_confirm_is_a_409(testapp, acme):
    assert_error(confirm(testapp, acme, "alice", "123456", status=409), 409)


def test_a_new_app_replaces_the_old_one_once_confirmed(testapp, acme, clock):
    old_secret, old_codes = with_totp(testapp, acme, "alice", clock)
    new_secret = enrol(testapp, acme, "alice")
    body = factor_state(testapp, acme, "alice").json["body"]
    assert body["totp"] and body["totp_pending"]  # the old app still works
    clock.advance(seconds=30)
    new_codes = confirm(testapp, acme, "alice", totp_code(new_secret, clock)).json
    assert new_secret != old_secret and not set(new_codes["recovery_codes"]) & set(old_codes)
    body = factor_state(testapp, acme, "alice").json["body"]
    assert body["totp"] and not body["totp_pending"] and body["recovery_codes_left"] == 10


def regenerate(testapp, scene, who, code, status=200):
    url = factor_url(scene, who) + "recovery_codes/"
    body = {"code": code, **REAUTH}
    return testapp.post_json(url, body, headers=scene.headers(who), status=status)


def test_recovery_codes_are_regenerated_with_a_fresh_code(testapp, acme, clock):
    assert_error(regenerate(testapp, acme, "alice", "123456", status=409), 409)
    secret, old = with_totp(testapp, acme, "alice", clock)
    used = totp_code(secret, clock)  # the confirmation used it
    assert_error(regenerate(testapp, acme, "alice", used, status=400), 400, "code")
    clock.advance(seconds=30)
    res = regenerate(testapp, acme, "alice", totp_code(secret, clock))
    assert res.headers["Cache-Control"] == "no-store"
    new = res.json["recovery_codes"]
    assert len(new) == 10 and not set(new) & set(old)


def reset(testapp, scene, who, target, status=204, body=None):
    url, headers = factor_url(scene, target), scene.headers(who)
    return testapp.delete_json(url, body, headers=headers, status=status)


def reset_mails(inbox, scene, who):
    return [m for m in inbox.to(scene.email(who)) if "second factor was reset" in m["Subject"]]


@pytest.mark.parametrize("admin", ["owner", "admin", "superuser"])
def test_an_admin_resets_a_users_factor_and_the_user_is_mailed(testapp, acme, clock, inbox, admin):
    with_totp(testapp, acme, "alice", clock)
    testapp.patch_json(
        factor_url(acme, "alice"), {"email": True}, headers=acme.headers("alice"), status=204
    )
    reset(testapp, acme, admin, "alice")
    assert factor_state(testapp, acme, "alice").json["body"] == OFF
    (mail,) = reset_mails(inbox, acme, "alice")
    assert "removed your second factor" in mail.text


def test_the_user_resets_their_own_without_a_mail(testapp, acme, clock, inbox):
    with_totp(testapp, acme, "alice", clock)
    reset(testapp, acme, "alice", "alice", body=REAUTH)
    assert factor_state(testapp, acme, "alice").json["body"] == OFF
    assert reset_mails(inbox, acme, "alice") == []


@pytest.mark.parametrize(
    ("who", "status"), [("bob", 403), ("outsider", 404), ("other_owner", 404), ("anonymous", 401)]
)
def test_nobody_else_resets_it(testapp, acme, clock, inbox, who, status):
    with_totp(testapp, acme, "alice", clock)
    assert_error(reset(testapp, acme, who, "alice", status=status), status)
    assert factor_state(testapp, acme, "alice").json["body"]["totp"]
    assert reset_mails(inbox, acme, "alice") == []


def test_the_owners_factor_is_the_owners_alone(testapp, acme, clock):
    with_totp(testapp, acme, "owner", clock)
    assert_error(reset(testapp, acme, "admin", "owner", status=403), 403)
    assert factor_state(testapp, acme, "owner").json["body"]["totp"]
    reset(testapp, acme, "owner", "owner", body=REAUTH)
    assert not factor_state(testapp, acme, "owner").json["body"]["totp"]


def test_the_superuser_may_reset_the_owners(testapp, acme, clock):
    with_totp(testapp, acme, "owner", clock)
    reset(testapp, acme, "superuser", "owner")
    assert not factor_state(testapp, acme, "owner").json["body"]["totp"]


def test_the_account_may_require_a_second_factor(testapp, acme):
    account_url = acme.factory.account_url(acme.account_id)
    acme.headers("alice")  # signed in before it is required
    body = {"mfa_required": True}
    res = testapp.patch_json(account_url, body, headers=acme.headers("bob"), status=403)
    assert_error(res, 403)
    bobs = acme.headers("bob")
    assert testapp.get(account_url, headers=bobs).json["body"]["mfa_required"] is False
    testapp.patch_json(account_url, body, headers=acme.headers("admin"), status=204)
    assert testapp.get(account_url, headers=bobs).json["body"]["mfa_required"] is True
    state = factor_state(testapp, acme, "alice").json["body"]
    assert state["required_by_account"] and state["methods"] == ["email"]
    assert factor_state(testapp, acme, "outsider").json["body"]["methods"] == []


def test_the_full_profile_shows_the_state_and_links_it(testapp, acme, clock):
    with_totp(testapp, acme, "alice", clock)
    link = factor_url(acme, "alice")
    for who in ("alice", "owner"):
        doc = testapp.get(acme.url("alice"), headers=acme.headers(who)).json
        assert doc["body"]["second_factor"]["totp"] is True
        assert doc["fragments"]["second_factor"] == link
    public = testapp.get(acme.url("alice"), headers=acme.headers("bob")).json
    assert "second_factor" not in public["body"]
    assert "second_factor" not in public.get("fragments", {})


def test_the_profile_sent_back_whole_is_accepted_but_the_state_is_read_only(testapp, acme):
    url, headers = acme.url("alice"), acme.headers("alice")
    body = testapp.get(url, headers=headers).json["body"]
    testapp.put_json(url, body, headers=headers, status=204)
    changed = {"second_factor": {**body["second_factor"], "email": True}}
    res = testapp.patch_json(url, changed, headers=headers, status=400)
    assert_error(res, 400, "second_factor")


def test_the_endpoints_are_in_the_openapi_description(testapp):
    paths = testapp.get("/api/openapi.json").json["paths"]
    base = "/api/users/{user_id}/second_factor/"
    assert set(paths[base]) == {"get", "patch", "delete"}
    patch = paths[base]["patch"]["requestBody"]["content"]["application/json"]["schema"]
    assert patch["anyOf"][0] == json_schema(SecondFactorPatch())
    required = {"totp/": ["password"], "totp/confirm/": ["code"]}
    required["recovery_codes/"] = ["code", "password"]
    for action, names in required.items():
        post = paths[base + action]["post"]["requestBody"]["content"]["application/json"]
        assert sorted(post["schema"]["anyOf"][0]["required"]) == names
