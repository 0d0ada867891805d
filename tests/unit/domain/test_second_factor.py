"""Second factors in the domain: methods, enrolment, challenges and their
codes — every time rule at its boundary on a given clock."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from crunchusers.domain import second_factor as mfa
from crunchusers.domain.exceptions import Conflict, Invalid
from crunchusers.domain.resources.accounts import Account
from crunchusers.domain.resources.second_factors import Challenges
from crunchusers.domain.resources.users import User, Users
from crunchusers.infra.tokens import hash_token

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def users():
    users = Users()
    users.add(User("ann@example.com"), "ann")
    return users


@pytest.fixture
def ann(users):
    return users["ann"]


@pytest.fixture
def challenges():
    return Challenges()


def answer(challenges, users, token, code, now):
    """``(user, method)`` for a code, as a sign-in checks it; None when the
    token leads to no challenge."""
    found = mfa.find(challenges, users, token, now)
    if found is None:
        return None
    challenge, user = found
    return user, mfa.check(challenges, challenge, token, user, code, now)


def method_of(*args):
    return answer(*args)[1]


def with_totp(user, at=NOW):
    """Enrol and confirm TOTP; returns the secret and the recovery codes."""
    secret = mfa.enrol_totp(user)
    codes = mfa.confirm_totp(user, pyotp.TOTP(secret).at(at), at)
    return secret, codes


def test_no_factor_no_methods(ann):
    assert mfa.methods(ann, Account("Acme")) == ()
    assert mfa.state(ann, None) == {
        "email": False,
        "totp": False,
        "totp_pending": False,
        "recovery_codes_left": 0,
        "required_by_account": False,
        "methods": [],
    }


def test_methods_by_what_the_user_has_and_the_account_requires(ann):
    strict = Account("Strict")
    strict.mfa_required = True
    assert mfa.methods(ann, strict) == ("email",)  # required: mail without TOTP
    mfa.set_email(ann, True)
    assert mfa.methods(ann, None) == ("email",)
    mfa.set_email(ann, False)
    with_totp(ann)
    assert mfa.methods(ann, strict) == ("totp", "recovery_code")  # TOTP suffices
    mfa.set_email(ann, True)
    assert mfa.methods(ann, None) == ("totp", "recovery_code", "email")


def test_totp_is_active_only_once_confirmed(ann):
    secret = mfa.enrol_totp(ann)
    assert mfa.methods(ann, None) == () and mfa.state(ann, None)["totp_pending"]
    with pytest.raises(Invalid) as wrong:
        mfa.confirm_totp(ann, pyotp.TOTP(secret).at(NOW + timedelta(minutes=2)), NOW)
    assert wrong.value.field == "code"
    codes = mfa.confirm_totp(ann, pyotp.TOTP(secret).at(NOW), NOW)
    assert len(codes) == 10
    state = mfa.state(ann, None)
    assert state["totp"] and not state["totp_pending"] and state["recovery_codes_left"] == 10
    assert not set(codes) & set(ann.second_factor.recovery_digests)  # digests only


def test_enrolment_refusals(ann):
    with pytest.raises(Conflict):
        mfa.confirm_totp(ann, "123456", NOW)  # nothing enrolled
    with pytest.raises(Conflict):
        mfa.regenerate_recovery_codes(ann, "123456", NOW)  # no TOTP
    ann.id_method = "oauth"
    with pytest.raises(Conflict):
        mfa.set_email(ann, True)


def test_recovery_codes_are_regenerated_with_a_fresh_totp_code(ann):
    secret, old = with_totp(ann)
    later = NOW + timedelta(seconds=30)
    with pytest.raises(Invalid):  # the confirmation's code is used up
        mfa.regenerate_recovery_codes(ann, pyotp.TOTP(secret).at(NOW), later)
    new = mfa.regenerate_recovery_codes(ann, pyotp.TOTP(secret).at(later), later)
    assert len(new) == 10 and not set(new) & set(old)
    assert ann.second_factor.recovery_digests == {mfa.recovery_codes.digest(c) for c in new}


def test_reset_removes_everything(ann):
    with_totp(ann)
    mfa.set_email(ann, True)
    mfa.reset(ann)
    assert ann.second_factor is None and mfa.methods(ann, None) == ()


# -- challenges ------------------------------------------------------------------


def test_no_challenge_without_a_second_factor(ann, challenges):
    assert mfa.issue(challenges, ann, None, NOW) is None
    assert len(challenges) == 0


def test_the_mailed_code_is_stored_keyed_by_the_token_and_works_once(ann, users, challenges):
    mfa.set_email(ann, True)
    issued = mfa.issue(challenges, ann, None, NOW, wants_token=True)
    assert issued.methods == ("email",) and len(issued.email_code) == 6
    assert len(issued.token) >= 43 and issued.token not in challenges.data
    stored = next(iter(challenges.data.values()))
    assert stored.wants_token and stored.user_id == "ann"
    assert issued.email_code not in stored.code_digest
    assert stored.code_digest != hash_token(issued.email_code)  # keyed, not a plain hash
    assert answer(challenges, users, issued.token, issued.email_code, NOW) == (ann, "email")
    assert answer(challenges, users, issued.token, issued.email_code, NOW) is None
    assert len(challenges) == 0


def test_a_challenge_lives_ten_minutes_exactly(ann, users, challenges):
    mfa.set_email(ann, True)
    on_time = mfa.issue(challenges, ann, None, NOW)
    late = mfa.issue(challenges, ann, None, NOW)
    deadline = NOW + timedelta(minutes=10)
    assert method_of(challenges, users, on_time.token, on_time.email_code, deadline) == "email"
    past = deadline + timedelta(seconds=1)
    assert answer(challenges, users, late.token, late.email_code, past) is None
    assert len(challenges) == 0  # the expired one is dropped


def wrong_code(issued):
    return "000000" if issued.email_code != "000000" else "111111"


def test_the_fifth_wrong_code_kills_the_challenge(ann, users, challenges):
    mfa.set_email(ann, True)
    issued = mfa.issue(challenges, ann, None, NOW)
    for n in range(1, 6):
        assert answer(challenges, users, issued.token, wrong_code(issued), NOW) == (ann, None)
        assert len(challenges) == (1 if n < 5 else 0)
    assert answer(challenges, users, issued.token, issued.email_code, NOW) is None


def test_four_wrong_codes_then_the_right_one(ann, users, challenges):
    mfa.set_email(ann, True)
    issued = mfa.issue(challenges, ann, None, NOW)
    for _ in range(4):
        answer(challenges, users, issued.token, wrong_code(issued), NOW)
    assert method_of(challenges, users, issued.token, issued.email_code, NOW) == "email"


def test_totp_and_recovery_codes_answer_and_each_works_once(ann, users, challenges):
    secret, codes = with_totp(ann)
    later = NOW + timedelta(minutes=1)
    first = mfa.issue(challenges, ann, None, later)
    assert first.methods == ("totp", "recovery_code") and first.email_code is None
    code = pyotp.TOTP(secret).at(later)
    assert method_of(challenges, users, first.token, code, later) == "totp"
    second = mfa.issue(challenges, ann, None, later)
    assert method_of(challenges, users, second.token, code, later) == mfa.REPLAYED
    assert challenges.live(second.token, later).wrong == 0  # no guess: not counted
    recovery = codes[0].upper()
    assert method_of(challenges, users, second.token, recovery, later) == "recovery_code"
    third = mfa.issue(challenges, ann, None, later)
    assert method_of(challenges, users, third.token, codes[0], later) is None  # used
    assert mfa.state(ann, None)["recovery_codes_left"] == 9


def test_a_reset_since_the_challenge_leaves_its_totp_useless(ann, users, challenges):
    secret, codes = with_totp(ann)
    issued = mfa.issue(challenges, ann, None, NOW)
    mfa.reset(ann)
    later = NOW + timedelta(seconds=30)
    for code in (pyotp.TOTP(secret).at(later), codes[1]):
        assert method_of(challenges, users, issued.token, code, later) is None


@pytest.mark.parametrize("code", [None, 123456, "", "x" * 1000])
def test_odd_codes_are_wrong_codes(ann, users, challenges, code):
    mfa.set_email(ann, True)
    issued = mfa.issue(challenges, ann, None, NOW)
    assert answer(challenges, users, issued.token, code, NOW) == (ann, None)


@pytest.mark.parametrize("token", [None, "", 12, "unknown"])
def test_unknown_tokens_find_nothing(ann, users, challenges, token):
    mfa.set_email(ann, True)
    mfa.issue(challenges, ann, None, NOW)
    assert mfa.find(challenges, users, token, NOW) is None
    assert len(challenges) == 1


def test_a_challenge_of_a_gone_user_finds_nothing(ann, users, challenges):
    mfa.set_email(ann, True)
    issued = mfa.issue(challenges, ann, None, NOW)
    del users.data["ann"]
    assert mfa.find(challenges, users, issued.token, NOW) is None
    assert len(challenges) == 0
