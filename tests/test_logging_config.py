"""The shipped logging configuration logs no line per request: waitress's
"Task queue depth" warnings (one per request that waits for a thread) are
off, its errors and our own warnings are not."""

import logging
import logging.config

import pytest
from waitress.task import ThreadedTaskDispatcher

from tests.test_config import DEVELOPMENT_INI, PRODUCTION_INI


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    names = ("waitress", "waitress.queue", "crunchusers")
    saved = (root.level, root.handlers[:], {n: logging.getLogger(n).level for n in names})
    yield
    logging.getLogger("waitress.queue").handlers.clear()
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.mark.parametrize("ini", [DEVELOPMENT_INI, PRODUCTION_INI], ids=lambda p: p.name)
def test_queue_depth_is_not_logged(ini, restore_logging):
    logging.config.fileConfig(str(ini), disable_existing_loggers=False)
    seen = Collect()
    dispatcher = ThreadedTaskDispatcher()  # no threads: every task waits
    dispatcher.queue_logger.addHandler(seen)
    dispatcher.add_task(object())
    dispatcher.queue.clear()
    dispatcher.queue_logger.error("a real problem")
    assert seen.messages == ["a real problem"]
    assert logging.getLogger("crunchusers").isEnabledFor(logging.WARNING)
    assert logging.getLogger("waitress").isEnabledFor(logging.WARNING)


def test_waitress_would_log_it_otherwise(restore_logging):
    """The check above is not vacuous: this is the line it suppresses."""
    logging.getLogger("waitress.queue").setLevel(logging.NOTSET)
    seen = Collect()
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.queue_logger.addHandler(seen)
    dispatcher.add_task(object())
    dispatcher.queue.clear()
    assert seen.messages == ["Task queue depth is 1"]
