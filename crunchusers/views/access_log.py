"""One log line per request: method, path, status, milliseconds.

Logged at INFO on ``crunchusers.access``, which ``development.ini`` shows
and production's WARN level hides.  The query string is never logged (a
client may put a token there), and a path segment as long as a bearer
token (40 characters or more; ids are 32) is written as ``…``, so a mailed
link's token in a path never reaches the log either.
"""

import logging
import time

from pyramid.tweens import INGRESS

log = logging.getLogger("crunchusers.access")

TOKEN_LENGTH = 40


def loggable_path(environ) -> str:
    """The path without its query string or anything token-sized."""
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    segments = ("…" if len(s) >= TOKEN_LENGTH else s for s in path.split("/"))
    return "/".join(segments)


def access_log_tween_factory(handler, registry):
    def access_log_tween(request):
        if not log.isEnabledFor(logging.INFO):
            return handler(request)
        started = time.perf_counter()
        status = 500
        try:
            response = handler(request)
            status = response.status_code
            return response
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            path = loggable_path(request.environ)
            log.info("%s %s %s %.1fms", request.method, path, status, elapsed)

    return access_log_tween


def includeme(config):
    """Outermost tween, so the time and status include every other one."""
    config.add_tween(f"{__name__}.access_log_tween_factory", under=INGRESS)
