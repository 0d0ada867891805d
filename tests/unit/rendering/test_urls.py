"""``url_of`` gives what ``request.resource_url`` gives, asking Pyramid once
per request."""

import pytest
from pyramid import testing
from pyramid.request import Request

from crunchusers.rendering.urls import url_of
from tests.unit.rendering.test_shoji import Located


@pytest.fixture
def config():
    with testing.testConfig() as config:
        yield config


def tree():
    site = Located("")
    api = Located("api", site)
    users = Located("users", api)
    return [
        site,
        api,
        users,
        Located("0123abcd", users),
        Located("a name/with?odd#chars", users),
        Located("naïve ünïcode", Located("deeper", users)),
    ]


def request_for(config, path="/", **environ):
    request = Request.blank(path, base_url="https://api.example.com:8443/mount", **environ)
    request.registry = config.registry
    return request


@pytest.mark.parametrize("elements", [(), ("invite", ""), ("a b", "ç/d"), ("",)])
def test_same_as_resource_url(config, elements):
    request = request_for(config)
    for resource in tree():
        assert url_of(request, resource, *elements) == request.resource_url(resource, *elements)


def test_under_a_virtual_root_pyramid_decides(config):
    request = request_for(config, environ={"HTTP_X_VHM_ROOT": "/api"})
    for resource in tree():
        assert url_of(request, resource) == request.resource_url(resource)
    assert url_of(request, tree()[3]) == "https://api.example.com:8443/mount/users/0123abcd/"


def test_pyramid_is_asked_once_per_request(config, monkeypatch):
    request = request_for(config)
    calls = []
    original = Request.resource_url

    def counting(self, resource, *elements, **kw):
        calls.append(resource)
        return original(self, resource, *elements, **kw)

    monkeypatch.setattr(Request, "resource_url", counting)
    resources = tree()
    first = [url_of(request, r) for r in resources]
    assert [url_of(request, r) for r in resources] == first
    assert calls == [resources[0]]  # the root only
    assert url_of(request_for(config), resources[3]) == first[3]
    assert len(calls) == 2  # a new request asks again
