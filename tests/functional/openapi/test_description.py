"""The OpenAPI description: generated from every Cornice service, linked
from the root, with the body schemas the views validate with; and its page,
served from the package, nothing from the internet."""

import re
from urllib.parse import urljoin

from cornice.service import get_services

from crunchusers.views.bodies import AccountPatch, Login, NewAccountUser, TrackingSwitch
from crunchusers.views.openapi import json_schema


def test_every_service_and_method_is_described(testapp):
    doc = testapp.get("/api/openapi.json", status=200).json
    assert doc["openapi"] == "3.1.0"
    for service in get_services():
        for method, _view, _args in service.definitions:
            if method == "HEAD":  # Pyramid answers it from GET
                continue
            assert method.lower() in doc["paths"][service.path], (service.path, method)
    assert doc["servers"] == [{"url": "http://localhost"}]


def test_path_parameters_and_error_envelope(testapp):
    doc = testapp.get("/api/openapi.json").json
    get_user = doc["paths"]["/api/users/{user_id}/"]["get"]
    assert get_user["parameters"][0] == {
        "name": "user_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    }
    for status in ("400", "401", "403", "404", "405", "409", "413", "415", "429", "503"):
        assert get_user["responses"][status]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    assert doc["components"]["schemas"]["Error"]["required"] == ["element", "status", "message"]


def test_request_body_is_the_schema_the_view_validates_with(testapp):
    doc = testapp.get("/api/openapi.json").json
    login = doc["paths"]["/api/public/login/"]["post"]
    assert login["security"] == []  # no credentials needed
    schema = login["requestBody"]["content"]["application/json"]["schema"]
    bare = schema["anyOf"][0]
    assert bare == json_schema(Login())
    assert bare["additionalProperties"] is False
    assert bare["required"] == ["password"]
    assert bare["properties"]["token"] == {"type": "boolean"}
    # the same schema refuses what the description leaves out
    testapp.post_json("/api/public/login/", {"password": "x", "nope": 1}, status=400)


def test_converter_types_enums_and_nullables():
    schema = json_schema(NewAccountUser())
    props = schema["properties"]
    assert props["id_method"] == {"type": "string", "enum": ["pwhash"]}
    assert props["id_provider"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert props["roles"] == {"type": "array", "items": {"type": "string"}}
    assert props["account_permissions"]["additionalProperties"] is False
    assert schema["required"] == ["email"]


def test_linked_from_the_root_and_the_public_catalog(testapp, factory):
    headers = factory.login(factory.account()[1])
    root = testapp.get("/api/", headers=headers).json
    public = testapp.get("/api/public/").json
    for doc in (root, public):
        assert doc["urls"]["openapi_url"] == "http://localhost/api/openapi.json"
        assert doc["urls"]["docs_url"] == "http://localhost/api/docs/"


def test_docs_page_loads_only_local_assets(testapp):
    page = testapp.get("/api/docs/", status=200)
    assert page.content_type == "text/html"
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and not any(s.startswith(("http:", "https:", "//")) for s in sources)
    for source in sources:
        res = testapp.get(urljoin("http://localhost/api/docs/", source), status=200)
        assert res.body
    assert b"SwaggerUIBundle" in testapp.get("/api/docs/swagger-ui-bundle.js").body
    assert "../openapi.json" in testapp.get("/api/docs/init.js").text


def test_only_the_two_assets_are_served(testapp):
    """Anything else in the package is not found (401 anonymously, as every
    unknown URL outside /api/public/)."""
    for path in ("/api/docs/index.html", "/api/docs/..%2F__init__.py"):
        res = testapp.get(path, status=401)
        assert res.json["element"] == "crunch:error" and res.json["message"]


def test_the_sign_in_records_are_described(testapp):
    """The login history and activity services (views/sign_ins.py), and the
    schemas their writes validate with."""
    paths = testapp.get("/api/openapi.json").json["paths"]
    assert set(paths["/api/users/{user_id}/login_history/"]) == {"get"}
    assert set(paths["/api/users/{user_id}/login_history/{entry}/"]) == {"get"}
    switch = paths["/api/users/{user_id}/activity/"]["patch"]["requestBody"]
    assert switch["content"]["application/json"]["schema"]["anyOf"][0] == json_schema(
        TrackingSwitch()
    )
    account = paths["/api/accounts/{account_id}/"]["patch"]["requestBody"]
    bare = account["content"]["application/json"]["schema"]["anyOf"][0]
    assert (
        bare["properties"]["lockout_threshold"]
        == json_schema(AccountPatch())["properties"]["lockout_threshold"]
    )
    assert bare["properties"]["lockout_threshold"]["maximum"] == 100
