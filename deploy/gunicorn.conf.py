"""gunicorn settings for the multi-process recipe (README, "Storage and scaling"):

    gunicorn --paste production.ini --config deploy/gunicorn.conf.py

Every worker builds its own app after the fork (``preload_app`` stays off):
ZODB storages, their connections and the mail delivery thread must not be
shared across ``fork()``.  Command-line options override these values.
"""

import os

bind = os.environ.get("CRUNCHUSERS_BIND", "127.0.0.1:6543")
# One worker per core: one Python process uses about one core (the GIL).
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
# Threads keep a worker busy while a request waits on PostgreSQL, ZEO or
# argon2; more than a login flood can hold (hashing.slots + hashing.waiting
# + login.delayed_refusals, README "Sign-in defences"), so that other
# requests always find one; ZODB's connection pool (pool-size 24) matches.
worker_class = "gthread"
threads = 24
preload_app = False
# A request stuck this long is killed with its worker, which gunicorn restarts.
timeout = 60
graceful_timeout = 30
keepalive = 5
# The reverse proxy on this host may set X-Forwarded-Proto (https links).
forwarded_allow_ips = os.environ.get("CRUNCHUSERS_TRUSTED_PROXIES", "127.0.0.1")
