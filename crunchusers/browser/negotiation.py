"""Who gets a page instead of JSON.

A client gets HTML only when its ``Accept`` ranks ``text/html`` above
``application/json``.  JSON is listed first, so it wins every tie: ``*/*``
(curl), a missing ``Accept`` and ``application/json`` (pycrunch) all get
JSON; a browser's ``text/html,...,*/*;q=0.8`` gets the page.
"""

from functools import lru_cache

from webob.acceptparse import create_accept_header

OFFERS = ("application/json", "text/html")


def wants_html(request) -> bool:
    return _prefers_html(request.environ.get("HTTP_ACCEPT"))


@lru_cache(maxsize=256)
def _prefers_html(accept: str | None) -> bool:
    """Decided once per distinct ``Accept`` value (clients send a few),
    as ``request.accept`` would decide it."""
    offers = create_accept_header(accept).acceptable_offers(OFFERS)
    return bool(offers) and offers[0][0] == "text/html"
