"""Issue 7 item 1: mailed links are built from configuration, never from the
request (``url_base`` pointing elsewhere, a forged ``Host``).

The suite's settings (tests/conftest.py) have ``crunchusers.public_url =
http://localhost`` and ``crunchusers.link_origins = https://app.example.com``.
"""

import re

import pytest
from pyramid.exceptions import ConfigurationError
from webtest import TestApp

from crunchusers import main
from crunchusers.infra.origins import is_loopback, origin_of
from crunchusers.infra.outbox import OUTBOX_KEY
from crunchusers.infra.settings import Config
from crunchusers.infra.storage import get_db
from tests.conftest import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, delivering
from tests.factories import Factory

RESET = "/api/public/password_reset/"
FOREIGN = [
    "https://attacker.example/?t=${token}",
    "javascript:alert('${token}')",
    "data:text/html,<a href='${token}'>",
    "//attacker.example/${token}",
    "https://app.example.com.attacker.example/${token}",
    "https://app.example.com@attacker.example/${token}",
    "http://app.example.com/${token}",  # the allowed origin is https
    "https://app.example.com:8443/${token}",
    "https://attacker.example\\@app.example.com/${token}",
    " https://attacker.example/${token}",
]


def body(message):
    return message.text


def links_in(message):
    return re.findall(r"\S+://\S+", body(message))


def error_field(res):
    return res.json["errors"][0]["name"]


def queued(registry) -> int:
    """How many envelopes wait in the outbox."""
    conn = get_db(registry).open()
    try:
        return len(conn.root()[OUTBOX_KEY].keys())
    finally:
        conn.close()


@pytest.fixture
def acme(factory):
    account_id, owner_id = factory.account(name="Acme")
    member = factory.user(account_id, roles=("editor",))
    return {
        "account": account_id,
        "owner": factory.login(owner_id),
        "member_id": member,
        "member_email": factory.email_of(member),
    }


# -- password reset -----------------------------------------------------------


@pytest.mark.parametrize("url_base", FOREIGN)
@pytest.mark.parametrize("known", [True, False], ids=["known", "unknown"])
def test_item07_01_reset_link_to_a_foreign_origin_is_refused(
    testapp, app, acme, inbox, url_base, known
):
    email = acme["member_email"] if known else "nobody@example.com"
    res = testapp.post_json(RESET, {"email": email, "url_base": url_base}, status=400)
    assert error_field(res) == "url_base"
    assert queued(app.registry) == 0
    assert inbox.messages == []


def test_item07_01_forged_host_does_not_reach_the_reset_link(testapp, acme, inbox):
    testapp.post_json(
        RESET,
        {"email": acme["member_email"]},
        headers={"Host": "attacker.example"},
        status=204,
    )
    (link,) = links_in(inbox.wait_for(1)[0])
    assert link.startswith("http://localhost/password/change/")


def test_item07_01_relative_url_base_resolves_against_public_url(settings, inbox):
    app = main({}, **{**settings, "crunchusers.public_url": "https://crunch.example.com/app/"})
    testapp = TestApp(delivering(app))
    factory = Factory(app, testapp)
    account_id, _ = factory.account()
    email = factory.email_of(factory.user(account_id))
    for url_base in ("/reset/${token}/", "reset?token=${token}"):
        testapp.post_json(
            RESET,
            {"email": email, "url_base": url_base},
            headers={"Host": "attacker.example"},
            status=204,
        )
    first, second = (links_in(m)[0] for m in inbox.wait_for(2))
    assert first.startswith("https://crunch.example.com/reset/")
    assert second.startswith("https://crunch.example.com/app/reset?token=")


def test_item07_01_link_origins_may_be_written_in_any_case_and_with_default_port(
    testapp, acme, inbox
):
    url_base = "HTTPS://App.Example.COM:443/set/${token}"
    testapp.post_json(RESET, {"email": acme["member_email"], "url_base": url_base}, status=204)
    (link,) = links_in(inbox.wait_for(1)[0])
    assert link.startswith("HTTPS://App.Example.COM:443/set/")


# -- every other mailed link --------------------------------------------------


def invite_new_user(testapp, acme, url_base, factory):
    return testapp.post_json(
        "/api/account/users/",
        {"email": "new@example.com", "url_base": url_base},
        headers=acme["owner"],
        status="*",
    )


def reinvite(testapp, acme, url_base, factory):
    pending = factory.user(acme["account"], status="pending", password=None)
    return testapp.post_json(
        factory.user_url(pending) + "invite/",
        {"url_base": url_base},
        headers=acme["owner"],
        status="*",
    )


def resend_in_catalog(testapp, acme, url_base, factory):
    pending = factory.user(acme["account"], status="pending", password=None)
    return testapp.patch_json(
        f"/api/accounts/{acme['account']}/users/",
        {factory.user_url(pending): {"resend_email": True}, "url_base": url_base},
        headers=acme["owner"],
        status="*",
    )


def new_account(testapp, acme, url_base, factory):
    res = testapp.post_json(
        "/api/public/login/",
        {"email": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD, "token": True},
    )
    return testapp.post_json(
        "/api/accounts/",
        {"name": "Newco", "owner": {"email": "boss@newco.test"}, "url_base": url_base},
        headers={"Authorization": f"Bearer {res.json['access_token']}"},
        status="*",
    )


def team_invitation(testapp, acme, url_base, factory):
    team = testapp.post_json("/api/teams/", {"name": "T"}, headers=acme["owner"]).location
    return testapp.patch_json(
        team + "members/",
        {"someone@example.com": {}, "url_base": url_base},
        headers=acme["owner"],
        status="*",
    )


def dataset_notification(testapp, acme, url_base, factory):
    body = {"element": "shoji:entity", "body": {"name": "Survey"}}
    dataset = testapp.post_json("/api/datasets/", body, headers=acme["owner"]).location
    return testapp.patch_json(
        dataset + "permissions/",
        {
            acme["member_email"]: {"dataset_permissions": {"view": True}},
            "send_notification": True,
            "dataset_url": url_base.replace("${token}", "ds"),
        },
        headers=acme["owner"],
        status="*",
    )


MAILED_LINKS = {
    "invitation": (invite_new_user, "url_base"),
    "re-invitation": (reinvite, "url_base"),
    "catalog-resend": (resend_in_catalog, "url_base"),
    "new-account": (new_account, "url_base"),
    "team-invitation": (team_invitation, "url_base"),
    "dataset-shared": (dataset_notification, "dataset_url"),
}


@pytest.mark.parametrize("door", MAILED_LINKS)
def test_item07_01_every_mailed_link_must_point_at_an_allowed_origin(
    testapp, app, acme, factory, inbox, door
):
    send, field = MAILED_LINKS[door]
    for url_base in ("https://attacker.example/${token}", "javascript:x('${token}')"):
        res = send(testapp, acme, url_base, factory)
        assert res.status_int == 400, res
        assert error_field(res) == field
    assert queued(app.registry) == 0 and inbox.messages == []

    res = send(testapp, acme, "https://app.example.com/welcome/${token}/", factory)
    assert res.status_int in (201, 204), res
    assert links_in(inbox.wait_for(1)[-1])[-1].startswith("https://app.example.com/welcome/")


# -- neither public_url nor link_origins --------------------------------------


@pytest.fixture
def bare(settings):
    """An app configured with neither ``public_url`` nor ``link_origins``."""
    del settings["crunchusers.public_url"], settings["crunchusers.link_origins"]
    app = main({}, **settings)
    testapp = TestApp(delivering(app))
    factory = Factory(app, testapp)
    account_id, owner_id = factory.account()
    email = factory.email_of(factory.user(account_id))
    return testapp, factory.login(owner_id), email


@pytest.mark.parametrize(
    "host,origin",
    [
        ("localhost:6543", "http://localhost:6543"),
        ("127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("[::1]:8080", "http://[::1]:8080"),
    ],
)
def test_item07_01_without_public_url_loopback_hosts_still_get_links(bare, inbox, host, origin):
    testapp, owner, email = bare
    testapp.post_json(RESET, {"email": email}, headers={"Host": host}, status=204)
    (link,) = links_in(inbox.wait_for(1)[0])
    assert link.startswith(f"{origin}/password/change/")


@pytest.mark.parametrize("known", [True, False], ids=["known", "unknown"])
def test_item07_01_without_public_url_other_hosts_get_400(bare, inbox, known):
    testapp, owner, email = bare
    host = {"Host": "crunch.example.com"}
    res = testapp.post_json(
        RESET, {"email": email if known else "x@example.com"}, headers=host, status=400
    )
    assert error_field(res) == "url_base"
    res = testapp.post_json(
        "/api/account/users/", {"email": "n@example.com"}, headers={**owner, **host}, status=400
    )
    assert error_field(res) == "url_base"
    assert inbox.messages == []


# -- settings -----------------------------------------------------------------


@pytest.mark.parametrize(
    "setting,value",
    [
        ("public_url", "javascript:alert(1)"),
        ("public_url", "//crunch.example.com"),
        ("link_origins", "https://app.example.com/with/a/path"),
        ("link_origins", "app.example.com"),
        ("default_url_base", "/password/change/"),
        ("default_url_base", "ftp://files.example.com/${token}"),
    ],
)
def test_item07_01_bad_link_settings_stop_the_server_starting(settings, setting, value):
    with pytest.raises(ConfigurationError, match=setting):
        main({}, **{**settings, f"crunchusers.{setting}": value})


def test_item07_01_allowed_origins_are_normalized_for_the_origin_check():
    config = Config.from_settings(
        {
            "crunchusers.public_url": "https://Crunch.Example.com:443/app/",
            "crunchusers.link_origins": "https://app.example.com:8443\n http://LOCALHOST:3000/",
        }
    )
    assert config.allowed_origins == (
        "https://crunch.example.com",
        "https://app.example.com:8443",
        "http://localhost:3000",
    )
    assert Config.from_settings({}).allowed_origins == ()
    legacy = Config.from_settings({"crunchusers.default_url_base": "https://x.test/p/${token}"})
    assert legacy.public_url == "https://x.test" and legacy.allowed_origins == ("https://x.test",)


@pytest.mark.parametrize(
    "url,origin",
    [
        ("https://a.example/x?y#z", "https://a.example"),
        ("HTTP://A.example:80", "http://a.example"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
        ("https://a.example:99999/", None),
        ("https://user@a.example/", None),
        ("javascript:alert(1)", None),
        ("//a.example/", None),
        ("/relative", None),
        ("https://a.example\\@b.example/", None),
        (None, None),
    ],
)
def test_item07_01_origin_of(url, origin):
    assert origin_of(url) == origin


def test_item07_01_loopback_origins():
    assert is_loopback("http://localhost:6543") and is_loopback("http://127.0.0.2")
    assert is_loopback("http://[::1]") and is_loopback("http://app.localhost")
    assert not is_loopback("http://localhost.attacker.example")
    assert not is_loopback("http://10.0.0.1") and not is_loopback(None)


def test_item07_01_shipped_ini_files_configure_public_url():
    from pyramid.paster import get_appsettings

    from tests.test_config import DEVELOPMENT_INI, PRODUCTION_INI

    development = Config.from_settings(get_appsettings(str(DEVELOPMENT_INI)))
    production = Config.from_settings(get_appsettings(str(PRODUCTION_INI)))
    assert development.allowed_origins == ("http://localhost:6543",)
    assert production.allowed_origins == ("https://crunchusers.example.com",)
    assert production.default_url_base == "/password/change/${token}/"
