"""Refuse oversize request bodies before any work is done.

A tween over everything else: a declared ``Content-Length`` above the limit
is refused unread; a body without one (chunked) is read up to one byte past
the limit.  Either way the answer is 413 with the JSON error envelope.
"""

from .errors import error_response
from .settings import get_config


def body_limit_tween_factory(handler, registry):
    limit = get_config(registry).max_body_bytes

    def body_limit_tween(request):
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
