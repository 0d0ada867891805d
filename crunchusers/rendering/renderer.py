"""JSON out: orjson behind Cornice's renderer, a final newline, ``?pretty``.

Every JSON answer — view results through the ``cornicejson`` renderer and
bodies views set themselves (errors, login, new API keys) through
:func:`write_json` — is encoded here:

* with orjson, 5–25× faster than the standard library; when orjson refuses
  a value (a non-string dict key, an integer beyond 64 bits, a lone
  surrogate) the standard library encodes it exactly as before, so what a
  client parses never changes.  orjson writes UTF-8 rather than ``\\u``
  escapes and no blanks after ``:`` and ``,``; NaN and infinities, which
  request bodies cannot carry (``shoji.json_object`` refuses them), would
  be ``null``.  Dates, times and dataclasses go through Pyramid's adapters
  (``__json__``) as they did, not orjson's own formats;
* ending with a newline (nicer in a terminal);
* indented by two spaces when the query has ``pretty`` (``?pretty``,
  ``?pretty=1``; ``?pretty=0``/``false``/``no`` do not) or the ``Accept``
  header asks for ``application/json; indent=N`` (any N: orjson indents
  by two).

The content type is negotiated as Cornice does (``application/json`` or
``text/plain``), but once per distinct ``Accept`` value.
"""

import json
from functools import lru_cache

import orjson
from cornice.renderer import CorniceRenderer
from webob.acceptparse import create_accept_header

OPTIONS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_PASSTHROUGH_DATETIME
OPTIONS |= orjson.OPT_PASSTHROUGH_DATACLASS
PRETTY = OPTIONS | orjson.OPT_INDENT_2
NOT_PRETTY = frozenset({"0", "false", "no", "off"})


def dumps(value, default=None, pretty: bool = False) -> bytes:
    """``value`` as UTF-8 JSON bytes ending with a newline."""
    try:
        return orjson.dumps(value, default=default, option=PRETTY if pretty else OPTIONS)
    except TypeError:  # orjson.JSONEncodeError too; json raises the same if it must
        text = json.dumps(value, default=default, indent=2 if pretty else None)
        return text.encode("utf-8") + b"\n"


@lru_cache(maxsize=256)
def negotiate(accept: str | None, offers: tuple[str, ...]) -> tuple[str, bool]:
    """(content type, indent?) for an ``Accept`` header value, as webob
    negotiates it; the first offer when nothing matches."""
    header = create_accept_header(accept)
    found = header.acceptable_offers(offers=offers)
    indent = any(
        "indent" in dict(params) and media.split(";")[0].lower() in ("application/json", "*/*")
        for media, _q, params, _ext in getattr(header, "parsed", None) or ()
    )
    return (found[0][0] if found else offers[0]), indent


def wants_pretty(request, accept_indent: bool = False) -> bool:
    if accept_indent:
        return True
    if "pretty" not in request.environ.get("QUERY_STRING", ""):
        return False
    try:
        values = request.GET.getall("pretty")
    except UnicodeDecodeError:  # the 400 for a query that is not UTF-8
        return False
    return bool(values) and values[-1].strip().lower() not in NOT_PRETTY


def write_json(request, response, value):
    """Set ``response``'s body to ``value`` as JSON, like the renderer."""
    _type, indent = negotiate(request.headers.get("Accept"), ("application/json",))
    response.body = dumps(value, pretty=wants_pretty(request, indent))


class ShojiJSONRenderer(CorniceRenderer):
    """Cornice's renderer (204 without content, negotiated content type)
    with :func:`dumps` as the encoder."""

    def render(self, value, system):
        request = system.get("request")
        pretty = False
        if request is not None:
            response = request.response
            if response.status_code == 204:
                response.content_type = None
                return ""
            content_type, indent = negotiate(request.headers.get("Accept"), self.acceptable)
            response.content_type = content_type
            pretty = wants_pretty(request, indent)
        return dumps(value, default=self._make_default(request), pretty=pretty)
