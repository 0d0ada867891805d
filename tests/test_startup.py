"""What the server says at start, and its one-line refusals.

The refusals run the real commands (``pserve``, ``crunchusers``) in a
subprocess and check the exit status, the one line and that no traceback
is printed.
"""

import logging
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pyramid.paster import get_appsettings
from ZODB.FileStorage import FileStorage

from crunchusers import main
from crunchusers.infra.startup import StartupError
from crunchusers.server import with_port
from crunchusers.views.access_log import loggable_path
from tests.conftest import FAST_ARGON2
from tests.test_config import DEVELOPMENT_INI, PRODUCTION_INI, build

BIN = Path(sys.executable).parent


def write_ini(tmp_path, app_lines="", server_lines=""):
    path = tmp_path / "test.ini"
    path.write_text(
        "[app:main]\nuse = egg:crunchusers\n"
        f"zodbconn.uri = file://{tmp_path}/var/Data.fs\n"
        f"crunchusers.mail_directory = {tmp_path}/var/mail\n"
        "crunchusers.superuser_email = admin@example.com\n"
        f"{app_lines}\n"
        "[server:main]\nuse = egg:crunchusers#waitress\n"
        f"{server_lines}\n"
    )
    return path


def run(*command):
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stderr


def assert_one_line_refusal(code, stderr, words):
    assert code == 1
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("crunchusers: ") and words in last


# --- refusals ------------------------------------------------------------


def test_taken_port_is_one_line(tmp_path):
    """Also: ``pserve INI http_port=N`` reaches the server runner."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ini = write_ini(
            tmp_path,
            "crunchusers.superuser_password = a-long-password-1",
            "listen = 127.0.0.1:6543",
        )
        code, stderr = run(BIN / "pserve", str(ini), f"http_port={port}")
    assert_one_line_refusal(code, stderr, f"127.0.0.1:{port} is already in use")


def test_production_without_superuser_password_refuses_to_start(tmp_path):
    code, stderr = run(BIN / "pserve", str(write_ini(tmp_path)))
    assert_one_line_refusal(code, stderr, "CRUNCHUSERS_SUPERUSER_PASSWORD")
    assert "admin@example.com" in stderr


def test_cli_while_a_server_holds_the_file_storage(tmp_path):
    ini = write_ini(tmp_path, "crunchusers.superuser_password = a-long-password-1")
    (tmp_path / "var").mkdir()
    held = FileStorage(str(tmp_path / "var" / "Data.fs"))  # as a running server does
    try:
        code, stderr = run(BIN / "crunchusers", str(ini), "show-user", "admin@example.com")
    finally:
        held.close()
    assert_one_line_refusal(code, stderr, "Stop the server or use ZEO")


def test_storage_folder_is_created(tmp_path):
    uri = f"file://{tmp_path}/fresh/var/Data.fs?blobstorage_dir={tmp_path}/fresh/blobs"
    app = main({}, **{"zodbconn.uri": uri, **FAST_ARGON2})
    app.registry._zodb_databases[""].close()
    assert (tmp_path / "fresh" / "var" / "Data.fs").exists()
    assert (tmp_path / "fresh" / "blobs").is_dir()


def test_storage_folder_that_cannot_be_made(tmp_path):
    (tmp_path / "afile").write_text("not a folder")
    with pytest.raises(StartupError) as refused:
        main({}, **{"zodbconn.uri": f"file://{tmp_path}/afile/var/Data.fs"})
    assert (
        refused.value.code
        == f"crunchusers: cannot create the folder {tmp_path}/afile/var: Not a directory."
    )


def test_storage_file_that_cannot_be_opened(tmp_path):
    (tmp_path / "Data.fs").mkdir()  # root ignores permissions; a folder fails for all
    with pytest.raises(StartupError) as refused:
        main({}, **{"zodbconn.uri": f"file://{tmp_path}/Data.fs"})
    assert refused.value.code.startswith("crunchusers: cannot open the storage: ")
    assert str(tmp_path / "Data.fs") in refused.value.code


def test_superuser_that_exists_needs_no_password_again(tmp_path):
    uri = f"file://{tmp_path}/Data.fs"
    first = {"zodbconn.uri": uri, "crunchusers.superuser_email": "a@example.com", **FAST_ARGON2}
    main(
        {}, **first, **{"crunchusers.superuser_password": "a-long-password-1"}
    ).registry._zodb_databases[""].close()
    main({}, **first).registry._zodb_databases[""].close()  # no refusal on the second start


# --- what it says --------------------------------------------------------


def startup_block(caplog, ini, **overrides):
    with caplog.at_level(logging.INFO, logger="crunchusers.startup"):
        build(ini, **overrides)
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "crunchusers.startup")


def test_development_start_names_url_storage_mail_and_demo_login(caplog):
    block = startup_block(caplog, DEVELOPMENT_INI)
    assert "API:     http://localhost:6543/api/" in block
    assert "storage: in-memory storage" in block
    assert f"mail:    written as files to {DEVELOPMENT_INI.parent}/var/mail" in block
    assert "login:   demo@example.com / demo-password-1 (from development.ini)" in block


def test_http_port_moves_a_local_public_url(caplog):
    """``pserve development.ini http_port=8080``: the block and the mailed
    links name port 8080; a public host is left as it is."""
    from crunchusers.infra.settings import get_config
    from crunchusers.infra.startup import follow_http_port

    settings = {**dict(get_appsettings(str(DEVELOPMENT_INI))), "zodbconn.uri": "memory://"}
    with caplog.at_level(logging.INFO, logger="crunchusers.startup"):
        app = main({"__file__": str(DEVELOPMENT_INI), "http_port": "8080"}, **settings)
    assert "API:     http://localhost:8080/api/" in caplog.text
    assert get_config(app.registry).public_url.rstrip("/") == "http://localhost:8080"
    public = {"crunchusers.public_url": "https://users.example.com"}
    assert follow_http_port(public, {"http_port": "8080"}) == public
    assert follow_http_port(settings, {}) == settings


def test_production_start_never_shows_the_password(caplog, monkeypatch):
    monkeypatch.setenv("CRUNCHUSERS_SUPERUSER_PASSWORD", "from-the-environment-1")
    block = startup_block(caplog, PRODUCTION_INI, **{"mail.port": str(closed_port())})
    assert "API:     https://crunchusers.example.com/api/" in block
    assert "mail:    SMTP localhost:" in block
    assert "from-the-environment-1" not in caplog.text and "login:" not in block


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unreachable_smtp_server_is_one_warning(caplog):
    port = closed_port()
    with caplog.at_level(logging.WARNING, logger="crunchusers.startup"):
        main({}, **{"zodbconn.uri": "memory://", "mail.host": "127.0.0.1", "mail.port": str(port)})
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"SMTP server 127.0.0.1:{port} unreachable")


def test_storage_description_hides_the_database_password():
    from crunchusers.infra.startup import storage_description

    described = storage_description("postgres://u:secret@db.example:5432/users?x=1")
    assert described == "postgres db.example/users"


# --- the port and the access log ------------------------------------------


def test_http_port_replaces_the_listen_port():
    assert with_port({"listen": "localhost:6543"}, None) == {"listen": "localhost:6543"}
    assert with_port({"listen": "localhost:6543 [::1]:6543"}, "8080") == {
        "listen": "localhost:8080 [::1]:8080"
    }
    assert with_port({"host": "127.0.0.1", "port": "1"}, "8080") == {"listen": "127.0.0.1:8080"}


def test_access_log_line_without_query_or_token(caplog, testapp):
    token = "t" * 43
    with caplog.at_level(logging.INFO, logger="crunchusers.access"):
        testapp.get("/api/?token=the-secret", status=401)
        testapp.get(f"/password/change/{token}/", status="*")
    lines = [r.getMessage() for r in caplog.records if r.name == "crunchusers.access"]
    assert lines[0].startswith("GET /api/ 401 ") and lines[0].endswith("ms")
    assert lines[1].startswith("GET /password/change/…/ ")
    assert "the-secret" not in caplog.text and token not in caplog.text


def test_loggable_path_keeps_ids():
    some_id = "a" * 32
    environ = {"SCRIPT_NAME": "", "PATH_INFO": f"/api/users/{some_id}/"}
    assert loggable_path(environ) == f"/api/users/{some_id}/"


def test_access_log_is_off_at_production_level(caplog, testapp):
    with caplog.at_level(logging.WARNING, logger="crunchusers.access"):
        testapp.get("/api/", status=401)
    assert not [r for r in caplog.records if r.name == "crunchusers.access"]
