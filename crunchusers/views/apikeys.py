"""API keys (``/api/apikeys/``): long-lived bearer tokens for scripts.

A key is a JWT (:mod:`crunchusers.infra.jwt_tokens`) shown once, in the
body of the 201 that creates it; only its hash is stored.  Each user holds
at most two live keys (409 beyond, linking the existing ones), and each key
has a required expiry date in the future (seed 003); deleting a key revokes
it at once.  Keys work as ``Authorization: Bearer …`` or as the ``token``
cookie, like sessions; the opaque ``apk-…`` keys older versions made keep
working until their expiry.  The owner is mailed when a key is created.
The keys are resources of the tree (``domain.resources.credentials.ApiKeys``)
whose ACL (``authz.acl.apikey_acl``) lets only the owner — and the superuser
— see and revoke one: anyone else gets 404, as for any resource they may not
see.
"""

from datetime import datetime, timedelta

from pyramid.response import Response

from ..authz.permissions import Permission
from ..domain.exceptions import Conflict, Invalid
from ..domain.notifications import Notifier
from ..infra.clock import isoformat
from ..rendering import shoji
from ..rendering.renderer import write_json
from . import no_content, read_entity, register, tree_service
from .bodies import NewApiKey
from .errors import error_response

apikeys = tree_service("apikeys", "/api/apikeys/")
apikey = tree_service("apikey", "/api/apikeys/{key_id}/")


def includeme(config):
    register(config, apikeys, apikey)


MAX_DAYS = 366


def key_body(key) -> dict:
    session = key.session
    return {
        "id": key.__name__,
        "name": session.name,
        "created": isoformat(session.created),
        "expires": isoformat(session.expires),
        "last_used": isoformat(session.last_used),
    }


def expiry_from(body, now):
    """The required ``expires``: later than ``now`` (``expires == now`` is a
    400) and at most :data:`MAX_DAYS` ahead."""
    raw = body.get("expires")
    if raw is None:
        raise Invalid("expires", "expires is required: an ISO 8601 date-time with a time zone.")
    try:
        expires = datetime.fromisoformat(raw)
    except ValueError:
        expires = None
    if expires is None or expires.tzinfo is None:
        raise Invalid("expires", "expires must be an ISO 8601 date-time with a time zone.")
    if not now < expires <= now + timedelta(days=MAX_DAYS):
        raise Invalid("expires", f"expires must be in the next {MAX_DAYS} days.")
    return expires


def key_index(request) -> dict:
    """The caller's live keys by URL (the listing, and the body of a 409)."""
    keys = request.context.of_user(request.identity)
    return {request.url_of(key): key_body(key) for key in keys}


@apikeys.get(permission=Permission.VIEW)
def get_apikeys(request):
    """The caller's own live keys."""
    return shoji.catalog(request, request.context, key_index(request))


@apikeys.post(permission=Permission.VIEW, schema=NewApiKey())
def post_apikeys(request):
    """Create a key; its secret is in this answer only (``no-store``)."""
    container = request.context
    body = read_entity(request)
    expires = expiry_from(body, container.now)
    try:
        key, token = container.create(request.identity, body.get("name", "API Key"), expires)
    except Conflict as exc:
        return error_response(request, 409, exc.message, extra={"index": key_index(request)})
    Notifier.for_request(request).api_key_created(request.identity, key.session)
    url = request.url_of(key)
    response = Response(status=201, content_type="application/json", charset="utf-8")
    response.location = url
    response.cache_control = "no-store"
    write_json(request, response, shoji.entity(request, key, {**key_body(key), "key": token}))
    return response


@apikey.get(permission=Permission.VIEW)
def get_apikey(request):
    return shoji.entity(request, request.context, key_body(request.context))


@apikey.delete(permission=Permission.DELETE)
def delete_apikey(request):
    request.context.__parent__.revoke(request.context)
    return no_content()
