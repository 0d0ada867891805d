"""Who may call which account and user endpoint (issue 3): a permission table.

Every row of ``TABLE`` is one endpoint; its columns are the expected status for
each actor in ``ACTORS``:

* ``owner``      the owner of *our* account (always an administrator);
* ``admin``      an administrator of our account who is not the owner;
* ``member``     a standard user of our account;
* ``stranger``   a standard user of *another* account;
* ``outsider``   the owner (so an admin) of that other account: admin rights
                 over one account must give nothing over another;
* ``superuser``  the configured superuser, who belongs to no account;
* ``anonymous``  no credentials at all.

Conventions checked (reference crunch-api.md §1.6): anonymous is 401; an
entity the caller may not even see is 404 (not 403, which would leak that it
exists); refused-but-visible is 403.  Each row also checks the effect, so a
view that answers the right status but does the wrong thing (or does
something although it refused) fails too.  Caller-relative URLs
(``/api/account/...``) resolve to the caller's *own* account, so an outsider
using them acts on their own account, never on ours.
"""

import pytest

from tests.factories import Scene
from tests.matrix import assert_error_shape, call, check_registry

ACTORS = ("owner", "admin", "member", "stranger", "outsider", "superuser", "anonymous")
ADMINS = {"owner", "admin", "outsider"}  # of their own account

# fmt: off
#                                           owner admin member strngr outsdr super  anon
TABLE = {
    "GET /api/account/":                     (200,  200,  200,   200,   200,   404,  401),
    "GET /api/accounts/{ours}/":             (200,  200,  200,   404,   404,   200,  401),
    "PATCH /api/account/":                   (204,  204,  403,   403,   204,   404,  401),
    "PATCH /api/accounts/{ours}/":           (204,  204,  403,   404,   404,   204,  401),
    "GET /api/account/users/":               (200,  200,  200,   200,   200,   404,  401),
    "GET /api/accounts/{ours}/users/":       (200,  200,  200,   404,   404,   200,  401),
    "POST /api/account/users/":              (201,  201,  403,   403,   201,   404,  401),
    "POST /api/accounts/{ours}/users/":      (201,  201,  403,   404,   404,   201,  401),
    "PATCH /api/account/users/":             (204,  204,  403,   403,   400,   404,  401),
    "PATCH /api/accounts/{ours}/users/":     (204,  204,  403,   404,   404,   204,  401),
    "POST /api/accounts/":                   (403,  403,  403,   403,   403,   201,  401),
    "GET /api/users/{target}/":              (200,  200,  200,   404,   404,   200,  401),
    "PATCH /api/users/{target}/":            (204,  204,  403,   404,   404,   204,  401),
    "PUT /api/users/{target}/":              (204,  204,  403,   404,   404,   204,  401),
    "DELETE /api/users/{target}/":           (200,  200,  403,   404,   404,   200,  401),
    "POST /api/users/{pending}/invite/":     (204,  204,  403,   404,   404,   204,  401),
    "GET /api/users/?email={target}":        (200,  200,  200,   200,   200,   200,  401),
    "GET /api/roles/":                       (200,  200,  200,   200,   200,   200,  401),
}
# fmt: on
# The outsider's 400 on PATCH /api/account/users/: that URL is the outsider's
# own catalog, which refuses our user as "not a user of this account" -- the
# same answer as for a URL naming nobody, so it reveals nothing.

# Acting on oneself: nobody changes their own roles or removes or re-invites
# themselves, but everybody reads and edits their own profile.
# fmt: off
#                                           owner admin member
SELF_TABLE = {
    "GET /api/users/{self}/":                (200,  200,  200),
    "PATCH /api/users/{self}/ title":        (204,  204,  204),
    "PATCH /api/users/{self}/ roles":        (403,  403,  403),
    "PATCH /api/users/{self}/ status":       (403,  403,  403),
    "DELETE /api/users/{self}/":             (403,  403,  403),
    "POST /api/users/{self}/invite/":        (403,  403,  403),
    "PATCH /api/account/users/ self null":   (403,  403,  403),
}
# fmt: on

NEW_TITLE = "Chief Tester"


@pytest.fixture
def world(factory, inbox):
    """Two accounts and one user per actor, logged in only when needed;
    ``target`` and ``pending`` are acted upon, never acting."""
    scene = Scene(factory, "Ours")
    theirs = scene.add_account("Theirs", owner="outsider")
    scene.add("admin", roles=("administrator",))
    scene.add("member")
    scene.add("stranger", theirs)
    scene.add("target")
    scene.add("pending", password=None, status="pending")
    scene.inbox = inbox
    return scene


def account_of(w, actor):
    return w.account_id if actor in ("owner", "admin", "member") else w.other_account_id


def stored(w, name):
    """A snapshot of a user's stored data."""
    user_id = w.id(name)

    def snapshot(root):
        user = root.users[user_id]
        return {"status": user.status, "roles": tuple(user.roles), "title": user.title}

    return w.factory.read(snapshot)


def account_name(w, account_id):
    return w.factory.read(lambda root: root.accounts[account_id].name)


def account_id_of_email(w, email):
    def find(root):
        user = root.users.find_by_email(email)
        return user.account_id if user is not None else None

    return w.factory.read(find)


CHECKS, check = check_registry()


# -- accounts ---------------------------------------------------------------


@check("GET /api/account/")
def _get_my_account(w, actor, status):
    res = call(w, "GET", "/api/account/", actor, status)
    if status == 200:
        account_id = account_of(w, actor)
        assert res.json["self"] == f"http://localhost/api/accounts/{account_id}/"
        assert res.json["body"]["id"] == account_id
        assert res.json["catalogs"]["users"].endswith(f"/api/accounts/{account_id}/users/")
        has_admin_catalogs = {"teams", "projects", "datasets"} <= set(res.json["catalogs"])
        assert has_admin_catalogs == (actor in ADMINS)
    return res


@check("GET /api/accounts/{ours}/")
def _get_our_account(w, actor, status):
    res = call(w, "GET", f"/api/accounts/{w.account_id}/", actor, status)
    if status == 200:
        assert res.json["body"]["id"] == w.account_id
        assert res.json["body"]["name"] == "Ours"
        assert res.json["body"]["owner"] == w.url("owner")
        has_admin_catalogs = {"teams", "projects", "datasets"} <= set(res.json["catalogs"])
        assert has_admin_catalogs == (actor in ADMINS | {"superuser"})
    return res


@check("PATCH /api/account/")
def _patch_my_account(w, actor, status):
    res = call(w, "PATCH", "/api/account/", actor, status, {"name": "Renamed"})
    renamed = account_of(w, actor) if status == 204 else None
    assert account_name(w, w.account_id) == ("Renamed" if renamed == w.account_id else "Ours")
    assert account_name(w, w.other_account_id) == (
        "Renamed" if renamed == w.other_account_id else "Theirs"
    )
    return res


@check("PATCH /api/accounts/{ours}/")
def _patch_our_account(w, actor, status):
    body = {"element": "shoji:entity", "body": {"name": "Renamed"}}
    res = call(w, "PATCH", f"/api/accounts/{w.account_id}/", actor, status, body)
    assert account_name(w, w.account_id) == ("Renamed" if status == 204 else "Ours")
    assert account_name(w, w.other_account_id) == "Theirs"
    return res


# -- account users catalog ----------------------------------------------------


def _assert_lists_users(w, res, actor, account_id):
    index = res.json["index"]
    if actor != "superuser":
        assert w.url(actor) in index
    assert (w.url("target") in index) == (account_id == w.account_id)
    assert (w.url("stranger") in index) == (account_id == w.other_account_id)


@check("GET /api/account/users/")
def _get_my_account_users(w, actor, status):
    res = call(w, "GET", "/api/account/users/", actor, status)
    if status == 200:
        _assert_lists_users(w, res, actor, account_of(w, actor))
    return res


@check("GET /api/accounts/{ours}/users/")
def _get_our_account_users(w, actor, status):
    res = call(w, "GET", f"/api/accounts/{w.account_id}/users/", actor, status)
    if status == 200:
        _assert_lists_users(w, res, actor, w.account_id)
    return res


def _post_user(w, url, actor, status, expected_account):
    email = f"new-by-{actor}@example.com"
    body = {"element": "shoji:entity", "body": {"email": email, "send_invite": False}}
    res = call(w, "POST", url, actor, status, body)
    if status == 201:
        assert res.location.startswith("http://localhost/api/users/")
        assert account_id_of_email(w, email) == expected_account
    else:
        assert account_id_of_email(w, email) is None
    return res


@check("POST /api/account/users/")
def _post_my_account_users(w, actor, status):
    return _post_user(w, "/api/account/users/", actor, status, account_of(w, actor))


@check("POST /api/accounts/{ours}/users/")
def _post_our_account_users(w, actor, status):
    return _post_user(w, f"/api/accounts/{w.account_id}/users/", actor, status, w.account_id)


def _patch_target_roles(w, url, actor, status):
    body = {"element": "shoji:catalog", "index": {w.url("target"): {"roles": ["editor"]}}}
    res = call(w, "PATCH", url, actor, status, body)
    assert stored(w, "target")["roles"] == (("editor",) if status == 204 else ("standard",))
    return res


@check("PATCH /api/account/users/")
def _patch_my_account_users(w, actor, status):
    return _patch_target_roles(w, "/api/account/users/", actor, status)


@check("PATCH /api/accounts/{ours}/users/")
def _patch_our_account_users(w, actor, status):
    return _patch_target_roles(w, f"/api/accounts/{w.account_id}/users/", actor, status)


@check("POST /api/accounts/")
def _post_accounts(w, actor, status):
    email = f"founder-by-{actor}@example.com"
    body = {
        "element": "shoji:entity",
        "body": {"name": "Fresh", "send_invite": False, "owner": {"email": email, "name": "F"}},
    }
    res = call(w, "POST", "/api/accounts/", actor, status, body)
    created_in = account_id_of_email(w, email)
    if status == 201:
        assert res.location == f"http://localhost/api/accounts/{created_in}/"
        assert account_name(w, created_in) == "Fresh"
    else:
        assert created_in is None
    return res


# -- user entity ------------------------------------------------------------


@check("GET /api/users/{target}/")
def _get_target(w, actor, status):
    res = call(w, "GET", w.url("target"), actor, status)
    if status == 200:
        assert res.json["body"]["id"] == w.target
        assert res.json["body"]["email"] == w.email("target")
    return res


@check("PATCH /api/users/{target}/")
def _patch_target(w, actor, status):
    body = {"element": "shoji:entity", "body": {"title": NEW_TITLE}}
    res = call(w, "PATCH", w.url("target"), actor, status, body)
    assert stored(w, "target")["title"] == (NEW_TITLE if status == 204 else "")
    return res


@check("PUT /api/users/{target}/")
def _put_target(w, actor, status):
    res = call(w, "PUT", w.url("target"), actor, status, {"title": NEW_TITLE})
    assert stored(w, "target")["title"] == (NEW_TITLE if status == 204 else "")
    return res


@check("DELETE /api/users/{target}/")
def _delete_target(w, actor, status):
    res = call(w, "DELETE", w.url("target"), actor, status)
    if status == 200:
        assert res.json == {"id": w.target}
    assert stored(w, "target")["status"] == ("deleted" if status == 200 else "active")
    return res


@check("POST /api/users/{pending}/invite/")
def _invite_pending(w, actor, status):
    w.inbox.messages.clear()
    res = call(w, "POST", w.url("pending") + "invite/", actor, status, {})
    address = w.email("pending")
    if status == 204:
        w.inbox.wait_for(1)
    assert len(w.inbox.to(address)) == (1 if status == 204 else 0)
    return res


@check("GET /api/users/?email={target}")
def _find_target_by_email(w, actor, status):
    email = w.email("target")
    res = call(w, "GET", f"/api/users/?email={email}", actor, status)
    if status == 200:
        visible = actor in ("owner", "admin", "member", "superuser")
        assert list(res.json["index"]) == ([w.url("target")] if visible else [])
    return res


@check("GET /api/roles/")
def _get_roles(w, actor, status):
    res = call(w, "GET", "/api/roles/", actor, status)
    if status == 200:
        ids = {role["id"] for role in res.json["index"].values()}
        assert {"administrator", "editor", "standard"} <= ids
    return res


# -- acting on oneself ----------------------------------------------------------


@check("GET /api/users/{self}/")
def _get_self(w, actor, status):
    res = call(w, "GET", w.url(actor), actor, status)
    assert res.json["body"]["id"] == w.id(actor)
    return res


@check("PATCH /api/users/{self}/ title")
def _patch_own_title(w, actor, status):
    res = call(w, "PATCH", w.url(actor), actor, status, {"title": NEW_TITLE})
    assert stored(w, actor)["title"] == (NEW_TITLE if status == 204 else "")
    return res


@check("PATCH /api/users/{self}/ roles")
def _patch_own_roles(w, actor, status):
    before = stored(w, actor)["roles"]
    wanted = ["standard"] if before == ("administrator",) else ["administrator"]
    res = call(w, "PATCH", w.url(actor), actor, status, {"roles": wanted})
    assert stored(w, actor)["roles"] == before
    return res


@check("PATCH /api/users/{self}/ status")
def _patch_own_status(w, actor, status):
    res = call(w, "PATCH", w.url(actor), actor, status, {"status": "inactive"})
    assert stored(w, actor)["status"] == "active"
    return res


@check("DELETE /api/users/{self}/")
def _delete_self(w, actor, status):
    res = call(w, "DELETE", w.url(actor), actor, status)
    assert stored(w, actor)["status"] == "active"
    call(w, "GET", "/api/", actor, 200)  # still logged in
    return res


@check("POST /api/users/{self}/invite/")
def _invite_self(w, actor, status):
    w.inbox.messages.clear()
    res = call(w, "POST", w.url(actor) + "invite/", actor, status, {})
    assert w.inbox.messages == []
    return res


@check("PATCH /api/account/users/ self null")
def _remove_self(w, actor, status):
    res = call(w, "PATCH", "/api/account/users/", actor, status, {w.url(actor): None})
    assert stored(w, actor)["status"] == "active"
    return res


def rows(table, actors) -> list:
    for endpoint, statuses in table.items():
        assert len(statuses) == len(actors), endpoint
    return [
        pytest.param(endpoint, actor, status, id=f"{endpoint} as {actor} -> {status}")
        for endpoint, statuses in table.items()
        for actor, status in zip(actors, statuses, strict=True)
    ]


def test_every_row_has_a_check():
    assert set(TABLE) | set(SELF_TABLE) == set(CHECKS)


@pytest.mark.parametrize("endpoint,actor,status", rows(TABLE, ACTORS))
def test_permission_table(world, endpoint, actor, status):
    res = CHECKS[endpoint](world, actor, status)
    assert_error_shape(res)


@pytest.mark.parametrize("endpoint,actor,status", rows(SELF_TABLE, ("owner", "admin", "member")))
def test_acting_on_oneself(world, endpoint, actor, status):
    res = CHECKS[endpoint](world, actor, status)
    assert_error_shape(res)
