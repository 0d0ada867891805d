"""The per-address mail budget: exact cap per clock hour, case-insensitive
addresses, hashed keys, old hours purged."""

from datetime import UTC, datetime, timedelta

from crunchusers.domain.resources.mail_budget import MailBudget, hour_of

TEN_TO_ELEVEN = datetime(2026, 1, 1, 10, 0, 0, tzinfo=UTC)


def spend_many(budget, address, now, times, per_hour=5):
    return [budget.spend(address, now, per_hour) for _ in range(times)]


def test_the_cap_is_exact_and_per_address():
    budget = MailBudget()
    assert spend_many(budget, "a@example.com", TEN_TO_ELEVEN, 6) == [True] * 5 + [False]
    assert budget.spend("b@example.com", TEN_TO_ELEVEN, 5)


def test_addresses_count_case_insensitively_and_are_stored_hashed():
    budget = MailBudget()
    spend_many(budget, "A@Example.com", TEN_TO_ELEVEN, 5)
    assert not budget.spend(" a@example.COM ", TEN_TO_ELEVEN, 5)
    keys = list(budget.hours[hour_of(TEN_TO_ELEVEN)].keys())
    assert len(keys) == 1 and "example" not in keys[0]


def test_the_hour_boundary_renews_the_budget():
    budget = MailBudget()
    last_second = TEN_TO_ELEVEN + timedelta(minutes=59, seconds=59)
    spend_many(budget, "a@example.com", TEN_TO_ELEVEN, 5)
    assert not budget.spend("a@example.com", last_second, 5)
    assert budget.spend("a@example.com", last_second + timedelta(seconds=1), 5)


def test_older_hours_are_purged_when_a_new_hour_starts():
    budget = MailBudget()
    for hours in range(3):
        budget.spend("a@example.com", TEN_TO_ELEVEN + timedelta(hours=hours), 5)
    assert list(budget.hours.keys()) == [hour_of(TEN_TO_ELEVEN) + 2]


def test_zero_means_no_cap():
    assert all(spend_many(MailBudget(), "a@example.com", TEN_TO_ELEVEN, 50, per_hour=0))
