"""How each resource looks on the wire: a catalog tuple and an entity body.

Persistent classes know nothing about JSON or requests; these functions do.
"""

from ..authz.grants import account_of, ceiling
from ..authz.roles import ROLES, account_permissions_for
from ..authz.rules import is_account_admin, may_edit_profile
from ..domain.second_factor import state as second_factor_state
from ..domain.sign_ins import last_login_in, summary
from ..infra.clock import get_clock, isoformat
from ..infra.settings import get_config
from .display import display_format
from .remembered import Unnamed, cache_of, state
from .urls import application_url

# -- users: two tiers of profile, and the tombstone -------------------------
#
# Who sees what of a user is decided here and nowhere else:
#
# * the *full* profile (mobile, address, preferences, roles, status, last
#   login…) for the user themself and the admins of the user's own account
#   (the superuser included);
# * the *public* profile (PUBLIC_PROFILE) for everyone else who may see the
#   user at all: plain members of the same account, co-members of a team,
#   admins of another account the user collaborates with;
# * a removed user's *tombstone* (TOMBSTONE: what attribution needs), which
#   only the admins of its account see.

PUBLIC_PROFILE = (
    "id",
    "name",
    "first_name",
    "last_name",
    "email",
    "avatar",
    "id_method",
    "id_provider",
    # account users tuples only: the most one may grant the user on a dataset
    # (pycrunch's sharing recipe reads it) and whether the viewer may edit them
    "dataset_permissions",
    "editable",
)
TOMBSTONE = ("id", "name", "status")


def profile_tier(viewer, user, api_root) -> str:
    """``"full"``, ``"public"`` or ``"tombstone"``: what ``viewer`` may read of ``user``."""
    if user.status == "deleted":
        return "tombstone"
    if viewer is not None and viewer.__name__ == user.__name__:
        return "full"
    account = api_root.accounts.get(user.account_id) if user.account_id else None
    return "full" if viewer is not None and is_account_admin(viewer, account) else "public"


def for_tier(fields: dict, tier: str) -> dict:
    """The members of a full representation that ``tier`` may see."""
    if tier == "full":
        return fields
    keep = TOMBSTONE if tier == "tombstone" else PUBLIC_PROFILE
    return {key: fields[key] for key in keep if key in fields}


def _user_tuple(user) -> dict:
    return {
        "id": user.__name__,
        "name": user.name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "username": user.username,
        "status": user.status,
        "avatar": user.avatar,
        "id_method": user.id_method,
        "id_provider": user.id_provider,
    }


def user_tuple(request, user) -> dict:
    """A ``/api/users/`` tuple as the caller may see it."""
    return for_tier(_user_tuple(user), profile_tier(request.identity, user, request.api_root))


def roles_of(user) -> list[str]:
    return [role for role in user.roles if role in ROLES]


def viewer_format(viewer):
    """The viewer's display format for times (their locale and time zone)."""
    prefs = viewer.preferences
    return display_format(prefs.get("locale", "en_US"), prefs.get("timezone", "UTC"))


def display_times(user, viewer, last_signed_in, show=None) -> dict:
    """``created`` and the last sign-in for humans, as ``viewer`` reads them
    (``show``: ``viewer_format(viewer)`` when the caller has it already)."""
    show = show or viewer_format(viewer)
    return {
        "created": show(user.created) if user.created is not None else None,
        "last_login": show(last_signed_in) if last_signed_in is not None else None,
    }


def _request_viewer_format(request, viewer):
    """``viewer_format(viewer)``, looked up once per request for a catalog."""
    known = request.__dict__.get("_crunchusers_viewer_format")
    if known is None or known[0] is not viewer:
        known = request.__dict__["_crunchusers_viewer_format"] = (viewer, viewer_format(viewer))
    return known[1]


def account_user_entries(request, users, viewer, account) -> dict:
    """The index of an account users catalog: ``users`` (members of
    ``account``) as ``viewer`` may see them.  Each tuple is remembered
    across requests (:mod:`.remembered`) under the states of everything it
    is built from: the user, their sign-in record and its last sign-in, the
    viewer (their tier and the edit flag follow from the viewer, the user
    and the account), the account, the viewer's display format and the
    application URL."""
    api_root = request.api_root
    records = api_root.sign_ins.users
    show = _request_viewer_format(request, viewer)
    cache = cache_of(request)
    try:
        around = (state(viewer), state(account), show, application_url(request))
    except Unnamed:
        cache = None
    index = {}
    for user in users:
        record = records.get(user.__name__)
        try:
            if cache is None or user.account_id != account.__name__:
                raise Unnamed
            last = state(record.last) if record is not None else None
            key = (state(user), state(record), last, around)
        except Unnamed:
            url, index[url] = _account_user_entry(request, user, record, viewer, account, show)
            continue
        entry = cache.get(key)
        if entry is None:
            entry = _account_user_entry(request, user, record, viewer, account, show)
            cache.put(key, entry)
        index[entry[0]] = entry[1]
    return index


def _account_user_entry(request, user, record, viewer, account, show) -> tuple[str, dict]:
    tier = profile_tier(viewer, user, request.api_root)
    editable = may_edit_profile(viewer, user, account)
    return request.url_of(user), _account_user_row(user, record, tier, editable, show)


def _account_user_row(user, record, tier, editable, show) -> dict:
    roles = roles_of(user)
    signed_in = last_login_in(record, user)
    row = {
        **_user_tuple(user),
        "created": isoformat(user.created),
        "last_login": isoformat(signed_in),
        "display": display_times(user, None, signed_in, show),
        "roles": roles,
        "roles_csv": ",".join(roles),
        "account_permissions": account_permissions_for(user),
        "dataset_permissions": ceiling(user),
        "editable": editable,
    }
    return for_tier(row, tier)


def user_body(request, user) -> dict:
    """A user entity body as the caller may see it."""
    tier = profile_tier(request.identity, user, request.api_root)
    return for_tier(full_user_body(request, user) if tier == "full" else _user_tuple(user), tier)


def full_user_body(request, user) -> dict:
    address = dict(user.address or {})
    now, idle = get_clock(request.registry).now(), get_config(request.registry).session_idle
    sign_ins = summary(request.api_root, user, now, idle)
    manager_url = None
    if user.manager_id and user.manager_id in request.api_root.users:
        manager_url = request.url_of(request.api_root.users[user.manager_id])
    return {
        "id": user.__name__,
        "username": user.username,
        "name": user.name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "id_method": user.id_method,
        "id_provider": user.id_provider,
        "account_permissions": account_permissions_for(user),
        "roles": roles_of(user),
        "status": user.status,
        "title": user.title,
        "mobile": user.mobile,
        "address": address,
        "manager": manager_url,
        "avatar": user.avatar,
        "email_verified": user.email_verified,
        "is_superuser": user.is_superuser,
        "created": isoformat(user.created),
        "preferences": dict(user.preferences),
        "display": display_times(user, request.identity, sign_ins["last_login"]),
        # seed 001's UserActivity (domain.sign_ins.summary)
        **sign_ins,
        "last_login": isoformat(sign_ins["last_login"]),
        "last_password_update": isoformat(user.password_changed),
        "second_factor": second_factor_state(user, account_of(request.api_root, user)),
    }


def team_tuple(request, team, viewer) -> dict:
    owner = request.api_root.users.get(team.owner_id)
    return {
        "id": team.__name__,
        "name": team.name,
        "owner": request.url_of(owner) if owner is not None else None,
        "permissions": {"team_admin": team.is_team_admin(viewer.__name__)},
    }


def dataset_tuple(request, dataset, permissions) -> dict:
    """The catalog summary of a dataset; ``permissions`` are the viewer's."""
    return next(iter(dataset_entries(request, [(dataset, permissions)]).values()))


def dataset_entries(request, pairs) -> dict:
    """The index of a dataset catalog from ``(dataset, permissions)`` pairs
    (the viewer's).  Each tuple is remembered across requests
    (:mod:`.remembered`) under the states of the dataset, its owner and its
    current editor, whether its project exists, the permissions and the
    application URL."""
    api_root = request.api_root
    users, projects = api_root.users, api_root.projects
    cache = cache_of(request)
    where = application_url(request)
    index = {}
    for dataset, permissions in pairs:
        owner = users.get(dataset.owner_id)
        editor = users.get(dataset.current_editor_id) if dataset.current_editor_id else None
        project = projects.get(dataset.project_id) if dataset.project_id else None
        key = entry = None
        if cache is not None:
            try:
                states = (state(dataset), state(owner), state(editor), project is None)
                key = (states, tuple(permissions.items()), where)
            except Unnamed:
                pass
            else:
                entry = cache.get(key)
        if entry is None:
            row = _dataset_tuple(request, dataset, permissions, owner, editor, project)
            entry = (request.url_of(dataset), row)
            if key is not None:
                cache.put(key, entry)
        index[entry[0]] = entry[1]
    return index


def _dataset_tuple(request, dataset, permissions, owner, editor, project) -> dict:
    owner_name = owner.name if owner is not None else None
    return {
        "id": dataset.__name__,
        "name": dataset.name,
        "description": dataset.description,
        "archived": dataset.archived,
        "is_published": dataset.is_published,
        "permissions": permissions,
        "owner_id": request.url_of(owner) if owner is not None else None,
        "owner_name": owner_name,
        "owner_display_name": owner_name,
        "project": request.url_of(project) if project is not None else None,
        "size": {"rows": 0, "columns": 0, "unfiltered_rows": 0},
        "creation_time": isoformat(dataset.created),
        "modification_time": isoformat(dataset.modified),
        "start_date": dataset.start_date,
        "end_date": dataset.end_date,
        "streaming": dataset.streaming,
        "current_editor": request.url_of(editor) if editor is not None else None,
        "current_editor_name": editor.name if editor is not None else None,
    }


def project_tuple(request, project, permissions) -> dict:
    owner = request.api_root.users.get(project.owner_id)
    account = request.api_root.accounts.get(project.account_id)
    return {
        "type": "project",
        "id": project.__name__,
        "name": project.name,
        "description": project.description,
        "icon": project.icon,
        "owner": request.url_of(owner) if owner is not None else None,
        "account": request.url_of(account) if account is not None else None,
        "permissions": permissions,
        "subproject_count": len(project.ids("child_project_ids")),
    }
