"""Bad input gets a clear JSON error and changes nothing."""

import pytest

from tests.factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD


@pytest.fixture
def headers(factory):
    return factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)


def test_malformed_json_is_400_with_message(testapp):
    res = testapp.post(
        "/api/public/login/", "{not json", content_type="application/json", status=400
    )
    assert res.content_type == "application/json"
    assert "Malformed JSON" in res.json["message"]
    assert res.json["status"] == "400 Bad Request"


def test_non_object_body_is_400(testapp):
    res = testapp.post_json("/api/public/login/", ["a", "list"], status=400)
    assert "JSON object" in res.json["message"]


def test_oversize_body_is_413_before_anything_runs(testapp):
    body = b'{"email": "' + b"x" * (1024 * 1024) + b'"}'
    res = testapp.post("/api/public/login/", body, content_type="application/json", status=413)
    assert res.json["status"] == "413 Request Entity Too Large"
    assert "limit" in res.json["message"]


def test_body_limit_is_configurable(settings):
    from webtest import TestApp

    from crunchusers import main

    app = main({}, **{**settings, "crunchusers.max_body_bytes": "100"})
    body = '{"email": "' + "x" * 100 + '"}'
    TestApp(app).post("/api/public/login/", body, content_type="application/json", status=413)


def test_unknown_url_is_404_json_for_a_logged_in_user(testapp, headers):
    res = testapp.get("/api/no/such/thing/", headers=headers, status=404)
    assert res.content_type == "application/json"
    assert res.json["message"]


def test_unknown_url_is_401_for_anonymous(testapp):
    """Anonymous callers cannot probe which URLs exist."""
    res = testapp.get("/api/users/0123456789abcdef/", status=401)
    assert "login_url" in res.json["urls"]


def test_unknown_user_id_is_404(testapp, headers):
    testapp.get("/api/users/ffffffffffffffffffffffffffffffff/", headers=headers, status=404)


def test_wrong_method_is_405_with_allow(testapp, headers):
    res = testapp.delete("/api/", headers=headers, status=405)
    assert "GET" in res.headers["Allow"]
    assert res.json["message"]


def test_missing_trailing_slash_redirects_with_301(testapp, headers):
    res = testapp.get("/api/users", headers=headers, status=301)
    assert res.location == "http://localhost/api/users/"
    assert res.content_type == "application/json"
    assert res.json["value"] == "http://localhost/api/users/"
