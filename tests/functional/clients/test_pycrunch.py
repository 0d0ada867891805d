"""The real ``pycrunch`` client against the real server over real HTTP.

waitress serves ``crunchusers.main(...)`` (FileStorage in ``tmp_path``) on a
free loopback port in a background thread; everything below goes through
pycrunch 0.5.9 exactly as an outside client would (see
``pycrunch-client.md``: attribute navigation GETs links, a 401 triggers a
login POST to ``urls.login_url``, errors expose ``.message``).
"""

import uuid
import warnings

import pycrunch
import pytest
import requests
from pycrunch import shoji
from pycrunch import users as pycrunch_users
from pycrunch.elements import UnsafeElementSession

from tests.factories import SUPERUSER_EMAIL, SUPERUSER_PASSWORD

#: pycrunch.connect() itself warns about the user/password form; nothing else
#: (in particular nothing about content types or parsing) may warn.
CONNECT_DEPRECATION = "username and password will be removed"

pytestmark = pytest.mark.filterwarnings(
    "ignore:Connecting to Crunch API services with a username:DeprecationWarning"
)


@pytest.fixture
def sessions():
    """Close every requests session a test opened (they hold keep-alive sockets)."""
    opened = []
    yield opened
    for sess in opened:
        sess.close()


def password_connect(site_url, sessions, email=SUPERUSER_EMAIL, password=SUPERUSER_PASSWORD):
    site = pycrunch.connect(email, password, site_url)
    sessions.append(site.session)
    return site


def unexpected(recorded):
    return [
        w
        for w in recorded
        if not (
            issubclass(w.category, DeprecationWarning) and CONNECT_DEPRECATION in str(w.message)
        )
    ]


def test_password_connect_returns_the_root_catalog(server, sessions):
    with warnings.catch_warnings(record=True) as recorded:
        warnings.simplefilter("always")
        site = password_connect(server, sessions)

        assert isinstance(site, shoji.Catalog)
        assert site.element == "shoji:catalog"
        assert site.self == server
        assert pycrunch.session is site

        me = site.user_url  # urls.user_url, GET on attribute access
        assert isinstance(me, shoji.Entity)
        assert me.element == "shoji:entity"
        assert me.self == site.urls.user_url == site.views.user
        assert me.body.email == SUPERUSER_EMAIL

        assert site.user.body.email == SUPERUSER_EMAIL  # views.user
        followed = site.follow("user")
        assert isinstance(followed, shoji.Entity)
        assert followed.body.email == SUPERUSER_EMAIL
        assert me.refresh().body.email == SUPERUSER_EMAIL

    messages = [str(w.message).lower() for w in recorded]
    assert not [m for m in messages if "content" in m or "pars" in m or "json" in m], messages
    assert unexpected(recorded) == [], [str(w.message) for w in unexpected(recorded)]
    # The expected one did fire: this is the user/password form.
    assert any(CONNECT_DEPRECATION in m for m in messages)


def test_password_login_keeps_the_session_cookie(server, sessions):
    site = password_connect(server, sessions)
    assert site.session.cookies.get("token")
    response = site.session.get(server)
    assert response.status_code == 200
    assert response.history == []  # no second login
    assert response.headers["Content-Type"].startswith("application/json")
    assert isinstance(response.payload, shoji.Catalog)


@pytest.mark.parametrize(
    "email, password",
    [(SUPERUSER_EMAIL, "wrong-password"), ("nobody@example.com", SUPERUSER_PASSWORD)],
)
def test_bad_credentials_raise_value_error_not_recursion(server, email, password):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(ValueError, match=r"^Log in was not successful\.$"):
            pycrunch.connect(email, password, server)


def test_token_login_then_bearer_connect(server, sessions):
    response = requests.post(
        server + "public/login/",
        json={"email": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD, "token": True},
        timeout=10,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    token = body["access_token"]

    with warnings.catch_warnings(record=True) as recorded:
        warnings.simplefilter("always")
        site = pycrunch.connect(api_key=token, site_url=server, session_class=UnsafeElementSession)
        sessions.append(site.session)

        assert isinstance(site, shoji.Catalog)
        assert site.self == server
        assert site.user_url.body.email == SUPERUSER_EMAIL

        again = site.session.get(server)
        assert again.request.headers["Authorization"] == f"Bearer {token}"
        assert again.history == []
    # No user/password form here, so no warning at all.
    assert [str(w.message) for w in recorded] == []


def test_pycrunch_unsafe_session_alias_is_the_bearer_session():
    assert pycrunch.UnsafeSession is UnsafeElementSession


def test_unknown_user_is_client_error_with_message(server, sessions):
    site = password_connect(server, sessions)
    missing = f"{server}users/{uuid.uuid4().hex}/"

    with pytest.raises(pycrunch.ClientError) as info:
        site.session.get(missing)

    error = info.value
    assert error.status_code == 404
    assert error.message == "Not found."
    response, url, payload = error.args
    assert url == missing
    assert response.headers["Content-Type"].startswith("application/json")
    assert isinstance(payload, pycrunch.CrunchError)
    assert payload.element == "crunch:error"


def test_pycrunch_account_and_sharing_recipe(server, sessions, verify):
    """pycrunch's own documented recipe: invite through the account, then
    share a dataset through ``site.user_url.account_url.users`` and the
    dataset's ``permissions`` catalog."""
    root = password_connect(server, sessions)
    root.accounts.create(
        {
            "body": {
                "name": "Acme",
                "owner": {"email": "owner@acme.test", "password": "blue garden gate 1"},
            }
        }
    )
    verify("owner@acme.test")
    site = password_connect(server, sessions, "owner@acme.test", "blue garden gate 1")
    account = site.user_url.account_url
    assert account.body.name == "Acme"
    new_url = pycrunch_users.invite(
        account,
        "bill@acme.test",
        send_invite=False,
        account_permissions={"alter_users": False, "create_datasets": False},
    )
    assert new_url.startswith(server + "users/")

    dataset = site.datasets.create(shoji.Entity(site.session, body={"name": "Survey"}))
    dataset.refresh()
    assert dataset.body.name == "Survey"

    account_users = site.user_url.account_url.users
    bill = account_users.by("email")["bill@acme.test"]
    assert bill.dataset_permissions["view"] is True
    dataset.permissions.edit(bill.entity_url, dataset_permissions={"view": True, "edit": True})
    grants = dataset.permissions.index
    assert grants[bill.entity_url].dataset_permissions["edit"] is True

    dataset.permissions.drop(bill.entity_url)
    assert bill.entity_url not in dataset.permissions.index


def test_api_token_connect_and_revoke(server, sessions, api_token):
    """A JWT API token from ``/api/apikeys/`` is what ``api_key=`` takes;
    deleting it stops it on the next request."""
    created = api_token()
    token = created.json()["body"]["key"]
    assert token.count(".") == 2

    site = pycrunch.connect(api_key=token, site_url=server, session_class=UnsafeElementSession)
    sessions.append(site.session)
    assert site.user_url.body.email == SUPERUSER_EMAIL
    site.session.delete(created.headers["Location"])
    assert site.session.get(server, allow_redirects=False).status_code == 401
