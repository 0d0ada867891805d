"""The small rules of the browser pages: who gets HTML, how form fields
become JSON, which paths a form may lead to, where mailed links are served."""

import json

import pytest
from pyramid.request import Request
from webob.multidict import MultiDict

from crunchusers.browser.document import edit_fields, field_of, index_of, links_of
from crunchusers.browser.forms import body_of, local_path, typed
from crunchusers.browser.links.passwords import DEFAULT_PATTERN, password_link_pattern
from crunchusers.browser.negotiation import wants_html


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (None, False),
        ("*/*", False),
        ("application/json", False),
        ("text/html", True),
        ("text/html,application/xhtml+xml,*/*;q=0.8", True),
        ("application/json, text/html", False),
        ("text/html;q=0.1, application/json;q=0.2", False),
        ("image/png", False),
    ],
)
def test_who_gets_html(accept, html):
    request = Request.blank("/", headers={"Accept": accept} if accept else {})
    assert wants_html(request) is html


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("x", "str", "x"),
        ("", "null", None),
        ("bob", "null", "bob"),
        ("true", "bool", True),
        ("false", "bool", False),
        ("maybe", "bool", "maybe"),
        ("12", "int", 12),
        ("1.5", "float", 1.5),
        ("", "int", None),
        ("twelve", "int", "twelve"),
    ],
)
def test_typed(text, kind, value):
    assert typed(text, kind) == value


def test_body_of_sends_only_changed_fields():
    form = MultiDict(
        [
            ("f.name", "Bob"),
            ("t.name", "str"),
            ("o.name", json.dumps("Bob")),
            ("f.title", "Chief"),
            ("t.title", "str"),
            ("o.title", json.dumps("")),
            ("f.admin", "true"),
            ("t.admin", "bool"),
            ("o.admin", "false"),
        ]
    )
    assert json.loads(body_of(form)) == {"title": "Chief", "admin": True}
    assert body_of(MultiDict([("f.a", "x"), ("o.a", '"x"')])) is None
    assert body_of(MultiDict([("_json", '  {"a": 1} ')])) == '{"a": 1}'
    assert body_of(MultiDict([("_json", "  ")])) is None


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ("/api/users/", "/api/users/"),
        ("//evil.example/", None),
        ("/\\evil.example", None),
        ("https://evil.example/", None),
        ("api/users/", None),
        ("/api/\nSet-Cookie: x", None),
        ("/" + "a" * 3000, None),
        (None, None),
    ],
)
def test_local_path(value, path):
    assert local_path(value) == path


@pytest.mark.parametrize(
    ("template", "pattern"),
    [
        ("/password/change/${token}/", "/password/change/{token}/"),
        ("/reset/${token}", "/reset/{token}"),
        ("https://crunch.example.com/set/${token}/", "/set/{token}/"),
        ("/reset?token=${token}", DEFAULT_PATTERN),
        ("/reset/x${token}/", DEFAULT_PATTERN),
    ],
)
def test_where_password_links_are_served(template, pattern):
    assert password_link_pattern(template) == pattern


def test_document_parts():
    assert field_of("n", 3).kind == "int" and field_of("x", 1.5).kind == "float"
    assert field_of("b", True).text == "true" and field_of("o", {}) is None
    doc = {"element": "shoji:entity", "body": {"a": "x", "b": [1], "c": None}}
    assert [f.name for f in edit_fields(doc)] == ["a", "c"]
    assert edit_fields({"element": "shoji:catalog", "body": {"a": 1}}) == []
    catalog = {"index": {"u1": {"name": "A"}, "u2": {"email": "b@x"}, "u3": 5}}
    assert index_of(catalog) == (
        ["name", "email", "value"],
        [("u1", {"name": "A"}), ("u2", {"email": "b@x"}), ("u3", {"value": 5})],
    )
    assert links_of({"views": {"b": "u2", "a": "u1"}, "urls": {}}) == [
        ("views", [("a", "u1"), ("b", "u2")])
    ]
