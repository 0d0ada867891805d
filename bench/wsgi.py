"""App factories for gunicorn, for the multi-process scenarios: run.py starts
``gunicorn --config deploy/gunicorn.conf.py 'wsgi:crunchusers()'`` (the
production recipe's settings) with ``--chdir bench``.

The crunchusers app reads its database URI from ``BENCH_ZODB_URI`` (the
production ZEO client config, ``zconfig://.../deploy/zeo-client.conf``).
"""

import os

import serve


def crunchusers():
    return serve.crunchusers_app(os.environ["BENCH_ZODB_URI"])


def baseline():
    return serve.baseline_app()
