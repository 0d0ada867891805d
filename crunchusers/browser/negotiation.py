"""Who gets a page instead of JSON.

A client gets HTML only when its ``Accept`` ranks ``text/html`` above
``application/json``.  JSON is listed first, so it wins every tie: ``*/*``
(curl), a missing ``Accept`` and ``application/json`` (pycrunch) all get
JSON; a browser's ``text/html,...,*/*;q=0.8`` gets the page.
"""

OFFERS = ("application/json", "text/html")


def wants_html(request) -> bool:
    offers = request.accept.acceptable_offers(OFFERS)
    return bool(offers) and offers[0][0] == "text/html"
