"""Serve one WSGI app with waitress; run by ``run.py`` as a child process.

Both the crunchusers app and the bare Pyramid baseline go through this same
script and the same waitress settings, so the only difference between the two
measurements is the application itself.

    python bench/serve.py crunchusers --port 8001 --db /tmp/x/Data.fs
    python bench/serve.py baseline --port 8002
"""

import argparse
import logging

import waitress

HOST = "127.0.0.1"
THREADS = 4


def crunchusers_app(zodb_uri: str, mail_directory: str | None = None, settings=()):
    """The real app, configured with the seeded database (a ``file://`` or
    ``zconfig://`` URI), for the invite scenario where mail goes, and
    ``settings`` (``name=value`` strings) for benchmarks of other
    configurations."""
    from crunchusers import main

    extra = {"zodbconn.uri": zodb_uri, **dict(setting.split("=", 1) for setting in settings)}
    if mail_directory:
        extra["crunchusers.mail_directory"] = mail_directory
    return main({}, **extra)


def hello(request):
    return {"hello": "world"}


def baseline_app():
    """The floor: Pyramid routing plus the json renderer, nothing else."""
    from pyramid.config import Configurator

    with Configurator() as config:
        config.add_route("json", "/json")
        config.add_view(hello, route_name="json", renderer="json")
        return config.make_wsgi_app()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", choices=("crunchusers", "baseline"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", help="FileStorage path (crunchusers only)")
    parser.add_argument("--mail-directory", help="where the app writes mail (crunchusers only)")
    parser.add_argument("--threads", type=int, default=THREADS, help="waitress threads")
    parser.add_argument(
        "--setting", action="append", default=[], help="name=value (crunchusers only)"
    )
    args = parser.parse_args(argv)
    # Warnings and app errors go to stderr, which run.py captures into a log
    # file and summarises after the run.  waitress.queue ("Task queue depth",
    # one line per queued request) logs errors only, as in the ini files.
    # The access log (one INFO line a request) is off, as at production's
    # WARN level: the bare view logs nothing either; retries still count.
    logging.basicConfig(level=logging.INFO, format="%(levelname)s [%(name)s] %(message)s")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    logging.getLogger("crunchusers.access").setLevel(logging.WARNING)
    if args.app == "crunchusers":
        if not args.db:
            parser.error("--db is required for the crunchusers app")
        app = crunchusers_app(f"file://{args.db}", args.mail_directory, args.setting)
    else:
        app = baseline_app()
    waitress.serve(app, host=HOST, port=args.port, threads=args.threads)


if __name__ == "__main__":
    main()
