"""``url_of`` gives what ``request.resource_url`` gives, asking Pyramid once
per request."""

import pytest
from pyramid import testing
from pyramid.request import Request

from crunchusers.rendering.urls import application_url, url_of
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


def test_remembered_per_request_without_asking_pyramid(config, monkeypatch):
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
    assert calls == []
    assert request.__dict__["_crunchusers_urls"][id(resources[3])] == (resources[3], first[3])
    other = request_for(config, environ={"HTTP_HOST": "other.example.com"})
    assert url_of(other, resources[3]) == "https://other.example.com/mount/api/users/0123abcd/"


def test_odd_roots_are_left_to_pyramid(config):
    request = request_for(config)
    for root in (Located("named"), Located(None), Located(7, Located(""))):
        assert url_of(request, root) == request.resource_url(root)


def test_application_url_once_per_request(config):
    request = request_for(config)
    assert application_url(request) == request.application_url
    request.environ["HTTP_HOST"] = "changed.example.com"  # not read again
    assert application_url(request) == "https://api.example.com:8443/mount"
    assert application_url(request_for(config)) == "https://api.example.com:8443/mount"
