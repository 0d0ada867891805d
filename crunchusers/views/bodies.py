"""The schema of every request body, by area: what each endpoint accepts.

The building blocks — strict JSON types, string limits, :func:`validate` —
are in ``schemas``; the numbers in ``domain.bounds``.  Who may change what is
the views' and the domain's business; here is only the shape.
"""

import zoneinfo

import colander
from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies

from ..domain import session_lifetime
from ..domain.bounds import NAME_MAX, PREFERENCES_MAX_BYTES, TEXT_MAX
from ..domain.password_policy import PasswordPolicy
from ..domain.resources.users import STATUSES
from ..domain.sign_ins import LOCKOUT_THRESHOLD_RANGE
from ..infra.passwords import LOGIN_MAX_LENGTH as PASSWORD_MAX
from ..rendering.shoji import LINK_MEMBERS
from .schemas import (
    LINE,
    NAME,
    Bool,
    Int,
    JsonObject,
    Object,
    Str,
    StrictMapping,
    StrList,
    all_of,
    email_address,
    field,
    name_field,
    object_size,
    optional,
    text,
)

# -- users and accounts --------------------------------------------------------

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


#: A password sent to be checked: any characters, no longer than a valid one.
PASSWORD = colander.Length(max=PASSWORD_MAX, max_err=f"must be at most {PASSWORD_MAX} characters")


def _status(node, value):
    if value not in STATUSES:
        raise colander.Invalid(node, f"must be one of {', '.join(STATUSES)}")


class Preferences(Object):
    validator = staticmethod(object_size(PREFERENCES_MAX_BYTES))
    currency = field(Str, validator=_currency)
    timezone = field(Str, validator=all_of(LINE, _timezone))
    locale = field(Str, validator=all_of(LINE, _locale))


class Address(Object):
    street = field(Str, validator=text(TEXT_MAX, multiline=True))
    city = field(Str, validator=NAME)
    state = field(Str, validator=NAME)
    postal_code = field(Str, validator=NAME)
    country = field(Str, validator=NAME)


class AccountPermissions(Object):
    alter_users = field(Bool)
    admin_account = field(Bool)
    create_datasets = field(Bool)


class DatasetPermissions(Object):
    view = field(Bool)
    edit = field(Bool)
    change_permissions = field(Bool)
    add_users = field(Bool)
    change_weight = field(Bool)


class UserPatch(Object):
    """Everything a user entity PATCH may carry; who may change what is
    decided by ``user_changes.UserChange``."""

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


class NewAccountUser(Object):
    """Body of ``POST /account/users/`` (reference §5.3 plus seed 000/002)."""

    email = colander.SchemaNode(Str(), validator=email_address)
    name = field(Str, validator=NAME)
    first_name = field(Str, validator=NAME)
    last_name = field(Str, validator=NAME)
    username = field(Str, validator=USERNAME)
    password = field(Str, validator=PASSWORD)
    roles = field(StrList)
    account_permissions = AccountPermissions(missing=colander.drop)
    send_invite = field(Bool)
    url_base = field(Str, validator=LINE)
    id_method = field(Str, validator=colander.OneOf(["pwhash"]))
    id_provider = field(Str, nullable=True, validator=NAME)
    role_url = field(Str, nullable=True, validator=LINE)
    teams = field(StrList)
    projects = field(StrList)


class Owner(Object):
    email = colander.SchemaNode(Str(), validator=email_address)
    name = field(Str, validator=NAME)
    password = field(Str, validator=PASSWORD)


#: An account's name: required, one line, at most NAME_MAX characters.
ACCOUNT_NAME = text(NAME_MAX, required=True)


class NewAccount(Object):
    name = colander.SchemaNode(Str(), validator=ACCOUNT_NAME)
    owner = Owner()
    url_base = field(Str, validator=LINE)
    send_invite = field(Bool)


def _bounded(name):
    low, high = PasswordPolicy.BOUNDS[name]
    return field(Int, validator=colander.Range(low, high))


class PasswordPolicySettings(Object):
    """What an account admin may choose of the password policy."""

    min_length = _bounded("min_length")
    history = _bounded("history")


SESSION_LIFETIME = colander.Range(session_lifetime.MIN_SECONDS, session_lifetime.MAX_SECONDS)


class AccountPatch(Object):
    name = field(Str, validator=ACCOUNT_NAME)
    owner = field(Str, validator=LINE)
    password_policy = PasswordPolicySettings(missing=colander.drop)
    mfa_required = field(Bool)
    #: null: back to the server's default
    session_lifetime_seconds = field(Int, nullable=True, validator=SESSION_LIFETIME)
    lockout_threshold = field(Int, validator=colander.Range(*LOCKOUT_THRESHOLD_RANGE))


# -- the Shoji envelope ----------------------------------------------------------


def _document(element: str, *members) -> colander.SchemaNode:
    """A wrapped ``element`` write, but its data: the members a GET of it
    carries, so that a fetched document may be sent back (the links are
    ignored), and ``members``."""
    return colander.SchemaNode(
        StrictMapping(),
        field(Str, name="element", validator=colander.OneOf([element])),
        field(Str, name="self", validator=LINE),
        field(Str, name="description", validator=text(multiline=True)),
        *(field(JsonObject, name=link) for link in LINK_MEMBERS),
        *members,
    )


#: A wrapped entity write, but its ``body``.
ENVELOPE = _document("shoji:entity")
#: A wrapped catalog PATCH, but its options (``CatalogOptions``).
CATALOG_ENVELOPE = _document("shoji:catalog", field(JsonObject, name="index"))


#: An object whose members a later schema checks: a tuple of an entity
#: catalog, a user change (``user_changes`` checks it against UserPatch).
ANY_OBJECT = colander.SchemaNode(JsonObject())


# -- catalog PATCHes -----------------------------------------------------------


class CatalogOptions(Object):
    """What a catalog PATCH may carry beside its tuples
    (``rendering.shoji.CATALOG_OPTIONS``)."""

    send_notification = field(Bool)
    send_notifications = field(Bool)
    url_base = field(Str, nullable=True, validator=LINE)
    dataset_url = field(Str, nullable=True, validator=LINE)
    project_url = field(Str, nullable=True, validator=LINE)
    message = field(Str, nullable=True, validator=text(TEXT_MAX, multiline=True))


#: A key of a members or permissions catalog: a user or team URL, or an email.
MEMBER_REFERENCE = colander.SchemaNode(Str(), name="member reference", validator=LINE)
#: An address to invite, named by the catalog key it came in.
EMAIL_ADDRESS = colander.SchemaNode(Str(), validator=email_address)


def _read_only_members() -> list:
    """What the members and permissions catalogs show in a tuple besides
    the permissions; a client may send it back (reference §8.4: "other
    tuple keys ignored"), so it is accepted and ignored."""
    return [
        field(Str, nullable=True, name="name"),
        field(Str, nullable=True, name="email"),
        field(Bool, name="is_owner"),
        field(Bool, name="collaborator"),
        field(JsonObject, name="coalesced_permissions"),
    ]


def member_tuple(grant: str, flags: type[colander.MappingSchema], *extra) -> colander.SchemaNode:
    """The schema of a tuple of a members or permissions catalog PATCH:
    ``grant`` (the catalog's permissions member, an object checked by
    ``flags``), the ``extra`` members, and the read-only members — accepted
    only beside ``grant``: alone they would answer 204 doing nothing."""
    read_only = _read_only_members()

    def changes_something(node, value):
        if grant not in value and any(child.name in value for child in read_only):
            raise colander.Invalid(
                node, f"Tuple members other than {grant} are read-only; this would change nothing."
            )

    return colander.SchemaNode(
        StrictMapping(),
        flags(name=grant, missing=colander.drop),
        *extra,
        *read_only,
        validator=changes_something,
    )


# -- teams ---------------------------------------------------------------------


class NewTeam(Object):
    name = name_field(required=True)


TEAM_PATCH = optional(NewTeam())


class TeamFlags(Object):
    """A member's ``permissions``: ``team_admin``, formerly ``manage_members``."""

    team_admin = field(Bool)
    manage_members = field(Bool)


TEAM_MEMBER = member_tuple("permissions", TeamFlags)


# -- projects ------------------------------------------------------------------


class NewProject(Object):
    name = name_field(required=True)
    description = field(Str, validator=text(multiline=True))
    icon_url = field(Str, nullable=True, validator=LINE)
    icon = field(Str, nullable=True, validator=LINE)


PROJECT_PATCH = optional(NewProject())


def _line_keys(node, value):
    """An object keyed by URLs: every key one line of at most TEXT_MAX."""
    for key in value:
        LINE(node, key)


#: A project entity PATCH also carries (scrunch's ``move_here``) ``index``,
#: which moves things into the project, and ``graph``, which reorders its
#: children.
PROJECT_ENVELOPE = _document(
    "shoji:entity",
    field(JsonObject, name="index", nullable=True, validator=_line_keys),
    field(StrList, name="graph", nullable=True),
)


class Order(Object):
    """A ``shoji:order`` PUT: pycrunch sends back the document it read."""

    element = field(Str, validator=colander.OneOf(["shoji:order"]))
    self = field(Str, validator=LINE)
    description = field(Str, validator=text(multiline=True))
    graph = colander.SchemaNode(StrList())


def _always(node, value):
    if value is not True:
        raise colander.Invalid(node, "cannot be revoked alone; remove the member with null")


class ProjectFlags(Object):
    """A member's ``permissions``: ``edit``; ``view`` holds for every member,
    so it may be sent, but only as true."""

    edit = field(Bool)
    view = field(Bool, validator=_always)


PROJECT_MEMBER = member_tuple("permissions", ProjectFlags)


# -- datasets ------------------------------------------------------------------


STREAMING = ("no", "streaming", "finished")


class DatasetTuple(Object):
    """What a datasets catalog PATCH may change in a tuple."""

    name = name_field()
    description = field(Str, validator=text(multiline=True))
    archived = field(Bool)
    is_published = field(Bool)
    start_date = field(Str, nullable=True, validator=NAME)
    end_date = field(Str, nullable=True, validator=NAME)


class DatasetBody(DatasetTuple):
    """What a dataset entity POST or PATCH may set besides."""

    notes = field(Str, validator=text(multiline=True))
    streaming = field(Str, validator=colander.OneOf(STREAMING))
    owner = field(Str, validator=LINE)  # a user URL or email, or a project URL
    project = field(Str, validator=LINE)


class DatasetPatch(DatasetBody):
    current_editor = field(Str, nullable=True, validator=LINE)


def crunch_table(node, table):
    """scrunch sends a ``crunch:table`` with every new dataset.  This server
    stores dataset metadata only, so a table is accepted only while its
    metadata defines no variables (one value: errors name ``table``)."""
    if table.get("element", "crunch:table") != "crunch:table":
        raise colander.Invalid(node, "must be a crunch:table object")
    if set(table) - {"element", "metadata"}:
        raise colander.Invalid(node, "may only have element and metadata")
    metadata = table.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise colander.Invalid(node, "table.metadata must be an object")
    if metadata:
        raise colander.Invalid(
            node,
            "This server stores dataset metadata only: it cannot create variables, "
            "so table.metadata must be empty.",
        )


class NewDataset(DatasetBody):
    name = name_field(required=True)
    maintainer = field(Str, nullable=True, validator=LINE)  # accepted, not kept
    table = field(JsonObject, validator=crunch_table)


class Settings(Object):
    viewers_can_export = field(Bool)
    viewers_can_change_weight = field(Bool)
    viewers_can_share = field(Bool)
    weight = field(Str, nullable=True, validator=LINE)  # a variable URL
    dashboard_deck = field(Str, nullable=True, validator=LINE)  # a deck URL


#: A user's preferences for a dataset: free keys, any JSON values (null
#: deletes a key); what is stored is bounded as a whole.
PREFERENCES = colander.SchemaNode(JsonObject())


def _no_private_filters(node, value):
    if value:
        raise colander.Invalid(node, "Private filters cannot be applied to a share.")


class SharingProfile(Object):
    """``profile`` of a share (reference §8.4): the weight the grantee sees."""

    nullable = True
    weight = field(Str, nullable=True, validator=LINE)
    applied_filters = field(StrList, validator=_no_private_filters)


SHARE = member_tuple(
    "dataset_permissions",
    DatasetPermissions,
    SharingProfile(name="profile", missing=colander.drop),
)


# -- log-in, passwords, API keys, actions on users -------------------------------


def _login_name(node, value):
    if "email" not in value and "username" not in value:
        raise colander.Invalid(node["email"], "Required (or username)")


class Login(Object):
    """``email`` (or ``username``) and ``password``; ``token: true`` asks
    for a bearer token instead of a cookie.  No valid login is longer than
    a name, no valid password longer than the policy allows."""

    validator = staticmethod(_login_name)
    email = field(Str, validator=NAME)
    username = field(Str, validator=NAME)
    password = colander.SchemaNode(Str(), validator=PASSWORD)
    token = field(Bool)


# Passwords are only bounded here; what makes one acceptable is the password
# policy's to say (``domain.password_policy``), with a message naming the rule.


def _required(kind, *, validator=None):
    return colander.SchemaNode(kind(), validator=validator)


class PasswordChange(Object):
    """``POST /users/{id}/password/`` (reference §4.3): the current password
    and the new one."""

    old_pw = _required(Str, validator=PASSWORD)
    new_pw = _required(Str, validator=PASSWORD)


class OwnPassword(Object):
    """The members of the own-account edit (seed 001) that need the current
    password, which the user entity PATCH/PUT takes out of its body before
    ``UserPatch``: a new password, a new email address."""

    password = field(Str, validator=PASSWORD)
    old_password = field(Str, validator=PASSWORD)
    email = field(Str, validator=email_address)


class LinkRequest(Object):
    """Bodies that only ask for a mailed link: ``url_base`` is its template."""

    url_base = field(Str, nullable=True, validator=LINE)


class PasswordResetRequest(LinkRequest):
    """``POST /public/password_reset/``: the address, and the link template."""

    email = _required(Str, validator=email_address)


class EmailChange(LinkRequest):
    """``POST /users/{id}/change_email/``: the current password, the new
    address, and optionally the template of the link mailed to it."""

    pw = _required(Str, validator=PASSWORD)
    email = _required(Str, validator=email_address)


class MailedToken(Object):
    """``POST /public/change_email/`` and ``/public/verify_email/``."""

    token = _required(Str, validator=LINE)


class PasswordSet(Object):
    """``POST /public/password_change/``: a mailed token and the new password."""

    token = _required(Str, validator=LINE)
    password = _required(Str, validator=PASSWORD)


class Invitation(Object):
    url_base = field(Str, nullable=True, validator=LINE)


class NewApiKey(Object):
    name = name_field()
    expires = field(Str, nullable=True, validator=LINE)  # ISO 8601 with a zone


class TrackingSwitch(Object):
    """``PATCH /users/{id}/activity/``: switch the user's activity tracking."""

    tracking = _required(Bool)


class Reassign(Object):
    owner = field(Str, validator=LINE)  # a user URL or email


# -- second factors (``views.second_factor``) -------------------------------------


#: A code as typed: six digits (mailed or TOTP) or a recovery code.
CODE = colander.Length(max=64, max_err="must be at most 64 characters")


class Reauthentication(Object):
    """The current password, proving the caller again (``views.reauth``)."""

    password = field(Str, validator=PASSWORD)


class SecondFactorPatch(Reauthentication):
    """``PATCH /users/{id}/second_factor/``: opt in to (or out of, with the
    password) mailed codes."""

    email = _required(Bool)


class TotpEnrolment(Object):
    """``POST /users/{id}/second_factor/totp/``: the current password."""

    password = _required(Str, validator=PASSWORD)


class SecondFactorAnswer(Object):
    """``POST /public/login/second_factor/``: a login's challenge and a code."""

    challenge = _required(Str, validator=LINE)
    code = _required(Str, validator=CODE)


class SecondFactorCode(Object):
    """A fresh code of the user's authenticator app: to confirm an
    enrolment, to get new recovery codes."""

    code = _required(Str, validator=CODE)


class RecoveryCodesRequest(SecondFactorCode):
    """``POST /users/{id}/second_factor/recovery_codes/``: a fresh app code
    and the current password."""

    password = _required(Str, validator=PASSWORD)
