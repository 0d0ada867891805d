"""Who gets a page: a client preferring text/html; JSON stays the default."""

import pytest

from tests.factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD

from .conftest import BROWSER_ACCEPT


@pytest.fixture
def headers(factory):
    return factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)


@pytest.mark.parametrize(
    "accept",
    [None, "*/*", "application/json", "application/json, text/html", "text/html;q=0.5, */*"],
)
def test_json_clients_get_the_same_json(testapp, headers, accept):
    plain = testapp.get("/api/", headers=headers, status=200)
    extra = {"Accept": accept} if accept else {}
    res = testapp.get("/api/", headers={**headers, **extra}, status=200)
    assert res.content_type == "application/json"
    assert res.body == plain.body and res.json["element"] == "shoji:catalog"
    assert "Accept" in res.headers["Vary"]


@pytest.mark.parametrize(
    "accept", [BROWSER_ACCEPT, "text/html", "text/html, application/json;q=0.9"]
)
def test_clients_preferring_html_get_a_page(testapp, headers, accept):
    res = testapp.get("/api/", headers={**headers, "Accept": accept}, status=200)
    assert res.content_type == "text/html"
    assert res.html.find(id="element").text == "shoji:catalog"
    assert "Accept" in res.headers["Vary"]
    assert "default-src 'none'" in res.headers["Content-Security-Policy"]
    assert res.headers["X-Frame-Options"] == "DENY"


def test_errors_are_pages_with_their_status(web, testapp, headers):
    res = web.get("/api/", status=401)
    assert res.content_type == "text/html"
    assert res.html.find(id="status").text.startswith("401")
    assert res.html.find("form", id="login-form") is not None  # sign in right there
    assert res.html.find("input", {"name": "next"})["value"] == "/api/"
    # curl still gets the JSON envelope.
    assert testapp.get("/api/", headers={"Accept": "*/*"}, status=401).json["message"]
    missing = testapp.get(
        "/api/nothing/", headers={**headers, "Accept": BROWSER_ACCEPT}, status=404
    )
    assert missing.html.find(id="message").text == "Not found."


def test_redirects_are_left_alone(web, headers):
    res = web.get("/api/users", headers=headers, status=301)
    assert res.location == "http://localhost/api/users/"
    assert res.content_type == "application/json"
