"""The JSON encoder: orjson where it agrees with the standard library, the
standard library where orjson refuses, the same values either way."""

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from crunchusers.rendering.renderer import ShojiJSONRenderer, dumps, negotiate

VALUES = [
    {"a": [1, 2.5, -0.0, 1e16, 1e-7, 123456789.123, 2**63 - 1, -(2**63)], "b": None},
    {"text": 'Zoë 東京 \u2028\u2029 \x00\x1f "q" \\ / 🎉', "t": (1, "x"), "f": False},
    [[[[]]], {}, "", 0],
]


@pytest.mark.parametrize("value", VALUES)
def test_same_values_as_the_standard_library(value):
    out = dumps(value)
    assert out.endswith(b"\n") and out.count(b"\n") == 1
    assert json.loads(out) == json.loads(json.dumps(value))


@pytest.mark.parametrize(
    "value",
    [
        {1: "int key", 2.5: "float key", False: "bool", None: "none"},  # orjson: str keys only
        {"big": 2**70, "neg": -(2**64)},  # beyond 64 bits
        {"lone": "\ud800"},  # not encodable as UTF-8
    ],
)
def test_what_orjson_refuses_is_encoded_as_before(value):
    assert dumps(value) == json.dumps(value).encode() + b"\n"
    assert dumps(value, pretty=True) == json.dumps(value, indent=2).encode() + b"\n"


def test_pretty_is_two_spaces():
    assert dumps({"a": [1]}, pretty=True) == b'{\n  "a": [\n    1\n  ]\n}\n'


def test_dates_and_dataclasses_go_through_the_adapters_as_before():
    @dataclasses.dataclass
    class Point:
        x: int

    for value in (datetime(2026, 1, 1, tzinfo=UTC), Point(1), {1, 2}, b"\xff"):
        with pytest.raises(TypeError):
            json.dumps(value)
        with pytest.raises(TypeError):
            dumps(value)


def test_the_renderer_uses_pyramid_adapters():
    class Thing:
        def __json__(self, request):
            return {"thing": request}

    renderer = ShojiJSONRenderer()
    rendered = renderer.render({"t": Thing(), "b": b"bytes"}, {"request": None})
    assert rendered == b'{"t":{"thing":null},"b":"bytes"}\n'


def test_negotiation_is_webobs_and_remembered():
    negotiate.cache_clear()
    offers = ("application/json", "text/plain")
    assert negotiate(None, offers) == ("application/json", False)
    assert negotiate("text/plain;q=0.9, application/json;q=0.1", offers)[0] == "text/plain"
    assert negotiate("application/json; indent=2", offers) == ("application/json", True)
    # a media range with parameters matches no offer (webob): JSON, not indented
    assert negotiate("text/plain; indent=2", offers) == ("application/json", False)
    negotiate(None, offers)
    assert negotiate.cache_info().hits == 1
