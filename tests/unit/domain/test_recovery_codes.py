"""Recovery codes: 80 random bits each, stored as digests, read leniently."""

from crunchusers.domain import recovery_codes


def test_ten_distinct_grouped_codes():
    codes = recovery_codes.new_codes()
    assert len(codes) == 10 == len(set(codes))
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4, 4]
        assert set("".join(groups)) <= set(recovery_codes.ALPHABET)


def test_the_digest_ignores_case_dashes_and_spaces_and_is_not_the_code():
    code = recovery_codes.new_codes(1)[0]
    digest = recovery_codes.digest(code)
    assert digest and code not in digest and code.replace("-", "") not in digest
    for variant in (code.upper(), code.replace("-", ""), f" {code.replace('-', ' ')} "):
        assert recovery_codes.digest(variant) == digest


def test_what_cannot_be_a_code_has_no_digest():
    for value in (None, 12, "", "abcd-efgh", "abcd-efgh-ijkl-mno1", "x" * 100):
        assert recovery_codes.digest(value) is None
