"""Who may call which team, project, dataset and admin endpoint: a table.

Every row of ``TABLE`` is one endpoint; its columns are the expected status
for each actor of one scenario (built fresh for every test by ``world``):

* account **Acme**

  - ``owner``     an editor-role user who owns the team ``T``, the project
                  ``P`` and the dataset ``D`` (inside ``P``), and holds ``D``'s
                  edit lock;
  - ``admin``     an administrator of Acme (not its owner);
  - ``editor``    an editor-role user with a direct ``edit`` share on ``D``;
  - ``viewer``    a standard user with a direct ``view`` share on ``D``;
  - ``team``      a standard user, plain member of ``T``; ``T`` has ``view``
                  on ``D``;
  - ``project``   a standard user, ``view`` member of ``P``;

* account **Other**

  - ``collab``    a standard user with a direct ``view`` share on ``D``
                  (a collaborator from another account);
  - ``stranger``  a standard user with nothing;

* ``anonymous``   no credentials.

Conventions checked (reference crunch-api.md §1.6): anonymous is 401; a
resource the caller may not even see is 404; refused-but-visible is 403; a
non-current editor's PATCH is 409.  Each row also checks the effect, so a
view that answers the right status but changes the wrong thing fails too.
"""

import itertools

import pytest

from crunchusers.domain.collaboration import (
    create_dataset,
    create_project,
    create_team,
    set_project_member,
    set_team_member,
    share_dataset,
)
from crunchusers.domain.users import create_account, new_user
from crunchusers.infra.passwords import hash_password
from tests.factories import PASSWORD
from tests.matrix import assert_error_shape, call, check_registry

BASE = "http://localhost"
ACTORS = ("owner", "admin", "editor", "viewer", "team", "project", "collab", "stranger", "anon")

# fmt: off
#                                        owner admin editr viewr team  proj  colab strgr anon
TABLE = {
    "GET team":                          (200,  200,  404,  404,  200,  404,  404,  404,  401),
    "PATCH team":                        (204,  204,  404,  404,  403,  404,  404,  404,  401),
    "PATCH team members":                (204,  204,  404,  404,  403,  404,  404,  404,  401),
    "GET project":                       (200,  200,  404,  404,  404,  200,  404,  404,  401),
    "PATCH project":                     (204,  204,  404,  404,  404,  403,  404,  404,  401),
    "DELETE project (not empty)":        (409,  409,  404,  404,  404,  403,  404,  404,  401),
    "PATCH project members":             (204,  204,  404,  404,  404,  403,  404,  404,  401),
    "GET dataset":                       (200,  200,  200,  200,  200,  200,  200,  404,  401),
    "PATCH dataset":                     (204,  409,  409,  403,  403,  403,  403,  404,  401),
    "DELETE dataset":                    (204,  409,  409,  403,  403,  403,  403,  404,  401),
    "GET dataset permissions":           (200,  200,  200,  200,  200,  200,  200,  404,  401),
    "PATCH dataset permissions":         (204,  204,  403,  403,  403,  403,  403,  404,  401),
    "GET dataset users":                 (200,  200,  200,  200,  200,  200,  200,  404,  401),
    "GET account datasets":              (403,  200,  403,  403,  403,  403,  404,  404,  401),
    "GET visible_datasets":              (403,  200,  403,  403,  403,  403,  404,  404,  401),
    "POST reassign dry_run":             (403,  200,  403,  403,  403,  403,  404,  404,  401),
}
# fmt: on


@pytest.fixture(scope="module")
def password_hash(configured_app):
    """Hashed once: every scenario user logs in with ``PASSWORD``."""
    return hash_password(configured_app.registry, PASSWORD)


_scenarios = itertools.count(1)  # the app is shared: keep emails unique


class World:
    """The scenario of the module docstring, written in one transaction."""

    def __init__(self, testapp, factory, password_hash):
        self.testapp = testapp
        self.factory = factory
        n = next(_scenarios)
        now = factory.now()

        def build(root):
            acme, acme_owner = create_account(
                root, name="Acme", owner_email=f"acme-owner-{n}@m.test", now=now
            )
            other, _ = create_account(
                root, name="Other", owner_email=f"other-owner-{n}@m.test", now=now
            )

            def user(name, account, roles=("standard",)):
                return new_user(
                    root,
                    account,
                    email=f"{name}-{n}@m.test",
                    now=now,
                    roles=roles,
                    password_hash=password_hash,
                )

            users = {
                "owner": user("owner", acme, ("editor",)),
                "admin": user("admin", acme, ("administrator",)),
                "editor": user("editor", acme, ("editor",)),
                "viewer": user("viewer", acme),
                "team": user("team", acme),
                "project": user("project", acme),
                "idle": user("idle", acme),
                "collab": user("collab", other),
                "stranger": user("stranger", other),
            }
            owner = users["owner"]
            team = create_team(root, owner, "T", now)
            set_team_member(team, users["team"], team_admin=False)
            project = create_project(root, owner, "P", now)
            set_project_member(project, users["project"], "user", edit=False)
            dataset = create_dataset(
                root, owner, "D", now, project=project, current_editor_id=owner.__name__
            )
            share_dataset(dataset, users["editor"], "user", {"view": True, "edit": True})
            share_dataset(dataset, users["viewer"], "user", {"view": True})
            share_dataset(dataset, users["collab"], "user", {"view": True})
            share_dataset(dataset, team, "team", {"view": True})
            return {
                "account": acme.__name__,
                "acme_owner": acme_owner.__name__,
                "users": {k: u.__name__ for k, u in users.items()},
                "emails": {k: u.email for k, u in users.items()},
                "team": team.__name__,
                "project": project.__name__,
                "dataset": dataset.__name__,
            }

        self.ids = factory.write(build)
        self.team = f"{BASE}/api/teams/{self.ids['team']}/"
        self.project = f"{BASE}/api/projects/{self.ids['project']}/"
        self.dataset = f"{BASE}/api/datasets/{self.ids['dataset']}/"
        self.account = f"{BASE}/api/accounts/{self.ids['account']}/"

    def user_id(self, name):
        return self.ids["users"][name]

    def user_url(self, name):
        return f"{BASE}/api/users/{self.user_id(name)}/"

    def headers(self, actor):
        if actor == "anon":
            return {}
        return self.factory.login(self.ids["emails"][actor])

    def call(self, method, url, actor, status, body=None):
        return call(self.testapp, method, url, self.headers(actor), status, body)

    def read(self, getter):
        """``getter(root, ids)`` in a fresh read transaction."""
        return self.factory.read(lambda root: getter(root, self.ids))


@pytest.fixture
def world(testapp, factory, password_hash):
    return World(testapp, factory, password_hash)


CHECKS, check = check_registry()


def assert_document(res, status, self_url, element):
    if status == 200:
        assert res.json["element"] == element
        assert res.json["self"] == self_url


# -- teams ----------------------------------------------------------------------


@check("GET team")
def _get_team(w, actor, status):
    res = w.call("GET", w.team, actor, status)
    assert_document(res, status, w.team, "shoji:entity")
    return res


@check("PATCH team")
def _patch_team(w, actor, status):
    res = w.call("PATCH", w.team, actor, status, {"name": "Renamed"})
    name = w.read(lambda root, ids: root.teams[ids["team"]].name)
    assert name == ("Renamed" if status == 204 else "T")
    return res


@check("PATCH team members")
def _patch_team_members(w, actor, status):
    body = {"element": "shoji:catalog", "index": {w.user_url("idle"): {}}}
    res = w.call("PATCH", w.team + "members/", actor, status, body)
    members = w.read(lambda root, ids: set(root.teams[ids["team"]].members))
    assert (w.user_id("idle") in members) == (status == 204)
    return res


# -- projects --------------------------------------------------------------------


@check("GET project")
def _get_project(w, actor, status):
    res = w.call("GET", w.project, actor, status)
    assert_document(res, status, w.project, "shoji:entity")
    if status == 200:
        assert w.dataset in res.json["index"]
    return res


@check("PATCH project")
def _patch_project(w, actor, status):
    res = w.call("PATCH", w.project, actor, status, {"name": "Renamed"})
    name = w.read(lambda root, ids: root.projects[ids["project"]].name)
    assert name == ("Renamed" if status == 204 else "P")
    return res


@check("DELETE project (not empty)")
def _delete_project(w, actor, status):
    res = w.call("DELETE", w.project, actor, status)
    assert w.read(lambda root, ids: ids["project"] in root.projects)
    assert w.read(lambda root, ids: root.datasets[ids["dataset"]].project_id) == w.ids["project"]
    return res


@check("PATCH project members")
def _patch_project_members(w, actor, status):
    body = {w.user_url("idle"): {"permissions": {"edit": False}}}
    res = w.call("PATCH", w.project + "members/", actor, status, body)
    members = w.read(lambda root, ids: set(root.projects[ids["project"]].members.keys()))
    assert (f"user:{w.user_id('idle')}" in members) == (status == 204)
    return res


# -- datasets --------------------------------------------------------------------


@check("GET dataset")
def _get_dataset(w, actor, status):
    res = w.call("GET", w.dataset, actor, status)
    assert_document(res, status, w.dataset, "shoji:entity")
    return res


@check("PATCH dataset")
def _patch_dataset(w, actor, status):
    body = {"element": "shoji:entity", "body": {"description": "Changed"}}
    res = w.call("PATCH", w.dataset, actor, status, body)
    description = w.read(lambda root, ids: root.datasets[ids["dataset"]].description)
    assert description == ("Changed" if status == 204 else "")
    if status == 409:
        assert "current editor" in res.json["message"]
    return res


@check("DELETE dataset")
def _delete_dataset(w, actor, status):
    res = w.call("DELETE", w.dataset, actor, status)
    assert w.read(lambda root, ids: ids["dataset"] in root.datasets) == (status != 204)
    if status == 409:  # the owner holds the edit lock (issue 7 item 12)
        assert "current editor" in res.json["message"]
    return res


@check("GET dataset permissions")
def _get_permissions(w, actor, status):
    res = w.call("GET", w.dataset + "permissions/", actor, status)
    assert_document(res, status, w.dataset + "permissions/", "shoji:catalog")
    if status == 200:
        assert w.team in res.json["index"]
        assert res.json["index"][w.user_url("owner")]["is_owner"] is True
    return res


@check("PATCH dataset permissions")
def _patch_permissions(w, actor, status):
    body = {w.user_url("idle"): {"dataset_permissions": {"view": True}}}
    res = w.call("PATCH", w.dataset + "permissions/", actor, status, body)
    shares = w.read(lambda root, ids: set(root.datasets[ids["dataset"]].shares.keys()))
    assert (f"user:{w.user_id('idle')}" in shares) == (status == 204)
    return res


@check("GET dataset users")
def _get_dataset_users(w, actor, status):
    res = w.call("GET", w.dataset + "users/", actor, status)
    assert_document(res, status, w.dataset + "users/", "shoji:catalog")
    if status == 200:
        index = res.json["index"]
        for name in ("owner", "editor", "viewer", "team", "project", "collab"):
            assert w.user_url(name) in index, name
        assert w.user_url("stranger") not in index
    return res


# -- account admin views ------------------------------------------------------------


@check("GET account datasets")
def _get_account_datasets(w, actor, status):
    res = w.call("GET", w.account + "datasets/", actor, status)
    assert_document(res, status, w.account + "datasets/", "shoji:catalog")
    if status == 200:
        assert set(res.json["index"]) == {w.dataset}
    return res


@check("GET visible_datasets")
def _get_visible_datasets(w, actor, status):
    url = w.user_url("owner") + "visible_datasets/"
    res = w.call("GET", url, actor, status)
    assert_document(res, status, url, "shoji:catalog")
    if status == 200:
        assert set(res.json["index"]) == {w.dataset}
    return res


@check("POST reassign dry_run")
def _post_reassign_dry_run(w, actor, status):
    url = w.user_url("owner") + "reassign/?dry_run=true"
    res = w.call("POST", url, actor, status, {"owner": w.user_url("editor")})
    if status == 200:
        assert res.json["value"]["datasets"] == [w.dataset]
        assert res.json["value"]["teams"] == [w.team]
        assert res.json["value"]["projects"] == [w.project]

    def owners(root, ids):
        return {
            root.teams[ids["team"]].owner_id,
            root.projects[ids["project"]].owner_id,
            root.datasets[ids["dataset"]].owner_id,
        }

    assert w.read(owners) == {w.user_id("owner")}
    return res


# -- the tests ------------------------------------------------------------------------


def rows():
    for endpoint, statuses in TABLE.items():
        assert len(statuses) == len(ACTORS), endpoint
        for actor, status in zip(ACTORS, statuses, strict=True):
            yield pytest.param(endpoint, actor, status, id=f"{endpoint}-{actor}")


def test_every_row_has_a_check():
    assert set(TABLE) == set(CHECKS)


@pytest.mark.parametrize("endpoint,actor,status", list(rows()))
def test_permission_matrix(world, endpoint, actor, status):
    res = CHECKS[endpoint](world, actor, status)
    assert_error_shape(res)
