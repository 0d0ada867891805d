"""Query-string parameters, parsed strictly.

``str.isdigit()`` accepts '²' and other Unicode digits, and ``int()`` of a
5,000-digit string raises past Python's conversion limit: both ended as 500s.
Here a number is 1 to :data:`MAX_DIGITS` ASCII digits, else a 400 naming it.
"""

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
