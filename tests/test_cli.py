"""The ``crunchusers`` command against development.ini (its storage and mail
directory moved into a temporary directory)."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from crunchusers import cli
from crunchusers.domain.federation import sign_in

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def ini(tmp_path):
    path = tmp_path / "cli.ini"
    path.write_text(
        "[app:main]\n"
        f"use = config:{ROOT / 'development.ini'}\n"
        f"zodbconn.uri = file://{tmp_path}/Data.fs\n"
        f"crunchusers.mail_directory = {tmp_path}/mail\n"
        "crunchusers.argon2.time_cost = 1\n"
        "crunchusers.argon2.memory_cost = 1024\n"
        "crunchusers.argon2.parallelism = 1\n"
    )
    return str(path)


def run(ini, *args):
    out = io.StringIO()
    code = cli.main([ini, *args], out=out)
    return code, out.getvalue()


def mails(ini):
    return sorted((Path(ini).parent / "mail").glob("*.eml"))


def test_create_account_then_show_and_list(ini):
    code, out = run(
        ini,
        "create-account",
        "--name",
        "Acme",
        "--owner-email",
        "o@acme.test",
        "--owner-name",
        "Olive",
    )
    assert code == 0 and "created" in out
    assert len(mails(ini)) == 1  # the owner's invitation
    assert "o@acme.test" in mails(ini)[0].read_text()

    code, out = run(ini, "show-user", "O@ACME.TEST")
    user = json.loads(out)
    assert code == 0
    assert user["status"] == "pending" and user["roles"] == ["administrator"]
    assert user["account"] == "Acme"

    code, out = run(ini, "list-users", "Acme")
    assert code == 0 and "o@acme.test" in out and "pending" in out


def test_configure_user_changes_status_and_roles_and_mails(ini):
    run(ini, "create-account", "--name", "Acme", "--owner-email", "o@acme.test")
    code, out = run(
        ini,
        "configure-user",
        "o@acme.test",
        "--status",
        "active",
        "--roles",
        "editor",
        "--name",
        "Olive Owner",
    )
    assert code == 0
    user = json.loads(out)
    assert (user["status"], user["roles"], user["name"]) == ("active", ["editor"], "Olive Owner")
    subjects = [m.read_text() for m in mails(ini)]
    assert any("status changed" in s for s in subjects)
    assert any("roles changed" in s for s in subjects)


@pytest.mark.parametrize(
    "args,needle",
    [
        (["show-user", "nobody@x.test"], "No user"),
        (["configure-user", "root-less@x.test", "--status", "active"], "No user"),
        (["configure-user", "demo@example.com", "--status", "sleeping"], "status"),
        (["configure-user", "demo@example.com", "--roles", "wizard"], "Unknown role"),
        (["configure-user", "demo@example.com"], "Nothing to change"),
        (["list-users", "no such account"], "No single account"),
        (["create-account", "--name", "A\r\nB", "--owner-email", "o@a.test"], "control"),
        (["create-account", "--name", "A", "--owner-email", "o@a"], "dotted domain"),
    ],
)
def test_errors_exit_non_zero_with_a_message(ini, capsys, args, needle):
    code, _ = run(ini, *args)
    assert code == 1
    assert needle in capsys.readouterr().err


def test_passwd_prompts_and_sets_a_working_password(ini, monkeypatch):
    answers = iter(["a brand new secret", "a brand new secret"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))
    code, out = run(ini, "passwd", "demo@example.com")
    assert code == 0 and "password changed" in out

    from pyramid.paster import get_app

    from crunchusers.infra.passwords import verify_password
    from crunchusers.infra.storage import ROOT_KEY, get_db

    app = get_app(ini)
    db = get_db(app.registry)
    conn = db.open()
    stored = conn.root()[ROOT_KEY].users.find_by_email("demo@example.com").password_hash
    conn.close()
    db.close()
    assert verify_password(app.registry, stored, "a brand new secret")


def test_passwd_mismatch_and_policy(ini, monkeypatch, capsys):
    answers = iter(["first one here", "second one", "short", "short"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))
    assert run(ini, "passwd", "demo@example.com")[0] == 1
    assert "do not match" in capsys.readouterr().err
    assert run(ini, "passwd", "demo@example.com")[0] == 1
    assert "at least" in capsys.readouterr().err


def test_console_script_is_installed(ini):
    exe = Path(sys.executable).parent / "crunchusers"
    result = subprocess.run(
        [str(exe), ini, "show-user", "demo@example.com"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["email"] == "demo@example.com"


def test_the_cli_sets_no_password_for_an_oauth_user(ini, monkeypatch, capsys):
    from pyramid.paster import get_app

    from crunchusers.infra.storage import ROOT_KEY, get_db

    app = get_app(ini)
    db = get_db(app.registry)
    conn = db.open()
    with conn.transaction_manager:
        root = conn.root()[ROOT_KEY]
        user = root.users.find_by_email("demo@example.com")
        user.status = "pending"
        sign_in(root, "google", "sub-demo", "demo@example.com")
    conn.close()
    db.close()
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: pytest.fail("prompted"))
    assert run(ini, "passwd", "demo@example.com")[0] == 1
    assert "signs in with google and has no password" in capsys.readouterr().err
