"""The live-server fixture stops without racing its own threads (issue 7, item 22)."""

import threading
import urllib.request

from webtest.http import StopableWSGIServer

from tests.functional.conftest import stop_server


def slow_app(entered: threading.Event, release: threading.Event):
    def app(environ, start_response):
        entered.set()
        release.wait(5)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"done"]

    return app


def test_item07_22_stop_waits_for_a_request_in_flight(monkeypatch):
    """Stopping while a worker thread still answers: the worker finishes and
    no thread dies on a closed trigger (the old fixture closed the loop first,
    and the worker's pull of the closed trigger raised OSError)."""
    thread_errors = []
    monkeypatch.setattr(threading, "excepthook", thread_errors.append)
    entered, release = threading.Event(), threading.Event()
    server = StopableWSGIServer.create(slow_app(entered, release), host="127.0.0.1", threads=2)
    assert server.wait()
    answers = []
    client = threading.Thread(
        target=lambda: answers.append(urllib.request.urlopen(server.application_url).read())
    )
    client.start()
    assert entered.wait(5)
    threading.Timer(0.2, release.set).start()  # the answer completes while we stop
    stop_server(server)
    client.join(5)
    assert answers == [b"done"]
    assert thread_errors == []
    assert not any(t.is_alive() for t in server.task_dispatcher.threads)
