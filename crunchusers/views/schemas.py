"""colander schemas for request bodies, strict about JSON types and sizes.

colander's own ``String`` and ``Boolean`` coerce anything (``3`` becomes
``"3"``), which would hide client bugs; the types here accept only the JSON
type they name.  Unknown keys are refused so a typo is a 400, never silently
ignored, and the message lists the unknown and the allowed field names
(:func:`unknown_fields_message`, shared with :func:`only_fields`).
Every string has a length limit and names refuse control characters, with
the limits of ``domain.bounds``.  :func:`validate` turns ``colander.Invalid`` into
our 400 naming the first offending field.
"""

import json
import zoneinfo

import colander
from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies

from ..domain.bounds import NAME_MAX, PREFERENCES_MAX_BYTES, TEXT_MAX, has_control_characters
from ..domain.exceptions import Invalid
from ..domain.password_policy import PasswordPolicy
from ..domain.resources.users import STATUSES
from ..domain.sign_ins import LOCKOUT_THRESHOLD_RANGE


def unknown_fields_message(unknown, allowed) -> str:
    """The one wording of an unknown-field refusal: lists, not a dict."""
    return (
        f"unknown field(s) {', '.join(sorted(unknown))}; "
        f"allowed fields: {', '.join(sorted(allowed)) or 'none'}"
    )


def only_fields(body: dict, allowed):
    """Refuse a body with members outside ``allowed`` (400 naming the first)."""
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise Invalid(unknown[0], unknown_fields_message(unknown, allowed))


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
            raise colander.Invalid(node, f"must be a {self.label}")
        return cstruct


class Str(_Strict):
    python_type = str
    label = "string"


class Bool(_Strict):
    python_type = bool
    label = "boolean"


class Int(_Strict):
    python_type = int
    label = "whole number"


class StrList(_Strict):
    """A list of strings, each at most ``TEXT_MAX`` characters (URLs, ids)."""

    python_type = list
    label = "list of strings"

    def deserialize(self, node, cstruct):
        value = super().deserialize(node, cstruct)
        if isinstance(value, list) and not all(
            isinstance(v, str) and len(v) <= TEXT_MAX for v in value
        ):
            raise colander.Invalid(
                node, f"must be a list of strings of at most {TEXT_MAX} characters"
            )
        return value


class UnknownFields(colander.Invalid):
    """Members a closed mapping does not know; ``names`` sorted."""

    def __init__(self, node, names, allowed):
        super().__init__(node, unknown_fields_message(names, allowed))
        self.names = sorted(names)


class StrictMapping(colander.Mapping):
    """A JSON object whose members are exactly the schema's children."""

    def __init__(self):
        super().__init__(unknown="raise")

    def _validate(self, node, value):
        if not isinstance(value, dict):
            raise colander.Invalid(node, "must be an object")
        allowed = [child.name for child in node.children]
        unknown = set(value) - set(allowed)
        if unknown:
            raise UnknownFields(node, unknown, allowed)
        return dict(value)


def mapping():
    return StrictMapping()


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


#: Every email a client may store: the address syntax, a dotted domain
#: (``a@b`` is refused), one line, at most NAME_MAX characters.
email_address = all_of(NAME, colander.Email("must be a valid email address"), _dotted_domain)


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


CURRENCIES = frozenset(list_currencies())


def _currency(node, value):
    if value not in CURRENCIES:
        raise colander.Invalid(node, f"{value!r} is not an ISO 4217 currency code")


def _timezone(node, value):
    if value not in zoneinfo.available_timezones():
        raise colander.Invalid(node, f"{value!r} is not an IANA time zone")


def _locale(node, value):
    try:
        Locale.parse(value)
    except (ValueError, TypeError, UnknownLocaleError) as exc:
        raise colander.Invalid(node, f"{value!r} is not a known locale") from exc


USERNAME = colander.Regex(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}\Z",  # \Z: "$" would let a final newline in
    "must be 2-64 letters, digits, dots, dashes or underscores (no spaces, no @)",
)


def _status(node, value):
    if value not in STATUSES:
        raise colander.Invalid(node, f"must be one of {', '.join(STATUSES)}")


def object_size(max_bytes: int):
    """A validator: the object's compact JSON is at most ``max_bytes``."""

    def check(node, value):
        size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
        if size > max_bytes:
            raise colander.Invalid(node, f"must be at most {max_bytes} bytes")

    return check


class Preferences(colander.MappingSchema):
    schema_type = staticmethod(mapping)
    validator = staticmethod(object_size(PREFERENCES_MAX_BYTES))
    currency = field(Str, validator=_currency)
    timezone = field(Str, validator=all_of(LINE, _timezone))
    locale = field(Str, validator=all_of(LINE, _locale))


class Address(colander.MappingSchema):
    schema_type = staticmethod(mapping)
    street = field(Str, validator=text(TEXT_MAX, multiline=True))
    city = field(Str, validator=NAME)
    state = field(Str, validator=NAME)
    postal_code = field(Str, validator=NAME)
    country = field(Str, validator=NAME)


class AccountPermissions(colander.MappingSchema):
    schema_type = staticmethod(mapping)
    alter_users = field(Bool)
    admin_account = field(Bool)
    create_datasets = field(Bool)


class DatasetPermissions(colander.MappingSchema):
    schema_type = staticmethod(mapping)
    view = field(Bool)
    edit = field(Bool)
    change_permissions = field(Bool)
    add_users = field(Bool)
    change_weight = field(Bool)


class UserPatch(colander.MappingSchema):
    """Everything a user entity PATCH may carry; who may change what is
    decided by ``user_changes.UserChange``."""

    schema_type = staticmethod(mapping)
    name = field(Str, validator=NAME)
    first_name = field(Str, validator=NAME)
    last_name = field(Str, validator=NAME)
    username = field(Str, nullable=True, validator=USERNAME)
    email = field(Str, validator=email_address)
    title = field(Str, validator=NAME)
    mobile = field(Str, validator=NAME)
    avatar = field(Str, nullable=True, validator=LINE)
    manager = field(Str, nullable=True, validator=LINE)
    address = Address(missing=colander.drop)
    preferences = Preferences(missing=colander.drop)
    status = field(Str, validator=_status)
    roles = field(StrList)
    account_permissions = AccountPermissions(missing=colander.drop)
    dataset_permissions = DatasetPermissions(missing=colander.drop)
    resend_email = field(Bool)
    url_base = field(Str, validator=LINE)
    id = field(Str, validator=NAME)


class NewAccountUser(colander.MappingSchema):
    """Body of ``POST /account/users/`` (reference §5.3 plus seed 000/002)."""

    schema_type = staticmethod(mapping)
    email = colander.SchemaNode(Str(), validator=email_address)
    name = field(Str, validator=NAME)
    first_name = field(Str, validator=NAME)
    last_name = field(Str, validator=NAME)
    username = field(Str, validator=USERNAME)
    password = field(Str, validator=SECRET)
    roles = field(StrList)
    account_permissions = AccountPermissions(missing=colander.drop)
    send_invite = field(Bool)
    url_base = field(Str, validator=LINE)
    id_method = field(Str, validator=colander.OneOf(["pwhash"]))
    id_provider = field(Str, nullable=True, validator=NAME)
    role_url = field(Str, nullable=True, validator=LINE)
    teams = field(StrList)
    projects = field(StrList)


class Owner(colander.MappingSchema):
    schema_type = staticmethod(mapping)
    email = colander.SchemaNode(Str(), validator=email_address)
    name = field(Str, validator=NAME)
    password = field(Str, validator=SECRET)


#: An account's name: required, one line, at most NAME_MAX characters.
ACCOUNT_NAME = text(NAME_MAX, required=True)


class NewAccount(colander.MappingSchema):
    schema_type = staticmethod(mapping)
    name = colander.SchemaNode(Str(), validator=ACCOUNT_NAME)
    owner = Owner()
    url_base = field(Str, validator=LINE)
    send_invite = field(Bool)


def _bounded(name):
    low, high = PasswordPolicy.BOUNDS[name]
    return field(Int, validator=colander.Range(low, high))


class PasswordPolicySettings(colander.MappingSchema):
    """What an account admin may choose of the password policy."""

    schema_type = staticmethod(mapping)
    min_length = _bounded("min_length")
    history = _bounded("history")


class AccountPatch(colander.MappingSchema):
    schema_type = staticmethod(mapping)
    name = field(Str, validator=ACCOUNT_NAME)
    owner = field(Str, validator=LINE)
    password_policy = PasswordPolicySettings(missing=colander.drop)
    lockout_threshold = field(Int, validator=colander.Range(*LOCKOUT_THRESHOLD_RANGE))


class TrackingSwitch(colander.MappingSchema):
    """``PATCH /users/{id}/activity/``: switch the user's activity tracking."""

    schema_type = staticmethod(mapping)
    tracking = colander.SchemaNode(Bool())


# -- passwords: change, reset, links -----------------------------------------
#
# Passwords are only bounded here; what makes one acceptable is the password
# policy's to say (``domain.password_policy``), with a message naming the rule.


def required(kind, *, validator=None):
    return colander.SchemaNode(kind(), validator=validator)


class PasswordChange(colander.MappingSchema):
    """``POST /users/{id}/password/`` (reference §4.3)."""

    schema_type = staticmethod(mapping)
    old_pw = required(Str, validator=SECRET)
    new_pw = required(Str, validator=SECRET)


class OwnPassword(colander.MappingSchema):
    """The password members of the own-account edit (seed 001), which the
    user entity PATCH/PUT takes out of its body before ``UserPatch``."""

    schema_type = staticmethod(mapping)
    password = field(Str, validator=SECRET)
    old_password = field(Str, validator=SECRET)


class LinkRequest(colander.MappingSchema):
    """Bodies that only ask for a mailed link: ``url_base`` is its template."""

    schema_type = staticmethod(mapping)
    url_base = field(Str, validator=LINE)


class PasswordResetRequest(LinkRequest):
    """``POST /public/password_reset/``: the address, and the link template."""

    email = required(Str, validator=email_address)


class PasswordSet(colander.MappingSchema):
    """``POST /public/password_change/``: a mailed token and the new password."""

    schema_type = staticmethod(mapping)
    token = required(Str, validator=LINE)
    password = required(Str, validator=SECRET)


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


def validate(schema: colander.SchemaNode, data: dict) -> dict:
    """Deserialize ``data`` or raise a 400 that names the first bad field."""
    try:
        return schema.deserialize(data)
    except colander.Invalid as exc:
        name, message = _first_error(exc)
        raise Invalid(name or None, message) from exc
