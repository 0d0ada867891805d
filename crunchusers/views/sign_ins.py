"""A user's login history and tracked activity, and the tween that tracks.

* ``GET /api/users/{id}/login_history/`` — the user's sign-in attempts,
  newest first (``domain.sign_ins``): for the user and the admins of the
  user's account, 404 for anyone else.  Each entry is
  ``.../login_history/{entry}/``.
* ``GET /api/users/{id}/activity/`` — the user's tracked requests, newest
  first, and in its body whether tracking is on: for the admins of the
  user's account.  ``PATCH`` it with ``{"tracking": true|false}`` to switch
  tracking (admins, for other users: nobody switches their own).

Both are paged with ``?page_size=`` (default :data:`DEFAULT_PAGE`, at most
``crunchusers.page_size_limit``) and ``?page_index=`` (from 1); the catalog
has ``total`` and ``urls.next``/``urls.previous``; the index is in order,
newest first (and ``graph`` says so for clients that lose key order).

Tracking (:func:`activity_tween_factory`) runs inside the request's
transaction: for a caller whose tracking is off it only reads their
record; for one whose tracking is on it records method, path (no query
string: it may hold a token), status, time and address — in the request's
own transaction for a success (so a retried request is recorded once), or
in a transaction of its own for an error answer, whose own changes are
undone.
"""

from pyramid.tweens import EXCVIEW
from pyramid_retry import is_error_retryable

from ..authz.grants import account_of
from ..authz.permissions import Permission
from ..authz.rules import may_manage_user, may_read_activity, may_read_sign_ins
from ..domain.exceptions import NotAllowed, NotFound
from ..domain.sign_ins import printable
from ..infra.clock import get_clock, isoformat
from ..infra.settings import get_config
from ..infra.storage import write_apart
from ..rendering import shoji
from . import no_content, read_entity, register, tree_service
from .bodies import TrackingSwitch
from .params import Page

USER = "/api/users/{user_id}/"
DEFAULT_PAGE = 50
PATH_MAX = 1024

history = tree_service("login_history", USER + "login_history/", context=USER)
history_entry = tree_service("login_history_entry", USER + "login_history/{entry}/", context=USER)
activity = tree_service("activity", USER + "activity/", context=USER)
activity_entry = tree_service("activity_entry", USER + "activity/{entry}/", context=USER)


def sign_in_catalogs(request, user) -> tuple[str, ...]:
    """The names of this module's catalogs the caller may read on ``user``
    (for the user entity's ``catalogs``): none for a caller who must still
    verify their email, whom the gate refuses them (``authz.verification``)."""
    me, account = request.identity, account_of(request.api_root, user)
    if me.needs_email_verification:
        return ()
    names = ("login_history",) if may_read_sign_ins(me, user, account) else ()
    return names + (("activity",) if may_read_activity(me, account) else ())


def record_of(request):
    return request.api_root.sign_ins.of(request.context)


def readable_history(request):
    """The user's login history journal (None before any attempt), or 404."""
    user = request.context
    if not may_read_sign_ins(request.identity, user, account_of(request.api_root, user)):
        raise NotFound()
    record = record_of(request)
    return record.history if record is not None else None


def readable_activity(request):
    """The user's activity journal (None while never tracked), or 404."""
    if not may_read_activity(request.identity, account_of(request.api_root, request.context)):
        raise NotFound()
    record = record_of(request)
    return record.activity if record is not None else None


def entry_tuple(entry: dict) -> dict:
    return {**entry, "time": isoformat(entry["time"])}


def journal_catalog(request, journal, description, body=None):
    """A page of ``journal`` as a catalog, newest first."""
    page = Page(request, get_config(request.registry).page_size_limit, DEFAULT_PAGE)
    base = request.path_url
    entries = journal.page(page.start, page.size) if journal is not None else []
    index = {f"{base}{ident}/": entry_tuple(entry) for ident, entry in entries}
    total = len(journal) if journal is not None else 0
    doc = shoji.catalog(
        request,
        None,
        index,
        self_url=request.url,
        description=description,
        graph=list(index),
        urls=page.links(base, total),
        **({"body": body} if body is not None else {}),
    )
    doc["total"] = total
    return doc


def journal_entry(request, journal):
    entry = journal.get(request.matchdict["entry"]) if journal is not None else None
    if entry is None:
        raise NotFound()
    return shoji.entity(request, None, entry_tuple(entry), self_url=request.path_url)


@history.get(permission=Permission.VIEW)
def get_history(request):
    return journal_catalog(request, readable_history(request), "Sign-in attempts, newest first")


@history_entry.get(permission=Permission.VIEW)
def get_history_entry(request):
    return journal_entry(request, readable_history(request))


@activity.get(permission=Permission.VIEW)
def get_activity(request):
    journal = readable_activity(request)
    record = record_of(request)
    body = {"tracking": bool(record is not None and record.tracking)}
    return journal_catalog(request, journal, "Tracked requests, newest first", body=body)


@activity_entry.get(permission=Permission.VIEW)
def get_activity_entry(request):
    return journal_entry(request, readable_activity(request))


@activity.patch(permission=Permission.VIEW, schema=TrackingSwitch())
def patch_activity(request):
    """Switch tracking: admins of the user's account, for other users."""
    user = request.context
    readable_activity(request)
    if not may_manage_user(request.identity, user, account_of(request.api_root, user)):
        raise NotAllowed("Nobody switches the tracking of their own requests.")
    switch = read_entity(request)
    request.api_root.sign_ins.for_user(user).track(switch["tracking"])
    return no_content()


# -- the tracking tween -------------------------------------------------------


def activity_tween_factory(handler, registry):
    """Record the requests of tracked users (see the module docstring)."""

    def activity_tween(request):
        response = handler(request)
        user = request.identity
        record = request.api_root.sign_ins.of(user) if user is not None else None
        if record is None or not record.tracking:
            return response
        now = get_clock(registry).now()
        entry = {
            "method": request.method,
            "path": printable(request.path_info, PATH_MAX),
            "status": response.status_code,
            "ip": request.remote_addr,
        }
        size = get_config(registry).login.activity_size
        if response.status_code < 400:
            record.activity.add(now, entry, size)
        elif not is_error_retryable(request, request.exception):
            user_id = user.__name__
            write_apart(registry, lambda root: _record_apart(root, user_id, now, entry, size))
        return response

    return activity_tween


def _record_apart(api_root, user_id, now, entry, size):
    user = api_root.users.get(user_id)
    record = api_root.sign_ins.of(user) if user is not None else None
    if record is not None and record.tracking:
        record.activity.add(now, entry, size)


def includeme(config):
    """The services, and the tracking tween: inside the request's
    transaction, around the error views (so it sees the status of every
    answer they render)."""
    register(config, history, history_entry, activity, activity_entry)
    config.add_tween(
        "crunchusers.views.sign_ins.activity_tween_factory",
        under="pyramid_tm.tm_tween_factory",
        over=EXCVIEW,
    )
