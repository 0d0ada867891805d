"""API keys (``/api/apikeys/``): long-lived bearer tokens for scripts.

A key is shown once, in the body of the 201 that creates it; only its hash
is stored.  Each user holds at most two live keys (409 beyond), and each key
has an expiry date (seed 003); deleting a key revokes it at once.  Keys work as
``Authorization: Bearer apk-…`` or as the ``token`` cookie, like sessions.
"""

from datetime import datetime, timedelta

from pyramid.response import Response

from ..authz.permissions import Permission
from ..domain.bounds import check_name
from ..domain.exceptions import Conflict, Invalid, NotFound
from ..infra.clock import get_clock, isoformat
from ..rendering import shoji
from ..rendering.renderer import write_json
from . import no_content, tree_service
from .root import api_link

apikeys = tree_service("apikeys", "/api/apikeys/", context="/api/")
apikey = tree_service("apikey", "/api/apikeys/{key_id}/", context="/api/")

MAX_KEYS = 2
DEFAULT_DAYS = 90
MAX_DAYS = 366


def key_body(session) -> dict:
    return {
        "id": session.public_id,
        "name": session.name,
        "created": isoformat(session.created),
        "expires": isoformat(session.expires),
        "last_used": isoformat(session.last_used),
    }


def live_keys(request):
    now = get_clock(request.registry).now()
    keys = request.api_root.sessions.of_user(request.identity, "apikey")
    return [k for k in keys if k.is_live(now)]


def expiry_from(body, now):
    raw = body.get("expires")
    if raw is None:
        return now + timedelta(days=DEFAULT_DAYS)
    try:
        expires = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        expires = None
    if expires is None or expires.tzinfo is None:
        raise Invalid("expires", "expires must be an ISO 8601 date-time with a time zone.")
    if not now < expires <= now + timedelta(days=MAX_DAYS):
        raise Invalid("expires", f"expires must be in the next {MAX_DAYS} days.")
    return expires


@apikeys.get(permission=Permission.VIEW)
def get_apikeys(request):
    index = {api_link(request, "apikeys", k.public_id): key_body(k) for k in live_keys(request)}
    return shoji.catalog(request, None, index, self_url=api_link(request, "apikeys"))


@apikeys.post(permission=Permission.VIEW)
def post_apikeys(request):
    """Create a key; its secret is in this answer only (``no-store``).

    The cap holds under concurrency: the creation writes the user's key
    guard before counting, so of two concurrent creations one is retried and
    counts the other's key (409 once the cap is reached)."""
    body = shoji.entity_body(shoji.json_object(request))
    name = check_name(body.get("name", "API Key"))
    sessions = request.api_root.sessions
    sessions.guard_key_creation(request.identity)
    if len(live_keys(request)) >= MAX_KEYS:
        raise Conflict(f"You already have {MAX_KEYS} API keys; delete one first.")
    now = get_clock(request.registry).now()
    expires = expiry_from(body, now)
    token = sessions.start(
        request.identity, now, expires - now, kind="apikey", name=name, prefix="apk-"
    )
    created = sessions.lookup(token, now)
    url = api_link(request, "apikeys", created.public_id)
    response = Response(status=201, content_type="application/json", charset="utf-8")
    response.location = url
    response.cache_control = "no-store"
    body = shoji.entity(request, None, {**key_body(created), "key": token}, self_url=url)
    write_json(request, response, body)
    return response


def find_key(request):
    for key in live_keys(request):
        if key.public_id == request.matchdict["key_id"]:
            return key
    raise NotFound("No such API key.")


@apikey.get(permission=Permission.VIEW)
def get_apikey(request):
    key = find_key(request)
    url = api_link(request, "apikeys", key.public_id)
    return shoji.entity(request, None, key_body(key), self_url=url)


@apikey.delete(permission=Permission.VIEW)
def delete_apikey(request):
    key = find_key(request)
    request.api_root.sessions.end_by_public_id(request.identity, key.public_id)
    return no_content()
