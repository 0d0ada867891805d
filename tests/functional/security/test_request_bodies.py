"""Every write endpoint refuses an unknown field, a wrong JSON type for each
field and a huge value for each field that holds text, a list or an object:
a 400 that names the field, and nothing committed.

Table-driven: each :class:`Door` (one write endpoint) gives a valid body and
its fields with their kinds; the probes are generated from the kinds.  URLs
and bodies name what the :class:`World` made in braces (``{team}``,
``{bob}`` for bob's URL, ``{bob.email}``).  A tuple of a catalog PATCH is
written ``TUPLE.<member>``: a members or permissions catalog names the
tuple's key in ``errors`` (its message names the member), an entity catalog
(datasets, account users) the member itself.  ``test_the_valid_body_is_accepted``
shows each door's body is good, so that each 400 is the probe's doing.
DELETEs and ``GET /logout/`` take no body.
"""

import copy
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

import pytest

from crunchusers.infra.storage import get_db
from tests.factories import PASSWORD, acme_and_other
from tests.functional.helpers import new_key

HUGE = "x" * 100_000

#: What a probe of the wrong JSON type sends, by kind of field.
WRONG_TYPE = {"str": 5, "bool": "yes", "list": "x", "object": "x", "urls": ["x"]}
#: A huge value of each kind; booleans cannot be huge.
HUGE_VALUE = {"str": HUGE, "list": [HUGE], "object": {"k": HUGE}, "urls": {HUGE: {}}}
#: Kinds probed for their type only: members a GET shows, sent back and
#: ignored (never stored, so a huge one harms nothing), and containers whose
#: members are fields of their own (an entity's ``body``, a catalog's ``index``).
TYPE_ONLY = {"shown-str": "str", "shown-bool": "bool", "shown": "object", "container": "object"}


class Person:
    """A scene user in a template: ``{bob}`` is the URL, ``{bob.email}``."""

    def __init__(self, scene, who):
        self.email = scene.email(who)
        self.url = scene.url(who)

    def __str__(self):
        return self.url


class World:
    """The Acme scene and, made on first use, what the doors write to."""

    def __init__(self, factory):
        self.factory = factory
        self.scene = acme_and_other(factory)

    def __getitem__(self, name):
        if name in self.scene.users:
            return Person(self.scene, name)
        return getattr(self, name)

    def fill(self, template):
        """``template`` with every ``{name}`` in its strings and keys filled."""
        if isinstance(template, str):
            return template.format_map(self)
        if isinstance(template, dict):
            return {self.fill(k): self.fill(v) for k, v in template.items()}
        return template

    @cached_property
    def team(self):
        return self.scene.create_team("alice")

    @cached_property
    def project(self):
        return self.scene.create_project("alice")

    @cached_property
    def dataset(self):
        return self.scene.create_dataset("alice")

    @cached_property
    def pending(self):
        self.scene.add("pending", status="pending", password=None)
        return self.scene.url("pending")

    @cached_property
    def link_token(self):
        bob, now = self.scene.bob, self.factory.now()
        return self.factory.write(
            lambda root: root.link_tokens.issue(
                root.users[bob], "password_reset", now, timedelta(hours=1)
            )
        )

    @cached_property
    def bob_entity(self):
        """Bob's user entity as bob reads it, to PUT back."""
        headers = self.scene.headers("bob")
        return self.scene.testapp.get(self.scene.url("bob"), headers=headers).json["body"]


def kinds(*lines: str) -> dict:
    """``kinds("str name title", "bool archived")``: field path -> kind."""
    found = {}
    for line in lines:
        kind, *paths = line.split()
        found.update(dict.fromkeys(paths, kind))
    return found


def in_tuple(spec: dict) -> dict:
    return {f"TUPLE.{path}": kind for path, kind in spec.items()}


@dataclass(frozen=True)
class Door:
    """A write endpoint: ``request`` (``"PATCH {team}"``) as ``who`` with
    the valid ``body``; ``fields`` maps each member's path to its kind.
    ``key`` is the tuple key of a catalog PATCH, ``named_by_key`` when the
    catalog names that key in its errors; ``extra`` probes are
    ``(what, path, value, expected name)``."""

    name: str
    request: str
    who: str
    body: object
    fields: dict
    key: str | None = None
    named_by_key: bool = False
    extra: tuple = ()

    def url(self, world):
        return world.fill(self.request.split()[1])

    def valid_body(self, world):
        return self.body(world) if callable(self.body) else world.fill(self.body)


def entity_catalog(name, request, who, key, tuple_, spec):
    """A catalog PATCH whose tuples change entities: errors name the member."""
    return Door(name, request, who, {key: tuple_}, in_tuple(spec) | OPTIONS, key=key)


def member_catalog(name, request, tuple_, spec):
    """A members or permissions catalog PATCH by alice adding bob: errors
    name bob's URL; the members a GET shows may be sent back."""
    fields = in_tuple(spec) | SHOWN | OPTIONS
    return Door(name, request, "alice", {"{bob}": tuple_}, fields, key="{bob}", named_by_key=True)


USER = kinds(
    "str name first_name last_name username email title mobile avatar manager status id",
    "str url_base address.street address.city address.country preferences.currency",
    "str preferences.timezone preferences.locale",
    "object address preferences account_permissions dataset_permissions",
    "bool account_permissions.alter_users account_permissions.create_datasets",
    "bool dataset_permissions.view dataset_permissions.edit resend_email",
    "list roles",
)
OPTIONS = kinds(
    "bool send_notification send_notifications",
    "str url_base dataset_url project_url message",
)
SHOWN = in_tuple(kinds("shown-str name email", "shown-bool is_owner collaborator"))
SHOWN["TUPLE.coalesced_permissions"] = "shown"
DOCUMENT = kinds("str element self description", "shown catalogs views fragments orders urls")
PROJECT = kinds("str name description icon_url icon")
DATASET_TUPLE = kinds("str name description start_date end_date", "bool archived is_published")
DATASET = {**DATASET_TUPLE, **kinds("str notes streaming owner project")}
NEW_PASSWORD = "a brand new secret"

DOORS = [
    Door(
        "login",
        "POST /api/public/login/",
        "anonymous",
        {"email": "{alice.email}", "password": PASSWORD},
        kinds("str email username password", "bool token"),
    ),
    Door(
        "password change",
        "POST /api/public/password_change/",
        "anonymous",
        {"token": "{link_token}", "password": NEW_PASSWORD},
        kinds("str token password"),
    ),
    Door(
        "password reset",
        "POST /api/public/password_reset/",
        "anonymous",
        {"email": "{bob.email}"},
        kinds("str email url_base"),
    ),
    Door(
        "create account",
        "POST /api/accounts/",
        "superuser",
        {"name": "Acme 2", "owner": {"email": "boss@acme2.test"}, "send_invite": False},
        kinds("str name url_base owner.email owner.name owner.password", "object owner")
        | kinds("bool send_invite"),
    ),
    Door(
        "change account", "PATCH /api/account/", "owner", {"name": "Ltd"}, kinds("str name owner")
    ),
    Door(
        "create user",
        "POST /api/account/users/",
        "owner",
        {"email": "new@acme.test", "send_invite": False},
        kinds(
            "str email name first_name last_name username password url_base id_method",
            "str id_provider role_url",
            "list roles teams projects",
            "bool send_invite account_permissions.alter_users",
            "object account_permissions",
        ),
    ),
    entity_catalog(
        "account users catalog",
        "PATCH /api/account/users/",
        "owner",
        "{bob}",
        {"title": "Dr"},
        USER,
    ),
    Door("change user", "PATCH {bob}", "bob", {"title": "Dr"}, USER),
    Door("put user", "PUT {bob}", "bob", lambda w: {**w.bob_entity, "title": "Dr"}, USER),
    Door(
        "invite",
        "POST {pending}invite/",
        "owner",
        {"url_base": "https://app.example.com/${{token}}/"},
        kinds("str url_base"),
    ),
    Door(
        "change password",
        "POST {bob}password/",
        "bob",
        {"old_pw": PASSWORD, "new_pw": NEW_PASSWORD},
        kinds("str old_pw new_pw"),
    ),
    Door("reassign", "POST {bob}reassign/", "owner", {"owner": "{alice}"}, kinds("str owner")),
    Door(
        "expropriate", "POST {bob}expropriate/", "owner", {"owner": "{alice}"}, kinds("str owner")
    ),
    Door("create team", "POST /api/teams/", "alice", {"name": "T"}, kinds("str name")),
    Door(
        "create team, wrapped",
        "POST /api/teams/",
        "alice",
        {"element": "shoji:entity", "body": {"name": "T"}},
        DOCUMENT | kinds("container body"),
    ),
    Door("change team", "PATCH {team}", "alice", {"name": "T2"}, kinds("str name")),
    member_catalog(
        "team members",
        "PATCH {team}members/",
        {"permissions": {"team_admin": False}},
        kinds("object permissions", "bool permissions.team_admin permissions.manage_members"),
    ),
    Door(
        "team members, wrapped",
        "PATCH {team}members/",
        "alice",
        {"element": "shoji:catalog", "index": {"{bob}": {}}},
        DOCUMENT | kinds("container index"),
    ),
    Door("create project", "POST /api/projects/", "alice", {"name": "P"}, PROJECT),
    Door("create sub-project", "POST {project}", "alice", {"name": "P"}, PROJECT),
    Door(
        "create personal sub-project",
        "POST /api/projects/personal/",
        "alice",
        {"name": "P"},
        PROJECT,
    ),
    Door("change project", "PATCH {project}", "alice", {"name": "P2"}, PROJECT),
    Door(
        "change personal project",
        "PATCH /api/projects/personal/",
        "alice",
        {"icon": None},
        PROJECT,
    ),
    Door(
        "move into project",
        "PATCH {project}",
        "alice",
        {"element": "shoji:entity", "body": {}, "index": {}, "graph": []},
        DOCUMENT | kinds("urls index", "list graph"),
    ),
    Door(
        "project order",
        "PUT {project}order/",
        "alice",
        {"element": "shoji:order", "graph": []},
        kinds("str element self description", "list graph"),
    ),
    member_catalog(
        "project members",
        "PATCH {project}members/",
        {"permissions": {"edit": False}},
        kinds("object permissions", "bool permissions.edit permissions.view"),
    ),
    Door(
        "create dataset",
        "POST /api/datasets/",
        "alice",
        {"name": "D"},
        DATASET | kinds("str maintainer", "object table"),
    ),
    entity_catalog(
        "datasets catalog",
        "PATCH /api/datasets/",
        "alice",
        "{dataset}",
        {"name": "D"},
        DATASET_TUPLE,
    ),
    Door(
        "change dataset",
        "PATCH {dataset}",
        "alice",
        {"name": "D2"},
        DATASET | kinds("str current_editor"),
    ),
    member_catalog(
        "dataset permissions",
        "PATCH {dataset}permissions/",
        {"dataset_permissions": {"view": True}},
        kinds(
            "object dataset_permissions profile",
            "str profile.weight",
            "list profile.applied_filters",
            "bool dataset_permissions.view dataset_permissions.edit",
            "bool dataset_permissions.change_permissions dataset_permissions.add_users",
            "bool dataset_permissions.change_weight",
        ),
    ),
    Door(
        "dataset settings",
        "PATCH {dataset}settings/",
        "alice",
        {"viewers_can_export": True},
        kinds(
            "bool viewers_can_export viewers_can_change_weight viewers_can_share",
            "str weight dashboard_deck",
        ),
    ),
    Door(
        "dataset preferences",
        "PATCH {dataset}preferences/",
        "alice",
        {"colour": "red"},
        {},  # free keys and values: only their total is bounded
        extra=(("huge", "blob", HUGE, "preferences"),),
    ),
    Door(
        "create API key", "POST /api/apikeys/", "alice", new_key("CI"), kinds("str name expires")
    ),
]


@dataclass(frozen=True)
class Probe:
    door: Door
    what: str  # "unknown", "type" or "huge"
    path: str
    value: object
    expected: str | None  # the field errors[0] names; None: the tuple's key

    @property
    def id(self):
        return f"{self.door.name}-{self.what}-{self.path}"


def probe(door, what, path, value):
    """The probe, expecting the field named as the door names it."""
    in_a_tuple = path.startswith("TUPLE.")
    expected = None if in_a_tuple and door.named_by_key else path.removeprefix("TUPLE.")
    return Probe(door, what, path, value, expected)


def probes():
    for door in DOORS:
        if door.fields:
            yield probe(door, "unknown", "TUPLE.bogus_field" if door.key else "bogus_field", 1)
        for path, kind in door.fields.items():
            yield probe(door, "type", path, WRONG_TYPE[TYPE_ONLY.get(kind, kind)])
            if kind in HUGE_VALUE:
                yield probe(door, "huge", path, HUGE_VALUE[kind])
        for what, path, value, expected in door.extra:
            yield Probe(door, what, path, value, expected)


PROBES = list(probes())


def with_value(body, path, value, key):
    """``body`` with ``value`` at the dotted ``path`` (``TUPLE`` is ``key``)."""
    parts = [key if part == "TUPLE" else part for part in path.split(".")]
    body = copy.deepcopy(body)
    parent = body
    for part in parts[:-1]:
        if not isinstance(parent.get(part), dict):
            parent[part] = {}
        parent = parent[part]
    parent[parts[-1]] = value
    return body


def last_commit(factory):
    """The id of the last committed transaction: a refused request commits none."""
    return get_db(factory.registry).lastTransaction()


def send(world, door, body, status):
    method = getattr(world.scene.testapp, f"{door.request.split()[0].lower()}_json")
    headers = world.scene.headers(door.who)
    return method(door.url(world), body, headers=headers, status=status)


@pytest.fixture
def world(factory):
    return World(factory)


@pytest.mark.parametrize("probe", PROBES, ids=[p.id for p in PROBES])
def test_a_bad_body_is_400_naming_the_field_and_changes_nothing(world, probe):
    door = probe.door
    key = world.fill(door.key)
    body = with_value(door.valid_body(world), probe.path, probe.value, key)
    door.url(world), world.scene.headers(door.who)  # made and committed first
    before = last_commit(world.factory)
    res = send(world, door, body, 400)
    name = res.json["errors"][0]["name"]
    if probe.expected is None:  # the tuple's key; the message names the member
        assert name == key, res.json
        named = probe.path.removeprefix("TUPLE.")
    else:
        assert name == probe.expected or name.startswith(probe.expected + "."), res.json
        named = probe.expected
    assert named.rsplit(".", 1)[-1].lower() in res.json["message"].lower(), res.json
    assert last_commit(world.factory) == before


@pytest.mark.parametrize("door", DOORS, ids=[d.name for d in DOORS])
def test_the_valid_body_is_accepted(world, door):
    """The bodies the probes start from are good: each 400 is the probe's."""
    res = send(world, door, door.valid_body(world), "*")
    assert res.status_int in (200, 201, 204), res.body


def test_every_field_of_every_door_is_probed():
    """An unknown field for each door with fields, a wrong type for each
    field, a huge value for each field that can be huge."""
    for door in DOORS:
        mine = [p for p in PROBES if p.door is door]
        assert {p.path for p in mine if p.what == "type"} == set(door.fields), door.name
        huge = {p for p, kind in door.fields.items() if kind in HUGE_VALUE}
        assert {p.path for p in mine if p.what == "huge"} >= huge, door.name
        assert any(p.what == "unknown" for p in mine) == bool(door.fields), door.name
