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


# -- passwords and mailed links -------------------------------------------------

#: The one answer to every unusable link token.
INVALID_LINK = "This link is invalid or has expired."
#: A password every default policy accepts (and nobody's name or email).
NEW_PASSWORD = "a brand new secret"
RESET = "/api/public/password_reset/"
PASSWORD_CHANGE = "/api/public/password_change/"


def url_base(page: str) -> str:
    """The link template of a page of the test web app (``email/verify``)."""
    return URL_BASE.replace("password/change", page)


def token_from(message, page="password/change"):
    """The token of the link to ``page`` (``URL_BASE``'s by default) in a
    received mail."""
    link = re.compile(LINK.pattern.replace("password/change", page))
    match = link.search(message.text)
    assert match, message.text
    return match.group(1)


def set_password(testapp, token, password=NEW_PASSWORD, status=204):
    """Use a mailed token as the page behind the link does."""
    return testapp.post_json(
        PASSWORD_CHANGE, {"token": token, "password": password}, status=status
    )


def request_reset(testapp, email, status=204):
    return testapp.post_json(RESET, {"email": email, "url_base": URL_BASE}, status=status)


def can_log_in(testapp, email, password=NEW_PASSWORD):
    res = testapp.post_json(LOGIN, {"email": email, "password": password}, status=(204, 401))
    return res.status_int == 204


def assert_invalid_link(res):
    assert res.json["message"] == INVALID_LINK
    assert res.json["errors"][0]["name"] == "token"


#: An API key expiry in the future of the tests' frozen clock (2026-01-01).
KEY_EXPIRES = "2026-03-01T00:00:00+00:00"


def new_key(name="k") -> dict:
    """The body creating an API key (``expires`` is required)."""
    return {"name": name, "expires": KEY_EXPIRES}
