"""Times for humans, in a viewer's locale and time zone (Babel), prepared once.

``babel.dates.format_datetime(moment, "medium", tzinfo, locale)`` parses the
locale and looks up three patterns on every call; a user entity shows two
times and a 100-user catalog page 200, so that lookup was most of their cost.
:func:`display_format` does the lookups once per (locale, time zone) and
:meth:`DisplayFormat.__call__` only takes the steps ``format_datetime``
takes per moment — convert to the zone, apply the parsed time and date
patterns, fill the locale's date-time layout — so the text is the same
(``tests/unit/rendering/test_display.py`` compares them).  The last 8,192
texts are remembered too (about 2.5 MB): a catalog page read again formats
nothing.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import DateTimePattern, get_date_format, get_datetime_format, get_time_format

FORMAT = "medium"


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per (locale, zone)
class DisplayFormat:
    locale: Locale
    zone: tzinfo
    layout: str  # e.g. "{1}, {0}": {1} the date, {0} the time
    date: DateTimePattern
    time: DateTimePattern

    def __call__(self, moment: datetime) -> str:
        return _remembered(self, moment)

    def format(self, moment: datetime) -> str:
        if moment.tzinfo is None:  # as Babel does: naive means UTC
            moment = moment.replace(tzinfo=UTC)
        local = moment.astimezone(self.zone)
        day = local.date()
        time_text = self.time.apply(local.timetz(), self.locale, reference_date=day)
        return self.layout.replace("{0}", time_text).replace(
            "{1}", self.date.apply(day, self.locale)
        )


@lru_cache(maxsize=8192)
def _remembered(display: DisplayFormat, moment: datetime) -> str:
    """The text of a moment never changes: the times users and catalogs
    show (creation, last login) are read far more often than they change."""
    return display.format(moment)


@lru_cache(maxsize=512)
def display_format(locale: str, zone: str) -> DisplayFormat:
    """The prepared format for a locale name and an IANA zone name (a bad
    name raises what Babel or zoneinfo raise, and is not cached)."""
    parsed = Locale.parse(locale)
    return DisplayFormat(
        locale=parsed,
        zone=ZoneInfo(zone),
        layout=get_datetime_format(FORMAT, locale=parsed).replace("'", ""),
        date=get_date_format(FORMAT, locale=parsed),
        time=get_time_format(FORMAT, locale=parsed),
    )
