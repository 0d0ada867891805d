"""colander schemas for request bodies, strict about JSON types.

colander's own ``String`` and ``Boolean`` coerce anything (``3`` becomes
``"3"``), which would hide client bugs; the types here accept only the JSON
type they name.  Unknown keys are refused (``unknown="raise"``) so a typo is
a 400, never silently ignored.  :func:`validate` turns ``colander.Invalid``
into our 400 naming the first offending field.
"""

import zoneinfo

import colander
from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies

from .errors import bad_request
from .resources.users import STATUSES


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


class StrList(_Strict):
    python_type = list
    label = "list of strings"

    def deserialize(self, node, cstruct):
        value = super().deserialize(node, cstruct)
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise colander.Invalid(node, "must be a list of strings")
        return value


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


def mapping(unknown="raise"):
    return colander.Mapping(unknown=unknown)


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
    r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$",
    "must be 2-64 letters, digits, dots, dashes or underscores (no spaces, no @)",
)


def _status(node, value):
    if value not in STATUSES:
        raise colander.Invalid(node, f"must be one of {', '.join(STATUSES)}")


class Preferences(colander.MappingSchema):
    schema_type = staticmethod(mapping)
    currency = field(Str, validator=_currency)
    timezone = field(Str, validator=_timezone)
    locale = field(Str, validator=_locale)


class Address(colander.MappingSchema):
    schema_type = staticmethod(mapping)
    street = field(Str)
    city = field(Str)
    state = field(Str)
    postal_code = field(Str)
    country = field(Str)


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
    decided by ``users.apply_user_patch``."""

    schema_type = staticmethod(mapping)
    name = field(Str)
    first_name = field(Str)
    last_name = field(Str)
    username = field(Str, nullable=True, validator=USERNAME)
    email = field(Str, validator=colander.Email())
    title = field(Str)
    mobile = field(Str)
    avatar = field(Str, nullable=True)
    manager = field(Str, nullable=True)
    address = Address(missing=colander.drop)
    preferences = Preferences(missing=colander.drop)
    status = field(Str, validator=_status)
    roles = field(StrList)
    account_permissions = AccountPermissions(missing=colander.drop)
    dataset_permissions = DatasetPermissions(missing=colander.drop)
    resend_email = field(Bool)
    url_base = field(Str)
    id = field(Str)


class NewAccountUser(colander.MappingSchema):
    """Body of ``POST /account/users/`` (reference §5.3 plus seed 000/002)."""

    schema_type = staticmethod(mapping)
    email = colander.SchemaNode(Str(), validator=colander.Email())
    name = field(Str)
    first_name = field(Str)
    last_name = field(Str)
    username = field(Str, validator=USERNAME)
    password = field(Str)
    roles = field(StrList)
    account_permissions = AccountPermissions(missing=colander.drop)
    send_invite = field(Bool)
    url_base = field(Str)
    id_method = field(Str, validator=colander.OneOf(["pwhash"]))
    id_provider = field(Str, nullable=True)
    role_url = field(Str, nullable=True)
    teams = field(StrList)
    projects = field(StrList)


class Owner(colander.MappingSchema):
    schema_type = staticmethod(mapping)
    email = colander.SchemaNode(Str(), validator=colander.Email())
    name = field(Str)
    password = field(Str)


class NewAccount(colander.MappingSchema):
    schema_type = staticmethod(mapping)
    name = colander.SchemaNode(Str(), validator=colander.Length(min=1, max=200))
    owner = Owner()
    url_base = field(Str)
    send_invite = field(Bool)


class AccountPatch(colander.MappingSchema):
    schema_type = staticmethod(mapping)
    name = field(Str, validator=colander.Length(min=1, max=200))
    owner = field(Str)


def validate(schema: colander.SchemaNode, data: dict) -> dict:
    """Deserialize ``data`` or raise a 400 that names the first bad field."""
    try:
        return schema.deserialize(data)
    except colander.Invalid as exc:
        errors = exc.asdict()
        name, message = next(iter(errors.items()))
        if message.startswith("Unrecognized keys in mapping"):
            message = "unknown field(s) " + message.split(":", 1)[1].strip().strip('"')
        raise bad_request(f"{name}: {message}" if name else message, field=name) from exc
