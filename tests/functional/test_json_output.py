"""JSON answers: orjson behind every answer, a final newline, ``?pretty`` and
``Accept: application/json; indent=2``; the same values as before."""

import json

import pytest

from tests.factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Scene


@pytest.fixture
def scene(factory):
    scene = Scene(factory)
    scene.add("zoe", name='Zoë Ünïcödé 東京 \u2028 "quoted" \\ back', roles=("editor",))
    return scene


def test_every_kind_of_answer_ends_with_one_newline(testapp, scene):
    answers = [
        testapp.get(scene.url("zoe"), headers=scene.headers("owner"), status=200),  # renderer
        testapp.get("/api/", status=401),  # error envelope
        testapp.get("/api/users", headers=scene.headers("owner"), status=301),  # redirect body
        testapp.post_json(  # a body a view sets itself
            "/api/public/login/",
            {"email": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD, "token": True},
            status=200,
        ),
    ]
    for res in answers:
        assert res.body.endswith(b"}\n") and not res.body.endswith(b"\n\n"), res.body[-20:]
        assert b"\n" not in res.body[:-1]  # compact unless asked
        assert res.content_type == "application/json"
        json.loads(res.body)


def test_non_ascii_and_escapes_round_trip(testapp, scene):
    res = testapp.get(scene.url("zoe"), headers=scene.headers("owner"), status=200)
    assert res.json["body"]["name"] == 'Zoë Ünïcödé 東京 \u2028 "quoted" \\ back'
    assert "Zoë".encode() in res.body  # UTF-8, not \u escapes
    listing = testapp.get("/api/users/", headers=scene.headers("zoe"), status=200).json
    assert {t["name"] for t in listing["index"].values()} >= {res.json["body"]["name"]}


@pytest.mark.parametrize("query", ["pretty", "pretty=1", "pretty=true", "x=1&pretty="])
def test_pretty_query_indents_by_two(testapp, scene, query):
    headers = scene.headers("owner")
    compact = testapp.get(scene.url("zoe"), headers=headers, status=200)
    res = testapp.get(f"{scene.url('zoe')}?{query}", headers=headers, status=200)
    assert res.body.startswith(b'{\n  "element": "shoji:entity",\n  "self": ')
    assert res.body.endswith(b"\n}\n")
    assert res.json["body"] == compact.json["body"]


@pytest.mark.parametrize("query", ["pretty=0", "pretty=false", "pretty=no", "prettyish=1"])
def test_pretty_can_be_declined(testapp, scene, query):
    res = testapp.get(f"{scene.url('zoe')}?{query}", headers=scene.headers("owner"), status=200)
    assert b"\n" not in res.body[:-1]


def test_pretty_errors_too(testapp):
    res = testapp.get("/api/?pretty", status=401)
    assert res.body.startswith(b'{\n  "element": "crunch:error",\n')
    assert res.json["message"] and res.body.endswith(b"}\n")


@pytest.mark.parametrize(
    "accept", ["application/json; indent=2", "application/json;indent=4", "*/*; indent=2"]
)
def test_accept_indent_parameter_indents(testapp, scene, accept):
    headers = {**scene.headers("owner"), "Accept": accept}
    res = testapp.get(scene.url("zoe"), headers=headers, status=200)
    assert res.body.startswith(b'{\n  "element"') and res.content_type == "application/json"


def test_content_type_is_negotiated_as_cornice_did(testapp, scene):
    headers = scene.headers("owner")
    for accept, expected in [
        ("text/plain", "text/plain"),
        ("text/html, text/plain;q=0.5", "text/plain"),
        ("application/json", "application/json"),
        ("image/png", "application/json"),  # nothing acceptable: JSON anyway
        ("not a header ,;;", "application/json"),
    ]:
        res = testapp.get(scene.url("zoe"), headers={**headers, "Accept": accept}, status=200)
        assert res.content_type == expected, accept
        assert json.loads(res.body)["body"]["id"] == scene.zoe


def test_a_query_that_is_not_utf8_still_gets_its_error(testapp):
    res = testapp.get("/api/?pretty=%FF", status=400)
    assert res.json["message"] == "The URL must be UTF-8 encoded."
    assert res.body.endswith(b"}\n")
