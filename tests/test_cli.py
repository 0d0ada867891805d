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
        (["configure-user", "demo@example.com", "--roles", "wizard"], "Unknown role"),
        (["configure-user", "demo@example.com"], "Nothing to change"),
        (["reset-second-factor", "nobody@x.test"], "No user"),
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


# -- passwords at the command line: the same policy and the same side effects ---------


def answer(monkeypatch, *passwords):
    """Type each password twice at the prompts."""
    answers = iter([p for password in passwords for p in (password, password)])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))


def with_database(ini, change):
    """``change(api_root)`` committed against the command's database."""
    import transaction
    from pyramid.paster import get_app

    from crunchusers.infra.storage import ROOT_KEY, get_db

    app = get_app(ini)
    db = get_db(app.registry)
    manager = transaction.TransactionManager(explicit=True)
    conn = db.open(transaction_manager=manager)
    try:
        with manager:
            return change(app.registry, conn.root()[ROOT_KEY])
    finally:
        conn.close()
        db.close()


@pytest.mark.parametrize(
    "password,rule",
    [("qwerty123456", "common"), ("short", "min_length"), ("demo all day long", "personal")],
)
def test_passwd_applies_the_password_policy(ini, monkeypatch, capsys, password, rule):
    answer(monkeypatch, password)
    assert run(ini, "passwd", "demo@example.com")[0] == 1
    err = capsys.readouterr().err
    assert f"(password rule: {rule})" in err


def test_passwd_ends_sessions_and_api_keys_kills_links_and_mails(ini, monkeypatch):
    from datetime import timedelta

    def start(registry, api_root):
        user = api_root.users.find_by_email("demo@example.com")
        now = registry.crunchusers_clock.now()
        api_root.sessions.start(user, now, timedelta(hours=1))
        api_root.sessions.start(user, now, timedelta(days=9), kind="apikey", signing_key="k" * 32)
        api_root.link_tokens.issue(user, "password_reset", now, timedelta(hours=24))
        return len(mails(ini))

    before = with_database(ini, start)
    answer(monkeypatch, "a brand new secret")
    assert run(ini, "passwd", "demo@example.com")[0] == 0

    def left(registry, api_root):
        user = api_root.users.find_by_email("demo@example.com")
        return len(user.session_hashes), len(api_root.link_tokens.by_user)

    assert with_database(ini, left) == (0, 0)
    assert len(mails(ini)) == before + 1
    assert "Your password was changed" in mails(ini)[-1].read_text()


def test_create_account_with_a_password_activates_the_owner_who_must_verify(
    ini, monkeypatch, capsys
):
    args = ("create-account", "--name", "Acme", "--owner-email", "olga@acme.test", "--password")
    answer(monkeypatch, "olga and her bikes")
    assert run(ini, *args)[0] == 1
    assert "(password rule: personal)" in capsys.readouterr().err
    answer(monkeypatch, "quiet lantern orbit")
    code, out = run(ini, *args)
    assert code == 0 and "active" in out
    (mail,) = mails(ini)  # no invitation: a link verifying the address
    text = mail.read_text()
    assert "Verify your email address" in text and "/email/verify/" in text
    code, out = run(ini, "show-user", "olga@acme.test")
    user = json.loads(out)
    assert (user["status"], user["email_verified"]) == ("active", False)


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


def test_help_lists_the_fixed_values_and_refuses_others(ini, capsys):
    with pytest.raises(SystemExit) as shown:
        cli.main([ini, "configure-user", "--help"])
    assert shown.value.code == 0
    assert "{pending,active,locked,inactive,deleted}" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        run(ini, "configure-user", "demo@example.com", "--status", "sleeping")
    assert refused.value.code == 2
    assert "invalid choice: 'sleeping'" in capsys.readouterr().err


def test_purge_sessions_removes_only_ended_credentials(ini):
    """Against the real clock: one expired session, one live."""
    from datetime import UTC, datetime, timedelta

    import transaction
    from pyramid.paster import get_app

    from crunchusers.infra.storage import ROOT_KEY, get_db

    app = get_app(ini)
    db = get_db(app.registry)
    conn = db.open()
    api = conn.root()[ROOT_KEY]
    user = api.users.find_by_email("demo@example.com")
    now = datetime.now(UTC)
    api.credentials.start(user, now - timedelta(days=2), timedelta(days=1))
    live = api.credentials.start(user, now, timedelta(days=1))
    transaction.commit()
    conn.close()
    db.close()

    code, out = run(ini, "purge-sessions")
    assert code == 0 and "purged 1 " in out
    app = get_app(ini)
    db = get_db(app.registry)
    conn = db.open()
    api = conn.root()[ROOT_KEY]
    assert api.credentials.lookup(live, datetime.now(UTC)) is not None
    assert len(api.credentials.data) == 1
    conn.close()
    db.close()
    assert run(ini, "purge-sessions")[1].startswith("purged 0 ")


# -- second factors: the operator's reset ------------------------------------------


def test_reset_second_factor_removes_every_factor_and_mails_the_user(ini):
    import pyotp

    from crunchusers.domain import second_factor as mfa

    def protect(registry, api_root):
        user = api_root.users.find_by_email("demo@example.com")
        now = registry.crunchusers_clock.now()
        mfa.set_email(user, True)
        mfa.confirm_totp(user, pyotp.TOTP(mfa.enrol_totp(user)).at(now), now)
        return len(mails(ini))

    before = with_database(ini, protect)
    state = json.loads(run(ini, "show-user", "demo@example.com")[1])["second_factor"]
    assert state["methods"] == ["totp", "recovery_code", "email"]
    code, out = run(ini, "reset-second-factor", "DEMO@example.com")
    assert code == 0 and "second factor reset for demo@example.com" in out
    state = json.loads(run(ini, "show-user", "demo@example.com")[1])["second_factor"]
    assert state["methods"] == [] and not state["email"] and not state["totp"]
    assert len(mails(ini)) == before + 1
    assert "Your second factor was reset" in mails(ini)[-1].read_text()
    code, out = run(ini, "reset-second-factor", "demo@example.com")
    assert code == 0 and "nothing changed" in out and len(mails(ini)) == before + 1
