"""TOTP on the injectable clock: the window either side, replays refused."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from crunchusers.domain import totp

STEP_START = datetime(2026, 1, 1, tzinfo=UTC)  # a multiple of 30 s since the epoch
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # 160 bits


def code_at(moment):
    return pyotp.TOTP(SECRET).at(moment)


def at(seconds):
    return STEP_START + timedelta(seconds=seconds)


@pytest.mark.parametrize("seconds", [-30, 0, 29, 59])
def test_a_code_works_one_step_either_side(seconds):
    step = pyotp.TOTP(SECRET).timecode(STEP_START)
    assert totp.matching_step(SECRET, code_at(STEP_START), at(seconds)) == step


@pytest.mark.parametrize("seconds", [-31, 60])
def test_and_not_one_second_further(seconds):
    assert totp.matching_step(SECRET, code_at(STEP_START), at(seconds)) is None


def test_a_used_step_and_earlier_ones_never_work_again():
    step = totp.matching_step(SECRET, code_at(STEP_START), STEP_START)
    assert totp.matching_step(SECRET, code_at(STEP_START), at(10), after=step) is None
    assert totp.matching_step(SECRET, code_at(at(-30)), STEP_START, after=step) is None
    assert totp.matching_step(SECRET, code_at(at(30)), at(30), after=step) == step + 1


@pytest.mark.parametrize("code", [None, 123456, "", "12345", "1234567", "12345a", "١٢٣٤٥٦"])
def test_what_is_not_six_ascii_digits_never_matches(code):
    assert totp.matching_step(SECRET, code, STEP_START) is None


def test_a_new_secret_and_its_provisioning_uri():
    secret = totp.new_secret()
    assert len(secret) == 32 and secret != totp.new_secret()
    uri = totp.provisioning_uri(secret, "ann@example.com", "Acme Users")
    assert uri.startswith("otpauth://totp/Acme%20Users:ann%40example.com?")
    assert f"secret={secret}" in uri and "issuer=Acme%20Users" in uri
    assert pyotp.parse_uri(uri).secret == secret
