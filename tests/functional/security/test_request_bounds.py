"""Issue 7, items 8 and 9: bounded sizes of team and API key names, login
bodies and member PATCHes; hostile JSON, bodies and URLs that are not UTF-8,
and bad page parameters are a 400."""

import pytest

from tests.functional.helpers import (
    LOGIN,
    USERS,
    assert_error,
    cookie_login,
    create_dataset,
    create_team,
    new_key,
    read,
)

# -- item 8: sizes ----------------------------------------------------------


def test_item07_08_team_and_api_key_names_are_bounded(testapp, acme):
    headers = acme.headers("alice")
    assert_error(
        testapp.post_json("/api/teams/", {"name": "x" * 256}, headers=headers, status=400),
        400,
        "name",
    )
    team = create_team(testapp, headers, name="x" * 255)
    res = testapp.patch_json(team, {"name": "y" * 256}, headers=headers, status=400)
    assert_error(res, 400, "name")
    for name in ("k" * 256, "line\nbreak"):
        res = testapp.post_json(
            "/api/apikeys/", {**new_key(), "name": name}, headers=headers, status=400
        )
        assert_error(res, 400, "name")
    testapp.post_json("/api/apikeys/", new_key("k" * 255), headers=headers, status=201)


def test_item07_08_login_bodies_are_bounded(testapp, acme):
    res = cookie_login(testapp, "a" * 300 + "@example.com", status=400)
    assert_error(res, 400, "email")
    res = cookie_login(testapp, acme.email("alice"), password="p" * 257, status=400)
    assert_error(res, 400, "password")


def test_item07_08_member_patch_keys_and_options_are_bounded(testapp, acme):
    headers = acme.headers("alice")
    team = create_team(testapp, headers)
    dataset = create_dataset(testapp, headers)
    long_ref = "http://localhost/api/users/" + "a" * 5000 + "/"
    res = testapp.patch_json(team + "members/", {long_ref: {}}, headers=headers, status=400)
    assert_error(res, 400, "member reference")
    body = {acme.url("bob"): {"dataset_permissions": {"view": True}}, "message": "m" * 5000}
    res = testapp.patch_json(dataset + "permissions/", body, headers=headers, status=400)
    assert_error(res, 400, "message")
    body = {acme.email("bob"): {}, "url_base": "u" * 5000 + "${token}"}
    res = testapp.patch_json(team + "members/", body, headers=headers, status=400)
    assert_error(res, 400, "url_base")


# -- item 9: hostile JSON and page parameters --------------------------------


def deep(levels):
    return '{"a":' * levels + "1" + "}" * levels


HOSTILE = {
    "10000-deep": deep(10_000),
    "100-deep": deep(100),
    "NaN": "NaN",
    "Infinity": "Infinity",
    "-Infinity": "-Infinity",
}


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_item07_09_hostile_json_is_400(testapp, acme, value):
    """Anonymous login included: the value sits where a login ignores it."""
    headers = {"Content-Type": "application/json"}
    login = f'{{"email": "a@b.c", "password": "some password", "token": {value}}}'
    assert_error(testapp.post(LOGIN, login, headers=headers, status=400), 400)
    body = f'{{"name": "T", "x": {value}}}'
    auth = {**headers, **acme.headers("alice")}
    for method, url in (("post", "/api/teams/"), ("patch", acme.url("alice"))):
        res = getattr(testapp, method)(url, body, headers=auth, status=400)
        assert_error(res, 400)


def test_item07_09_body_that_is_not_utf8_is_400(testapp, acme):
    body = '{"name": "Caf\u00e9"}'.encode("latin-1")
    headers = {"Content-Type": "application/json; charset=latin-1", **acme.headers("alice")}
    res = testapp.post("/api/teams/", body, headers=headers, status=400)
    assert "UTF-8" in res.json["message"]
    assert_error(testapp.post(LOGIN, b'{"email": "\xff"}', headers=headers, status=400), 400)


@pytest.mark.parametrize(
    "query",
    [
        "page_size=%C2%B2",  # SUPERSCRIPT TWO, a digit to str.isdigit()
        "page_size=%D9%A1",  # ARABIC-INDIC DIGIT ONE
        "page_size=" + "9" * 5000,
        "page_size=1&page_index=" + "9" * 5000,
        "page_size=1&page_index=%C2%B2",
        "page_size=0",
        "page_size=-1",
        "page_size=+1",
        "page_size=%201",
        "page_size=1.0",
        "page_size=",
    ],
)
def test_item07_09_bad_page_parameters_are_400(testapp, acme, query):
    res = testapp.get(f"{USERS}?{query}", headers=acme.headers("owner"), status=400)
    assert_error(res, 400)
    assert res.json["errors"][0]["name"] in ("page_size", "page_index")


def test_item07_09_url_that_is_not_utf8_is_400(testapp, acme):
    for url in ("/api/%FF/", f"{USERS}?page_size=%B2", "/api/users/%C0%AF/"):
        assert_error(testapp.get(url, headers=acme.headers("owner"), status=400), 400)
    assert_error(testapp.get("/api/%FF/", status=400), 400)


def test_item07_09_good_page_parameters_still_page(testapp, acme):
    doc = read(testapp, f"{USERS}?page_size=2&page_index=2", acme.headers("owner"))
    assert len(doc["index"]) == 2 and doc["total"] == 5
