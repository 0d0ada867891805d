"""Password hashing capacity: a few low-priority threads and a short queue.

One argon2id hash takes ~150 ms of CPU and 64 MiB (reference
performance.md §3.2).  Run on the request threads, a flood of logins took
every waitress thread and every core, and ordinary reads waited a second.
So hashes run here instead:

* in at most ``slots`` dedicated threads, started when needed and ended
  after a minute idle — never a thread per attempt — and niced on Linux
  (:data:`NICENESS`), so that argon2 (and the lanes libargon2 starts from
  them, which inherit the niceness) gets the CPU that requests leave idle;
* with at most ``waiting`` more hashes queued; a request finding the queue
  full, or still queued after ``wait_seconds``, gets :class:`HashingBusy`
  (a 503 with ``Retry-After``) instead of holding its thread any longer.

A request thread waits while its hash is queued or running, so at most
``slots + waiting`` request threads wait on hashing: keep that below the
server's thread count and reads always find a free thread.
"""

import logging
import os
import threading
from collections import deque

from .write_turns import paused

log = logging.getLogger(__name__)

#: How much lower the hashing threads' CPU priority is (Linux ``nice``).
NICENESS = 10
#: A hashing thread idle this long ends; the next hash starts another.
IDLE_SECONDS = 60


class HashingBusy(Exception):
    """Every hashing slot and queue place is taken: try again shortly."""

    status_code = 503
    message = "The server is busy checking passwords; nothing was changed. Retry shortly."
    retry_after = 1


class _Job:
    def __init__(self, work):
        self.work = work
        self.started = threading.Event()
        self.done = threading.Event()
        self.result = None
        self.error = None

    def run(self):
        try:
            self.result = self.work()
        except BaseException as exc:  # handed to the waiting request thread
            self.error = exc
        finally:
            self.done.set()


class HashGate:
    """Runs password hashes with bounded concurrency and a bounded queue."""

    def __init__(self, slots: int, waiting: int, wait_seconds: float, name="hashing"):
        self.slots = max(1, slots)
        self.waiting = max(0, waiting)
        self.wait_seconds = wait_seconds
        self.name = name
        self.lock = threading.Condition()
        self.queue = deque()
        self.running = 0
        self.peak = 0  # the most hashes ever running at once (tests read it)
        self.refused = 0
        self.threads = []

    @property
    def capacity(self) -> int:
        return self.slots + self.waiting

    def run(self, work):
        """``work()`` on a hashing thread; its result, or its exception.

        Raises :class:`HashingBusy` at once when ``slots + waiting`` hashes
        are already in, or when it waited ``wait_seconds`` without starting.
        """
        job = _Job(work)
        with self.lock:
            self._start_threads()
            if self.running + len(self.queue) >= self.capacity:
                self.refused += 1
                raise HashingBusy()
            self.queue.append(job)
            self.lock.notify_all()
        with paused():  # a write turn (infra.write_turns) is not held while waiting
            if not job.started.wait(self.wait_seconds):
                with self.lock:
                    if job in self.queue:  # still waiting: give up its place
                        self.queue.remove(job)
                        self.refused += 1
                        raise HashingBusy()
            job.done.wait()
        if job.error is not None:
            raise job.error
        return job.result

    def _start_threads(self):
        while len(self.threads) < self.slots:
            thread = threading.Thread(
                target=self._serve, name=f"{self.name}-{len(self.threads)}", daemon=True
            )
            self.threads.append(thread)
            thread.start()

    def _serve(self):
        lower_priority()
        while True:
            with self.lock:
                if not self.lock.wait_for(lambda: self.queue, timeout=IDLE_SECONDS):
                    self.threads.remove(threading.current_thread())  # run() starts anew
                    return
                job = self.queue.popleft()
                self.running += 1
                self.peak = max(self.peak, self.running)
                job.started.set()
                self.lock.notify_all()
            try:
                job.run()
            finally:
                with self.lock:
                    self.running -= 1
                    self.lock.notify_all()


def lower_priority():
    """Nice the calling thread :data:`NICENESS` more (Linux: per thread);
    elsewhere do nothing."""
    try:
        thread = threading.get_native_id()
        niceness = min(os.getpriority(os.PRIO_PROCESS, thread) + NICENESS, 19)
        os.setpriority(os.PRIO_PROCESS, thread, niceness)
    except (AttributeError, OSError) as exc:  # not Linux, or not permitted
        log.debug("hashing threads keep their priority: %s", exc)


def default_slots(lanes: int = 1) -> int:
    """Enough hashes to keep every core busy once: each argon2 hash already
    runs ``lanes`` threads (its parallelism), so one per ``lanes`` cores."""
    return max(1, (os.cpu_count() or 2) // max(1, lanes))
