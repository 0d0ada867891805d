"""Schemathesis over every operation of the OpenAPI description, against a
live server, as the owner of an account (a Bearer token of a real login).

Each operation gets a fresh server and database (the ``live_app`` fixture),
so an example that deletes or locks the caller, or logs them out, only turns
that operation's later examples into 401s (documented, in the envelope): no
operation needs to be excluded.  Every other example sends the real ids of
the scene's objects instead of the generated path parameters, so both the
404 paths and the real resources are exercised.

Checks: no 5xx; status, content type and body as described; every 4xx in
the JSON envelope with a ``message``.  ``MAX_EXAMPLES`` bounds the time.
"""

import importlib
import itertools
from datetime import UTC, datetime, timedelta

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from webtest import TestApp

from crunchusers.views import MODULES
from crunchusers.views.openapi import describe
from tests.factories import Factory, Scene

MAX_EXAMPLES = 5

for _module in MODULES:  # the services exist once their modules are imported
    importlib.import_module(_module, "crunchusers.views")
schema = schemathesis.openapi.from_dict(describe())


def error_envelope(ctx, response, case):
    """Every error is our JSON envelope, with a message."""
    if response.status_code >= 400:
        body = response.json()
        assert body.get("element") == "crunch:error", body
        assert isinstance(body.get("message"), str) and body["message"], body
        assert body.get("status", "").startswith(str(response.status_code)), body


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    error_envelope,
]


class World:
    """The live server, the owner's credentials and real ids by parameter."""

    def __init__(self, app, api_url):
        factory = Factory(app, TestApp(app))
        scene = Scene(factory)
        scene.add("alice")
        self.headers = scene.headers("owner")
        self.base_url = api_url.removesuffix("/api/")
        last = {
            name: url.rstrip("/").rsplit("/", 1)[1]
            for name, url in (
                ("team_id", scene.create_team("owner")),
                ("project_id", scene.create_project("owner")),
                ("dataset_id", scene.create_dataset("owner")),
            )
        }
        expires = (
            datetime.now(UTC) + timedelta(days=30)
        ).isoformat()  # a live server: the real clock
        key = scene.post("/api/apikeys/", {"name": "key", "expires": expires}, "owner")
        self.ids = {
            **last,
            "user_id": scene.alice,
            "account_id": scene.account_id,
            "key_id": key.rstrip("/").rsplit("/", 1)[1],
            "role_id": "admin",
            "name": "Survey",
        }
        self.calls = itertools.count()

    def fill(self, case):
        """Every other call: the real ids instead of the generated ones."""
        if next(self.calls) % 2 and case.path_parameters:
            for name in case.path_parameters:
                if name in self.ids:
                    case.path_parameters[name] = self.ids[name]


@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation(case, live_app, server):
    world = _world(live_app, server)
    world.fill(case)
    case.call_and_validate(base_url=world.base_url, headers=world.headers, checks=CHECKS)


_worlds = {}


def _world(app, api_url) -> World:
    """One scene per server (hypothesis calls the test once per example)."""
    if api_url not in _worlds:
        _worlds.clear()
        _worlds[api_url] = World(app, api_url)
    return _worlds[api_url]
