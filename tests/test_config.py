"""The shipped ini files parse with PasteDeploy and build a working app.

Every app here runs against ``memory://`` (the ini's database is overridden),
and nothing is written under the project's ``var/``.
"""

from pathlib import Path

import pytest
from paste.deploy import loadserver
from pyramid.paster import get_app, get_appsettings
from pyramid_mailer import get_mailer
from pyramid_mailer.mailer import DebugMailer, Mailer
from webtest import TestApp

from crunchusers import main
from crunchusers.infra.settings import get_config
from crunchusers.infra.startup import StartupError
from tests.conftest import FAST_ARGON2

ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_INI = ROOT / "development.ini"
PRODUCTION_INI = ROOT / "production.ini"


def build(ini: Path, **overrides):
    """The app from ``ini``'s settings with ``overrides`` (memory:// by default)."""
    settings = dict(get_appsettings(str(ini)))
    settings.update({"zodbconn.uri": "memory://", **FAST_ARGON2, **overrides})
    return main({"__file__": str(ini), "here": str(ini.parent)}, **settings)


def token_login(testapp, email, password, status=200):
    return testapp.post_json(
        "/api/public/login/",
        {"email": email, "password": password, "token": True},
        status=status,
    )


# --- development.ini ---------------------------------------------------------


def test_development_ini_parses_with_demo_superuser_and_mail_directory():
    settings = get_appsettings(str(DEVELOPMENT_INI))
    assert settings["crunchusers.superuser_email"] == "demo@example.com"
    assert settings["crunchusers.superuser_password"] == "demo-password-1"
    assert settings["crunchusers.mail_directory"] == str(ROOT / "var" / "mail")
    assert settings["zodbconn.uri"].startswith(f"file://{ROOT / 'var' / 'Data.fs'}")


def test_development_app_builds_and_demo_superuser_logs_in(tmp_path):
    mail_dir = tmp_path / "mail"
    app = build(DEVELOPMENT_INI, **{"crunchusers.mail_directory": str(mail_dir)})
    mailer = get_mailer(app.registry)
    assert isinstance(mailer, DebugMailer)
    assert mailer.tld == str(mail_dir)

    testapp = TestApp(app)
    testapp.get("/api/", status=401)
    token = token_login(testapp, "demo@example.com", "demo-password-1").json["access_token"]
    res = testapp.get("/api/", headers={"Authorization": f"Bearer {token}"}, status=200)
    assert res.json["element"] == "shoji:catalog"


def test_development_server_section_loads():
    assert callable(loadserver(f"config:{DEVELOPMENT_INI}"))


# --- production.ini ----------------------------------------------------------


def test_production_ini_parses():
    settings = get_appsettings(str(PRODUCTION_INI))
    assert settings["zodbconn.uri"] == f"zconfig://{ROOT}/deploy/relstorage.conf"
    assert settings["crunchusers.superuser_email"] == "admin@example.com"
    # The password comes from the environment, never the file.
    assert "crunchusers.superuser_password" not in settings
    assert "crunchusers.mail_directory" not in settings
    assert settings["crunchusers.secure_cookies"] == "true"
    assert settings["mail.host"] and settings["mail.default_sender"]


def test_production_app_builds_with_smtp_mailer_and_secure_cookies(monkeypatch):
    monkeypatch.setenv("CRUNCHUSERS_SUPERUSER_PASSWORD", "from-the-environment-1")
    app = build(PRODUCTION_INI, **{"mail.host": "127.0.0.1", "mail.port": "2525"})
    config = get_config(app.registry)
    assert config.secure_cookies is True
    mailer = get_mailer(app.registry)
    assert isinstance(mailer, Mailer)
    assert mailer.smtp_mailer.hostname == "127.0.0.1"
    assert mailer.smtp_mailer.port == 2525

    testapp = TestApp(app)
    res = testapp.get("/api/", status=401)
    assert res.content_type == "application/json"


def test_production_without_superuser_password_refuses_to_start(monkeypatch):
    monkeypatch.delenv("CRUNCHUSERS_SUPERUSER_PASSWORD", raising=False)
    with pytest.raises(StartupError, match="no password for the superuser admin@example.com"):
        build(PRODUCTION_INI, **{"mail.host": "127.0.0.1", "mail.port": "2525"})


def test_production_superuser_password_from_environment(monkeypatch):
    monkeypatch.setenv("CRUNCHUSERS_SUPERUSER_PASSWORD", "from-the-environment-1")
    testapp = TestApp(build(PRODUCTION_INI))
    token = token_login(testapp, "admin@example.com", "from-the-environment-1").json[
        "access_token"
    ]
    testapp.get("/api/", headers={"Authorization": f"Bearer {token}"}, status=200)


def test_production_server_section_loads():
    assert callable(loadserver(f"config:{PRODUCTION_INI}"))


# --- the smallest configuration ----------------------------------------------


def test_main_with_only_database_and_superuser_email():
    app = main(
        {},
        **{
            "zodbconn.uri": "memory://",
            "crunchusers.superuser_email": "admin@example.com",
            "crunchusers.superuser_password": "a-long-password-1",
        },
    )
    res = TestApp(app).get("/api/", status=401)
    assert res.content_type == "application/json"
    assert res.json["urls"]["login_url"] == "http://localhost/api/public/login/"


@pytest.fixture
def minimal_ini(tmp_path):
    path = tmp_path / "minimal.ini"
    path.write_text(
        "[app:main]\n"
        "use = egg:crunchusers\n"
        "zodbconn.uri = memory://\n"
        "crunchusers.superuser_email = admin@example.com\n"
        "crunchusers.superuser_password = a-long-password-1\n"
    )
    return path


def test_minimal_ini_runs(minimal_ini):
    assert set(get_appsettings(str(minimal_ini))) == {
        "zodbconn.uri",
        "crunchusers.superuser_email",
        "crunchusers.superuser_password",
    }
    res = TestApp(get_app(str(minimal_ini))).get("/api/", status=401)
    assert res.json["element"] == "crunch:error"
    assert "login_url" in res.json["urls"]
