"""HTTP helpers shared by the functional tests of teams, projects, datasets,
sharing and visibility.  They only make requests; what a test checks stays in
the test (files whose variant also asserts, e.g. on the URL, keep their own)."""

import re

from tests.factories import PASSWORD

USERS = "/api/account/users/"
LOGIN = "/api/public/login/"
#: The link base tests send; the app puts a token in for ``${token}``.
URL_BASE = "https://app.example.com/password/change/${token}/"
#: That link in a mail, the token as its group.
LINK = re.compile(r"https://app\.example\.com/password/change/([A-Za-z0-9_-]+)/")

#: Dataset permission flags as the API shows them.
FULL = {"view": True, "edit": True, "change_permissions": True}
EDIT = {"view": True, "edit": True, "change_permissions": False}
VIEW = {"view": True, "edit": False, "change_permissions": False}
NONE = {"view": False, "edit": False, "change_permissions": False}


def id_of(url):
    """The last path segment of an entity URL: its id."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def read(testapp, url, headers):
    """GET a document that must be there (200)."""
    return testapp.get(url, headers=headers, status=200).json


def create_dataset(testapp, headers, name="Survey", **fields):
    """POST a wrapped dataset entity; returns its URL."""
    body = {"element": "shoji:entity", "body": {"name": name, **fields}}
    return testapp.post_json("/api/datasets/", body, headers=headers, status=201).location


def create_team(testapp, headers, name="Team"):
    """POST a bare team body; returns its URL."""
    return testapp.post_json("/api/teams/", {"name": name}, headers=headers, status=201).location


def cookie_login(testapp, email, password=PASSWORD, **kw):
    """Log in as a browser does: a session cookie, no token."""
    return testapp.post_json(LOGIN, {"email": email, "password": password}, **kw)


def assert_error(res, status, field=None):
    """``res`` is our JSON error envelope with ``status`` (naming ``field``)."""
    assert res.status_int == status
    assert res.content_type == "application/json"
    assert res.json["element"] == "crunch:error" and res.json["message"]
    if field is not None:
        assert res.json["errors"][0]["name"] == field
