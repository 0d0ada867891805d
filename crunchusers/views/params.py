"""Query-string parameters, parsed strictly.

``str.isdigit()`` accepts '²' and other Unicode digits, and ``int()`` of a
5,000-digit string raises past Python's conversion limit: both ended as 500s.
Here a number is 1 to :data:`MAX_DIGITS` ASCII digits, else a 400 naming it.
"""

from pyramid.encode import urlencode

from ..domain.exceptions import Invalid

MAX_DIGITS = 9


def positive_int(request, name: str, default=None, maximum: int | None = None):
    """The query parameter ``name`` as an integer from 1 to ``maximum``,
    ``default`` when absent, else 400 naming the parameter."""
    raw = request.params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_DIGITS) or int(raw) < 1:
        raise Invalid(name, f"{name} must be a positive integer.")
    value = int(raw)
    if maximum is not None and value > maximum:
        raise Invalid(name, f"{name} may be at most {maximum}.")
    return value


class Page:
    """``?page_size=`` (at most ``limit``; ``default`` when absent, None:
    no paging) and ``?page_index=`` (from 1) of a listing."""

    def __init__(self, request, limit: int, default: int | None = None):
        self.request = request
        self.size = positive_int(request, "page_size", default, limit)
        self.index = positive_int(request, "page_index", 1)

    @property
    def start(self) -> int:
        return (self.index - 1) * self.size

    def links(self, base: str, total: int) -> dict:
        """``next`` and ``previous`` page URLs (``base`` with this request's
        query and another ``page_index``), where there are such pages."""
        query = dict(self.request.params)
        pages = {}
        if self.start + self.size < total:
            pages["next"] = self.index + 1
        if self.index > 1:
            pages["previous"] = self.index - 1
        return {
            name: f"{base}?{urlencode({**query, 'page_index': index}, doseq=True)}"
            for name, index in pages.items()
        }
