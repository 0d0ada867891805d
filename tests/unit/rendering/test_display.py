"""Display times: the prepared formats give Babel's own text, and are made
once per locale and time zone."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from babel import UnknownLocaleError
from babel.dates import format_datetime

from crunchusers.rendering.display import display_format

LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "ja_JP", "ar_EG", "fa_IR", "zh_Hant_TW", "hi")
ZONES = ("UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe")
MOMENTS = (
    datetime(2026, 1, 1, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # one second before Berlin's DST starts
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # ... and at it
    datetime(2026, 7, 4, 23, 30, 15, 123456, tzinfo=UTC),
    datetime(1999, 12, 31, 12, tzinfo=timezone(timedelta(hours=-5))),  # another offset
    datetime(2026, 11, 1, 5, 30),  # naive: UTC, as in Babel
)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("zone", ZONES)
def test_the_text_is_babels(locale, zone):
    show = display_format(locale, zone)
    for moment in MOMENTS:
        expected = format_datetime(moment, "medium", tzinfo=ZoneInfo(zone), locale=locale)
        assert show(moment) == expected


def test_prepared_once_per_locale_and_zone():
    display_format.cache_clear()
    first = display_format("de_DE", "Europe/Berlin")
    assert display_format("de_DE", "Europe/Berlin") is first
    assert display_format("de_DE", "UTC") is not first
    assert display_format.cache_info().misses == 2


def test_unknown_names_raise_and_are_not_cached():
    display_format.cache_clear()
    with pytest.raises(UnknownLocaleError):
        display_format("xx_XX", "UTC")
    with pytest.raises(ZoneInfoNotFoundError):
        display_format("en_US", "Mars/Olympus")
    assert display_format.cache_info().currsize == 0
