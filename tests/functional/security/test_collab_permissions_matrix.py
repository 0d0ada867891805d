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

import pytest

from crunchusers.domain.collaboration import (
    create_dataset,
    create_project,
    create_team,
    set_project_member,
    set_team_member,
    share_dataset,
)
from tests.factories import Scene
from tests.matrix import assert_error_shape, call, check_registry

BASE = "http://localhost"
ACTORS = (
    "owner",
    "admin",
    "editor",
    "viewer",
    "team",
    "project",
    "collab",
    "stranger",
    "anonymous",
)

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


@pytest.fixture
def world(factory):
    """The scenario of the module docstring; ``team_id``/``team_url``,
    ``project_id``/``project_url`` and ``dataset_id``/``dataset_url`` are
    ``T``, ``P`` and ``D`` (the users ``team`` and ``project`` are users)."""
    scene = Scene(factory, owner="acme_owner")
    other = scene.add_account("Other", owner="other_owner")
    scene.add("owner", roles=("editor",))
    scene.add("admin", roles=("administrator",))
    scene.add("editor", roles=("editor",))
    for name in ("viewer", "team", "project", "idle"):
        scene.add(name)
    scene.add("collab", other)
    scene.add("stranger", other)
    now = factory.now()

    def build(root):
        users = {name: root.users[user_id] for name, user_id in scene.users.items()}
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
        return team.__name__, project.__name__, dataset.__name__

    scene.team_id, scene.project_id, scene.dataset_id = factory.write(build)
    scene.team_url = f"{BASE}/api/teams/{scene.team_id}/"
    scene.project_url = f"{BASE}/api/projects/{scene.project_id}/"
    scene.dataset_url = f"{BASE}/api/datasets/{scene.dataset_id}/"
    scene.account_url = f"{BASE}/api/accounts/{scene.account_id}/"
    return scene


CHECKS, check = check_registry()


def get(w, url, actor, status, element="shoji:entity"):
    """GET ``url`` as ``actor``: a 200 is the ``element`` document at ``url``."""
    res = call(w, "GET", url, actor, status)
    if status == 200:
        assert res.json["element"] == element
        assert res.json["self"] == url
    return res


def add_idle(w, url, options, actor, status, grants):
    """PATCH ``{idle: options}`` into the catalog at ``url`` as ``actor``:
    idle is then a key of the stored ``grants(root)`` exactly when it
    succeeded (204)."""
    res = call(w, "PATCH", url, actor, status, {w.url("idle"): options})
    granted = w.factory.read(lambda root: f"user:{w.idle}" in grants(root))
    assert granted == (status == 204)
    return res


# -- teams ----------------------------------------------------------------------


@check("GET team")
def _get_team(w, actor, status):
    return get(w, w.team_url, actor, status)


@check("PATCH team")
def _patch_team(w, actor, status):
    res = call(w, "PATCH", w.team_url, actor, status, {"name": "Renamed"})
    name = w.factory.read(lambda root: root.teams[w.team_id].name)
    assert name == ("Renamed" if status == 204 else "T")
    return res


@check("PATCH team members")
def _patch_team_members(w, actor, status):
    body = {"element": "shoji:catalog", "index": {w.url("idle"): {}}}
    res = call(w, "PATCH", w.team_url + "members/", actor, status, body)
    members = w.factory.read(lambda root: set(root.teams[w.team_id].members))
    assert (w.id("idle") in members) == (status == 204)
    return res


# -- projects --------------------------------------------------------------------


@check("GET project")
def _get_project(w, actor, status):
    res = get(w, w.project_url, actor, status)
    if status == 200:
        assert w.dataset_url in res.json["index"]
    return res


@check("PATCH project")
def _patch_project(w, actor, status):
    res = call(w, "PATCH", w.project_url, actor, status, {"name": "Renamed"})
    name = w.factory.read(lambda root: root.projects[w.project_id].name)
    assert name == ("Renamed" if status == 204 else "P")
    return res


@check("DELETE project (not empty)")
def _delete_project(w, actor, status):
    res = call(w, "DELETE", w.project_url, actor, status)
    assert w.factory.read(lambda root: w.project_id in root.projects)
    assert w.factory.read(lambda root: root.datasets[w.dataset_id].project_id) == w.project_id
    return res


@check("PATCH project members")
def _patch_project_members(w, actor, status):
    return add_idle(
        w,
        w.project_url + "members/",
        {"permissions": {"edit": False}},
        actor,
        status,
        lambda root: root.projects[w.project_id].members,
    )


# -- datasets --------------------------------------------------------------------


@check("GET dataset")
def _get_dataset(w, actor, status):
    return get(w, w.dataset_url, actor, status)


@check("PATCH dataset")
def _patch_dataset(w, actor, status):
    body = {"element": "shoji:entity", "body": {"description": "Changed"}}
    res = call(w, "PATCH", w.dataset_url, actor, status, body)
    description = w.factory.read(lambda root: root.datasets[w.dataset_id].description)
    assert description == ("Changed" if status == 204 else "")
    if status == 409:
        assert "current editor" in res.json["message"]
    return res


@check("DELETE dataset")
def _delete_dataset(w, actor, status):
    res = call(w, "DELETE", w.dataset_url, actor, status)
    assert w.factory.read(lambda root: w.dataset_id in root.datasets) == (status != 204)
    if status == 409:  # the owner holds the edit lock (issue 7 item 12)
        assert "current editor" in res.json["message"]
    return res


@check("GET dataset permissions")
def _get_permissions(w, actor, status):
    res = get(w, w.dataset_url + "permissions/", actor, status, "shoji:catalog")
    if status == 200:
        assert w.team_url in res.json["index"]
        assert res.json["index"][w.url("owner")]["is_owner"] is True
    return res


@check("PATCH dataset permissions")
def _patch_permissions(w, actor, status):
    return add_idle(
        w,
        w.dataset_url + "permissions/",
        {"dataset_permissions": {"view": True}},
        actor,
        status,
        lambda root: root.datasets[w.dataset_id].shares,
    )


@check("GET dataset users")
def _get_dataset_users(w, actor, status):
    res = get(w, w.dataset_url + "users/", actor, status, "shoji:catalog")
    if status == 200:
        index = res.json["index"]
        for name in ("owner", "editor", "viewer", "team", "project", "collab"):
            assert w.url(name) in index, name
        assert w.url("stranger") not in index
    return res


# -- account admin views ------------------------------------------------------------


@check("GET account datasets")
def _get_account_datasets(w, actor, status):
    res = get(w, w.account_url + "datasets/", actor, status, "shoji:catalog")
    if status == 200:
        assert set(res.json["index"]) == {w.dataset_url}
    return res


@check("GET visible_datasets")
def _get_visible_datasets(w, actor, status):
    url = w.url("owner") + "visible_datasets/"
    res = get(w, url, actor, status, "shoji:catalog")
    if status == 200:
        assert set(res.json["index"]) == {w.dataset_url}
    return res


@check("POST reassign dry_run")
def _post_reassign_dry_run(w, actor, status):
    url = w.url("owner") + "reassign/?dry_run=true"
    res = call(w, "POST", url, actor, status, {"owner": w.url("editor")})
    if status == 200:
        assert res.json["value"]["datasets"] == [w.dataset_url]
        assert res.json["value"]["teams"] == [w.team_url]
        assert res.json["value"]["projects"] == [w.project_url]

    def owners(root):
        return {
            root.teams[w.team_id].owner_id,
            root.projects[w.project_id].owner_id,
            root.datasets[w.dataset_id].owner_id,
        }

    assert w.factory.read(owners) == {w.id("owner")}
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
