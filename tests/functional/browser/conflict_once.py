"""A test-only hook: the first attempt of a PATCH to a user conflicts.

Included through ``pyramid.includes``.  When such a request has found its
context, another connection commits a change to that user, so the
request's own write raises ``ConflictError`` and pyramid_retry runs it
again — from the environ the browser's form tween already rewrote.
"""

from pyramid.events import ContextFound

from tests.factories import Factory

ATTEMPTS = []  # retry.attempt of each PATCH attempt seen


def touch_the_user(event):
    request = event.request
    if request.method == "PATCH" and request.path.startswith("/api/users/"):
        ATTEMPTS.append(request.environ.get("retry.attempt"))
        if ATTEMPTS[-1] == 0:
            user_id = request.context.__name__

            def concurrently(root):
                root.users[user_id].mobile = "+1 555 0100"

            Factory(request, testapp=None).write(concurrently)  # it only needs .registry


def includeme(config):
    config.add_subscriber(touch_the_user, ContextFound)
