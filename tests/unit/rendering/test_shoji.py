"""Shoji builders and the write-body normaliser."""

from functools import partial

import pytest
from pyramid import testing

from crunchusers.rendering import shoji
from crunchusers.rendering.urls import url_of


class Located:
    def __init__(self, name, parent=None):
        self.__name__ = name
        self.__parent__ = parent


@pytest.fixture
def request_():
    req = testing.DummyRequest()
    req.url_of = partial(url_of, req)
    return req


@pytest.fixture
def tree():
    root = Located("")
    api = Located("api", root)
    users = Located("users", api)
    return {"root": root, "api": api, "users": users, "user": Located("u1", users)}


def test_entity_links_are_absolute_and_empty_members_omitted(request_, tree):
    doc = shoji.entity(
        request_,
        tree["user"],
        {"id": "u1"},
        catalogs={"account": tree["api"]},
        views={},
        urls={"x": "http://elsewhere/"},
    )
    assert doc == {
        "element": "shoji:entity",
        "self": "http://example.com/api/users/u1/",
        "body": {"id": "u1"},
        "catalogs": {"account": "http://example.com/api/"},
        "urls": {"x": "http://elsewhere/"},
    }


def test_catalog_and_entity_with_index_and_graph(request_, tree):
    cat = shoji.catalog(request_, tree["users"], {"a": {}}, body={"name": "c"})
    assert cat["element"] == "shoji:catalog" and cat["index"] == {"a": {}}
    assert cat["self"] == "http://example.com/api/users/" and cat["body"] == {"name": "c"}
    ent = shoji.entity(request_, tree["user"], {}, index={"k": {}}, graph=["k"])
    assert ent["index"] == {"k": {}} and ent["graph"] == ["k"]


def test_view_and_order(request_):
    assert shoji.view(request_, "http://h/v/", {"a": 1}) == {
        "element": "shoji:view",
        "self": "http://h/v/",
        "value": {"a": 1},
    }
    assert shoji.order(request_, "http://h/o/", ["x"])["graph"] == ["x"]


@pytest.mark.parametrize(
    "data,body",
    [
        ({"element": "shoji:entity", "body": {"name": "n"}}, {"name": "n"}),
        ({"name": "n"}, {"name": "n"}),
        ({"element": "shoji:entity"}, {}),
    ],
)
def test_entity_body_accepts_wrapped_and_bare(data, body):
    assert shoji.entity_body(data) == body


@pytest.mark.parametrize(
    "data", [{"element": "shoji:catalog", "index": {}}, {"element": "shoji:entity", "body": 3}]
)
def test_entity_body_rejects_wrong_documents(data):
    with pytest.raises(Exception) as info:
        shoji.entity_body(data)
    assert info.value.status_code == 400


def test_catalog_index_wrapped_lifts_options_from_both_levels():
    index, options = shoji.catalog_index(
        {
            "element": "shoji:catalog",
            "self": "x",
            "send_notification": True,
            "index": {"http://h/api/users/1/": {"a": 1}, "url_base": "u/${token}"},
        }
    )
    assert index == {"http://h/api/users/1/": {"a": 1}}
    assert options == {"send_notification": True, "url_base": "u/${token}"}


def test_catalog_index_bare_form():
    index, options = shoji.catalog_index(
        {
            "a@b.c": {"dataset_permissions": {"view": True}},
            "x/y/": None,
            "message": "hi",
            "dataset_url": "d",
        }
    )
    assert index == {"a@b.c": {"dataset_permissions": {"view": True}}, "x/y/": None}
    assert options == {"message": "hi", "dataset_url": "d"}


def test_catalog_index_rejects_non_object_index():
    with pytest.raises(Exception) as info:
        shoji.catalog_index({"element": "shoji:catalog", "index": []})
    assert info.value.status_code == 400
