"""Schemathesis over every operation of the OpenAPI description, against a
live server, as the owner of an account (a Bearer token of a real login).

Reads (``GET``, but logout) share one server and scene for the module: they
change nothing a later read depends on, which the shared scene's teardown
checks (its owner still signed in).  Every other operation gets a fresh
server and database (``live_app``), so an example that deletes or locks the
caller, or logs them out, only turns that operation's later examples into
401s (documented, in the envelope): no operation needs to be excluded.
Every other example sends the real ids of the scene's objects instead of
the generated path parameters, so both the 404 paths and the real
resources are exercised.  Both generation modes run for every operation:
valid (positive) and invalid (negative) inputs.

Checks: no 5xx; status, content type and body as described; every 4xx in
the JSON envelope with a ``message``.  ``EXAMPLES`` bounds the time.
"""

import importlib
import itertools
from datetime import UTC, datetime, timedelta

import hypothesis
import pytest
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
from tests.conftest import app_settings, free_port
from tests.factories import Factory, Scene
from tests.functional.conftest import make_live_app, serving

#: Examples per operation and generation mode.
EXAMPLES = 5
#: ``GET`` operations that change what later requests see.
UNSAFE_READS = {"/api/logout/"}

for _module in MODULES:  # the services exist once their modules are imported
    importlib.import_module(_module, "crunchusers.views")
schema = schemathesis.openapi.from_dict(describe())


def is_read(ctx) -> bool:
    return ctx.operation.method.upper() == "GET" and ctx.operation.path not in UNSAFE_READS


reads = schema.include(func=is_read)
writes = schema.exclude(func=is_read)


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
        self.testapp = TestApp(app)
        factory = Factory(app, self.testapp)
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

    def signed_in(self) -> bool:
        """Whether the owner's credentials still work."""
        res = self.testapp.get("/api/", headers=self.headers, expect_errors=True)
        return res.status_int == 200


SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def shared_world(smtp_server, tmp_path_factory):
    """One server and scene for every read."""
    port = free_port()
    app = make_live_app(app_settings(smtp_server), tmp_path_factory.mktemp("reads"), port)
    with serving(app, port) as api_url:
        world = World(app, api_url)
        yield world
        assert world.signed_in(), f"a read logged the owner out: add it to {UNSAFE_READS=}"


@pytest.fixture
def fresh_world(live_app, server):
    """A server and scene of the operation's own."""
    return World(live_app, server)


def call(world, case):
    world.fill(case)
    case.call_and_validate(base_url=world.base_url, headers=world.headers, checks=CHECKS)


@reads.parametrize()
@SETTINGS
def test_every_read(case, shared_world):
    call(shared_world, case)


@writes.parametrize()
@SETTINGS
def test_every_other_operation(case, fresh_world):
    call(fresh_world, case)


def test_reads_and_writes_are_every_operation():
    def operations(of):
        return {(op.method, op.path) for op in (r.ok() for r in of.get_all_operations())}

    everything = operations(schema)
    assert operations(reads) | operations(writes) == everything
    assert operations(reads).isdisjoint(operations(writes)) and len(everything) > 90
