"""A live server for client tests: waitress on a free loopback port."""

import threading

import pycrunch
import pytest
from waitress import create_server, wasyncore

from crunchusers import main
from crunchusers.db import get_db


@pytest.fixture
def live_app(settings, tmp_path):
    """The app on a FileStorage, as a real deployment runs it."""
    return main({}, **{**settings, "zodbconn.uri": f"file://{tmp_path / 'Data.fs'}"})


@pytest.fixture
def server(live_app, monkeypatch):
    """waitress serving the app on 127.0.0.1:<free port>; yields the API root URL."""
    app = live_app
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, name="waitress-test", daemon=True)
    thread.start()

    def stop():  # runs in the server thread, so its select() need not time out
        srv.close()
        wasyncore.close_all(srv._map)  # keep-alive client channels too: the loop ends

    # connect() keeps the first root it returns in this module global.
    monkeypatch.setattr(pycrunch, "session", None)
    try:
        yield f"http://127.0.0.1:{srv.effective_port}/api/"
    finally:
        srv.trigger.pull_trigger(stop)
        thread.join(timeout=5)
        srv.task_dispatcher.shutdown()
        get_db(app.registry).close()
    assert not thread.is_alive()
