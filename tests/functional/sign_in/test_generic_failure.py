"""One answer for every failed login (ASVS 6.3.8): the same status, the same
body and the same work — exactly one password verification — whether the
name is unknown, the password wrong, or the user locked, inactive, pending,
made to reset their password or without a password (an OpenID user)."""

import pytest

from crunchusers.authz import login
from tests.factories import PASSWORD

from .helpers import WRONG, attempt


@pytest.fixture
def verifications(monkeypatch):
    """Every call of the login's password verification, as (hash, password)."""
    calls = []
    real = login.verify_password

    def counting(registry, password_hash, password):
        calls.append((password_hash, password))
        return real(registry, password_hash, password)

    monkeypatch.setattr(login, "verify_password", counting)
    return calls


def make(factory, acme, case) -> str:
    """The login name of a user in the state ``case``."""
    if case == "unknown":
        return "nobody@example.com"
    if case == "wrong_password":
        return acme.email("alice")
    if case in ("locked", "inactive", "pending"):
        return factory.email_of(acme.add(case, status=case))
    if case == "pending_without_password":
        return factory.email_of(acme.add(case, status="pending", password=None))
    user_id = acme.add(case)

    def change(root):
        user = root.users[user_id]
        if case == "must_reset":
            user.must_reset_password = True
        else:  # an OpenID user: no password
            user.id_method, user.id_provider, user.password_hash = "oauth", "google", None

    factory.write(change)
    return factory.email_of(user_id)


CASES = [
    "unknown",
    "wrong_password",
    "locked",
    "inactive",
    "pending",
    "pending_without_password",
    "must_reset",
    "oauth",
]


def test_every_failure_is_the_same_401_after_one_verification(
    testapp, factory, acme, verifications
):
    names = {case: make(factory, acme, case) for case in CASES}
    answers = {}
    for case, name in names.items():
        verifications.clear()
        password = WRONG if case == "wrong_password" else PASSWORD
        res = attempt(testapp, name, password)
        answers[case] = (res.status, res.content_type, res.body)
        assert len(verifications) == 1, case
    assert len(set(answers.values())) == 1, answers
    status, content_type, body = answers["unknown"]
    assert status == "401 Unauthorized" and content_type == "application/json"
    assert b"Invalid email or password." in body


def test_a_success_also_verifies_once(testapp, acme, verifications):
    attempt(testapp, acme.email("alice"), PASSWORD, status=200)
    assert len(verifications) == 1
