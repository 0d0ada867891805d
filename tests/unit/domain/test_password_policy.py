"""The password policy's rules one by one, without HTTP: each refusal names
its rule, the bounds sit exactly where the policy says, and the costly
history rule runs last and only as far as the policy remembers."""

import re

import pytest

from crunchusers.domain.exceptions import Invalid
from crunchusers.domain.password_policy import (
    MAX_LENGTH,
    PasswordPolicy,
    check_password,
    common_passwords,
    personal_words,
)

DEFAULT = PasswordPolicy()
GOOD = "quiet lantern orbit"


def refused_rule(password, policy=DEFAULT, **kw):
    """The rule a password breaks (from the message), or None if accepted."""
    try:
        check_password(policy, password, field="new_pw", **kw)
    except Invalid as exc:
        assert exc.field == "new_pw"
        named = re.search(r"\(password rule: (\w+)\)\.$", exc.message)
        return named.group(1) if named else exc.message
    return None


def test_the_defaults_follow_nist_and_asvs():
    assert (DEFAULT.min_length, DEFAULT.history, MAX_LENGTH) == (12, 5, 128)
    described = DEFAULT.describe()
    assert described["composition_rules"] is False
    assert set(described["rules"]) == {
        "min_length",
        "max_length",
        "repetitive",
        "common",
        "personal",
        "history",
    }


def test_length_bounds_are_exact():
    assert refused_rule("abcdefghijk") == "min_length"  # 11
    assert refused_rule("abcdefghijkl") is None  # 12
    assert refused_rule("abcd" * 32) is None  # 128
    assert refused_rule("abcd" * 32 + "e") == "max_length"  # 129


def test_length_counts_characters_not_bytes():
    assert refused_rule("ééééàààçççü") == "min_length"  # 11 characters, 22 bytes
    assert refused_rule("ééééàààçççüö") is None


def test_an_account_may_choose_another_minimum():
    assert refused_rule("abcdefgh", PasswordPolicy(min_length=8)) is None
    assert refused_rule("abcdefghijklmno", PasswordPolicy(min_length=16)) == "min_length"


def test_no_composition_rules():
    for password in ("all lowercase words", "ALLUPPERCASEWORDS", "1234 5678 9012 34"):
        assert refused_rule(password) is None, password


def test_repetitive_passwords_are_refused():
    assert refused_rule("aaaaaaaaaaaaaaaa") == "repetitive"
    assert refused_rule("abcabcabcabc") == "repetitive"  # 3 different characters
    assert refused_rule("abcdabcdabcd") is None


def test_the_common_list_is_a_maintained_one_of_at_least_10000_loaded_once():
    words = common_passwords()
    assert len(words) >= 10_000
    assert isinstance(words, frozenset)
    assert common_passwords() is words  # loaded once
    assert "password" in words and "qwerty123456" in words


@pytest.mark.parametrize("password", ["qwerty123456", "QWERTY123456", "1qaz2wsx3edc"])
def test_common_passwords_are_refused_whatever_their_case(password):
    assert refused_rule(password) == "common"


def test_common_short_passwords_are_refused_under_a_low_minimum():
    assert refused_rule("Password1", PasswordPolicy(min_length=8)) == "common"


def test_personal_words_are_the_local_part_names_and_their_pieces():
    words = personal_words("John.Smith+work@example.com", "Ann Li", None, "")
    assert "john.smith+work" in words and "john" in words and "smith" in words
    assert "ann" in words
    assert "li" not in words  # too short to refuse anything by
    assert "example" not in words  # the domain is not the user's


@pytest.mark.parametrize(
    "password", ["smith-family-2024", "I am JOHN SMITH ok", "ann's own words"]
)
def test_passwords_containing_personal_words_are_refused(password):
    personal = personal_words("john.smith@example.com", "Ann Li")
    assert refused_rule(password, personal=personal) == "personal"


def test_history_compares_the_remembered_hashes_only_as_far_as_the_policy_says():
    calls = []

    def matches(stored, password):
        calls.append(stored)
        return stored == f"hash of {password}"

    old = [f"hash of old {n} secret words" for n in range(6)]
    policy = PasswordPolicy(history=5)
    for n in range(5):
        assert refused_rule(f"old {n} secret words", policy, previous=old, matches=matches) == (
            "history"
        )
    calls.clear()
    assert refused_rule("old 5 secret words", policy, previous=old, matches=matches) is None
    assert len(calls) == 5  # five verifications, not six


def test_the_costly_history_rule_is_not_run_when_a_cheap_rule_refuses():
    calls = []

    def matches(stored, password):
        calls.append(stored)
        return False

    assert refused_rule("short", previous=["h"] * 5, matches=matches) == "min_length"
    assert refused_rule("qwerty123456", previous=["h"] * 5, matches=matches) == "common"
    assert calls == []


def test_a_non_string_is_refused():
    assert refused_rule(12345678901234) == "The password must be a string."


def test_account_settings_outside_the_known_members_are_ignored():
    class Account:
        password_policy = {"min_length": 9, "history": 3, "something": 1}

    assert PasswordPolicy.of_account(Account()) == PasswordPolicy(min_length=9, history=3)
    assert PasswordPolicy.of_account(None) == DEFAULT


def test_a_good_password_passes_every_rule():
    assert refused_rule(GOOD, personal=personal_words("someone@example.com", "Some One")) is None
