"""A live server for client tests: WebTest's StopableWSGIServer (waitress in
a thread) on a free loopback port, serving the app the test seeds in-process.

Stopping it is ordered so that no thread ever touches a closed descriptor
(the cause of an ``OSError`` from waitress's trigger in one run of five on a
busy machine): first the worker threads finish and are joined, so none can
pull the trigger again; the loop writes out what they answered; then the
loop closes every channel and the trigger itself from its own thread and
ends.
"""

import time
from contextlib import contextmanager

import pycrunch
import pytest
from waitress import wasyncore
from webtest.http import StopableWSGIServer

from crunchusers import main
from crunchusers.infra.mail import stop_delivery
from crunchusers.infra.storage import get_db
from tests.conftest import free_port


@pytest.fixture
def live_port():
    return free_port()


@pytest.fixture
def live_app(settings, tmp_path, live_port):
    """The app on a FileStorage, as a real deployment runs it, with its own
    address as ``public_url`` (clients such as scrunch mail links to it)."""
    return make_live_app(settings, tmp_path, live_port)


def make_live_app(settings, folder, port):
    return main(
        {},
        **{
            **settings,
            "zodbconn.uri": f"file://{folder / 'Data.fs'}",
            "crunchusers.public_url": f"http://127.0.0.1:{port}",
        },
    )


def wait_for_flushed_answers(server, timeout: float):
    """Let the loop thread write out what the finished workers answered (a
    busy machine may not have sent it yet), up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        channels = list(server._map.values())
        if not any(getattr(c, "total_outbufs_len", 0) for c in channels):
            return
        time.sleep(0.01)


def stop_server(server: StopableWSGIServer, timeout: float = 10.0):
    """Stop ``server`` without racing its threads (see the module docstring)."""
    server.was_shutdown = True  # its run() then ignores the loop's last OSError
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=timeout)
    wait_for_flushed_answers(server, timeout)

    def close_everything():  # runs in the loop thread; the loop ends with an empty map
        wasyncore.close_all(server._map)

    try:
        server.trigger.pull_trigger(close_everything)
    except OSError:
        # The loop closed its trigger already (seen when the last channel
        # closed as the workers stopped): the loop is ending by itself.
        server.runner.join(timeout)
        close_everything()
    server.runner.join(timeout)
    assert not server.runner.is_alive(), "the test server did not stop"


@pytest.fixture
def server(live_app, live_port, monkeypatch):
    """The live app at ``http://127.0.0.1:<port>/api/``."""
    # connect() keeps the first root it returns in this module global.
    monkeypatch.setattr(pycrunch, "session", None)
    with serving(live_app, live_port) as api_url:
        yield api_url


@contextmanager
def serving(app, port):
    """``app`` served at ``http://127.0.0.1:<port>/api/`` until the block
    ends; then its server, mail worker and database stop."""
    srv = StopableWSGIServer.create(app, host="127.0.0.1", port=port, threads=4)
    assert srv.wait(), "the test server did not start"
    try:
        yield f"{srv.application_url}api/"
    finally:
        stop_server(srv)
        stop_delivery(app.registry)  # its worker must not use the closed database
        get_db(app.registry).close()
