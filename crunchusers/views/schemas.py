"""The building blocks of request body schemas, strict about JSON types
and sizes, and :func:`validate`.

Every request body goes through :func:`validate`, the one place that turns a
refusal into our 400 naming the first offending field; ``bodies`` holds the
schema of each body.

colander's own ``String`` and ``Boolean`` coerce anything (``3`` becomes
``"3"``), which would hide client bugs; the types here accept only the JSON
type they name.  Unknown keys are refused so a typo is a 400, never silently
ignored, and the message lists the unknown and the allowed field names
(:func:`unknown_fields_message`).  Every string has a length limit and names
refuse control characters, with the limits of ``domain.bounds``.
"""

import colander

from ..domain.bounds import NAME_MAX, TEXT_MAX, has_control_characters, json_size
from ..domain.exceptions import Invalid


def unknown_fields_message(unknown, allowed) -> str:
    """The one wording of an unknown-field refusal: lists, not a dict."""
    return (
        f"unknown field(s) {', '.join(sorted(unknown))}; "
        f"allowed fields: {', '.join(sorted(allowed)) or 'none'}"
    )


class _Strict(colander.SchemaType):
    python_type: type = object
    label = "value"

    def serialize(self, node, appstruct):
        return appstruct

    def deserialize(self, node, cstruct):
        if cstruct is colander.null:
            return colander.null
        if cstruct is None and getattr(node, "nullable", False):
            return None
        if not isinstance(cstruct, self.python_type) or (
            self.python_type is int and isinstance(cstruct, bool)
        ):
            raise colander.Invalid(node, f"must be {self.label}")
        return cstruct


class Str(_Strict):
    python_type = str
    label = "a string"


class Bool(_Strict):
    python_type = bool
    label = "a boolean"


class Int(_Strict):
    python_type = int
    label = "whole number"


class StrList(_Strict):
    """A list of strings, each at most ``TEXT_MAX`` characters (URLs, ids)."""

    python_type = list
    label = "a list of strings"

    def deserialize(self, node, cstruct):
        value = super().deserialize(node, cstruct)
        if isinstance(value, list) and not all(
            isinstance(v, str) and len(v) <= TEXT_MAX for v in value
        ):
            raise colander.Invalid(
                node, f"must be a list of strings of at most {TEXT_MAX} characters"
            )
        return value


class JsonObject(_Strict):
    """Any JSON object, its members free (a dataset's preferences, a
    ``crunch:table``); bounded by the body limit or the node's validator."""

    python_type = dict
    label = "an object"


class UnknownFields(colander.Invalid):
    """Members a closed mapping does not know; ``names`` sorted."""

    def __init__(self, node, names, allowed):
        super().__init__(node, unknown_fields_message(names, allowed))
        self.names = sorted(names)


class StrictMapping(colander.Mapping):
    """A JSON object whose members are exactly the schema's children."""

    def __init__(self):
        super().__init__(unknown="raise")

    def deserialize(self, node, cstruct):
        if cstruct is None and getattr(node, "nullable", False):
            return None
        return super().deserialize(node, cstruct)

    def _validate(self, node, value):
        if not isinstance(value, dict):
            raise colander.Invalid(node, "must be an object")
        allowed = [child.name for child in node.children]
        unknown = set(value) - set(allowed)
        if unknown:
            raise UnknownFields(node, unknown, allowed)
        return dict(value)


class Object(colander.MappingSchema):
    """A body schema: a JSON object with exactly the members declared."""

    schema_type = StrictMapping


# -- string limits (domain.bounds holds the numbers) ------------------------


def text(max_length: int = TEXT_MAX, *, multiline: bool = False, required: bool = False):
    """A validator: at most ``max_length`` characters, no control characters
    (tabs and newlines only when ``multiline``), not blank when ``required``."""

    def check(node, value):
        if required and not value.strip():
            raise colander.Invalid(node, "must not be empty")
        if len(value) > max_length:
            raise colander.Invalid(node, f"must be at most {max_length} characters")
        if has_control_characters(value, allow_newlines=multiline):
            raise colander.Invalid(node, "must not contain control characters")

    return check


#: Names of people and accounts: one line, at most NAME_MAX characters.
NAME = text(NAME_MAX)
#: URLs and other single-line values of free length up to TEXT_MAX.
LINE = text(TEXT_MAX)
#: Passwords: any characters, bounded; the password policy judges the rest.
SECRET = colander.Length(max=TEXT_MAX)


def one_line(value: str, field: str, max_length: int = TEXT_MAX) -> str:
    """``value`` checked as a single line of at most ``max_length`` characters
    (a value from a query string rather than a body); a 400 naming ``field``."""
    return validate(colander.SchemaNode(Str(), name=field, validator=text(max_length)), value)


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def name_field(*, required: bool = False):
    """The ``name`` of a team, project, dataset or API key: stored stripped,
    then one line, not blank, at most NAME_MAX characters."""
    return colander.SchemaNode(
        Str(),
        preparer=_stripped,
        validator=text(NAME_MAX, required=True),
        missing=colander.required if required else colander.drop,
    )


def optional(schema: colander.SchemaNode) -> colander.SchemaNode:
    """``schema`` with every member optional: the PATCH of what ``schema``
    creates names only what it changes."""
    patch = schema.clone()
    for child in patch.children:
        child.missing = colander.drop
    return patch


def all_of(*validators):
    """Run validators in order and stop at the first refusal (colander.All
    would report every one, echoing a refused value back)."""

    def check(node, value):
        for validator in validators:
            validator(node, value)

    return check


def _dotted_domain(node, value):
    domain = value.rpartition("@")[2]
    labels = domain.split(".")
    if len(labels) < 2 or not labels[-1].isalpha():
        raise colander.Invalid(node, "must be an email address with a dotted domain")


#: Characters a mail header reads as address syntax (lists, display names,
#: comments, quoting): an address holding one could name other recipients.
HEADER_SYNTAX = frozenset(',;<>()"[]\\: ')


def _header_safe(node, value):
    if HEADER_SYNTAX & set(value):
        raise colander.Invalid(node, "must be one plain address (no , ; < > ( ) quotes or spaces)")


#: Every email a client may store: the address syntax, a dotted domain
#: (``a@b`` is refused), one line, nothing a mail header would read as a
#: second recipient, at most NAME_MAX characters.
email_address = all_of(
    NAME, _header_safe, colander.Email("must be a valid email address"), _dotted_domain
)


def field(kind, *, nullable=False, validator=None, **kw):
    """An optional member; ``nullable`` ones accept JSON null (not validated)."""
    if nullable and validator is not None:
        check = validator

        def validator(node, value):
            if value is not None:
                check(node, value)

    node = colander.SchemaNode(kind(), missing=colander.drop, validator=validator, **kw)
    node.nullable = nullable
    return node


def object_size(max_bytes: int):
    """A validator: the object's compact JSON is at most ``max_bytes``."""

    def check(node, value):
        if json_size(value) > max_bytes:
            raise colander.Invalid(node, f"must be at most {max_bytes} bytes")

    return check


def _first_error(exc: colander.Invalid) -> tuple[str, str]:
    """``(field, message)`` of the first leaf error, the field dotted
    (``owner.email``); unknown members are named themselves."""
    path = next(iter(exc.paths()))
    name = ".".join(k for k in (e._keyname() for e in path) if k)
    leaf = path[-1]
    message = "; ".join(colander.interpolate(leaf.messages()))
    if name:
        message = f"{name}: {message}"
    if isinstance(leaf, UnknownFields):
        name = f"{name}.{leaf.names[0]}" if name else leaf.names[0]
    return name, message


def validate(schema: colander.SchemaNode, data, *, at: str | None = None):
    """Deserialize ``data`` or raise a 400 that names the first bad field.

    ``at`` names the field instead: a tuple of a catalog PATCH is named by
    its key (the member the client wrote), its message by the member of the
    tuple that is wrong (``permissions.edit: must be a boolean``)."""
    try:
        return schema.deserialize(data)
    except colander.Invalid as exc:
        name, message = _first_error(exc)
        raise Invalid(at or name or None, message) from exc
