"""Refuse oversize and undecodable requests before any work is done.

A tween over everything else: a declared ``Content-Length`` above the limit
is refused unread; a body without one (chunked) is read up to one byte past
the limit.  Either way the answer is 413 with the JSON error envelope.  A
path or query string that is not UTF-8 is a 400 here, where it would
otherwise fail in whichever code first reads it (the error view included).
"""

from ..infra.settings import get_config
from .errors import error_response


def is_undecodable(request) -> bool:
    """True when the path or the query string is not valid UTF-8."""
    try:
        request.path_info  # noqa: B018 -- decoding is the check
        if request.environ.get("QUERY_STRING"):  # an empty one decodes
            request.GET  # noqa: B018
    except UnicodeDecodeError:
        return True
    return False


def body_limit_tween_factory(handler, registry):
    limit = get_config(registry).max_body_bytes

    def body_limit_tween(request):
        if is_undecodable(request):
            return error_response(request, 400, "The URL must be UTF-8 encoded.")
        length = request.content_length
        if length is None and request.method in ("POST", "PUT", "PATCH"):
            data = request.body_file_raw.read(limit + 1)
            request.body = data
            length = len(data)
        if length is not None and length > limit:
            message = f"Request body is larger than the limit of {limit} bytes."
            return error_response(request, 413, message)
        return handler(request)

    return body_limit_tween


def includeme(config):
    """Outermost of our tweens: nothing runs for a request it refuses."""
    config.add_tween(f"{__name__}.body_limit_tween_factory", over="pyramid_tm.tm_tween_factory")
