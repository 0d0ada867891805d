"""The ``[server:main]`` runner (``use = egg:crunchusers#waitress``):
waitress, with ``pserve INI http_port=N`` choosing the port and a one-line
exit when the port is taken.

``http_port`` is read from ``global_conf`` (where pserve puts its
``name=value`` arguments) rather than interpolated into ``listen``: a
``[DEFAULT]`` value in the file would win over the command line.

``pserve`` would otherwise show waitress's ``OSError`` as a traceback, and
it turns a ``SystemExit`` raised by the server into "Exiting ..." with exit
status 0; so the runner prints the line itself and ends the process with
status 1 (``os._exit``: nothing was served, the OS releases the storage lock).
"""

import errno
import logging
import os
import sys

from waitress import serve_paste

from .infra.startup import StartupError


def with_port(kw: dict, port) -> dict:
    """waitress settings ``kw`` with every ``listen`` address on ``port``."""
    if not port:
        return kw
    addresses = kw.get("listen", "").split() or [kw.get("host", "0.0.0.0")]
    listen = " ".join(f"{address.rsplit(':', 1)[0]}:{port}" for address in addresses)
    rest = {k: v for k, v in kw.items() if k not in ("host", "port")}
    return {**rest, "listen": listen}


def serve(app, global_conf, **kw):
    """``paste.server_runner`` entry point; the settings are waitress's."""
    kw = with_port(kw, (global_conf or {}).get("http_port"))
    try:
        return serve_paste(app, global_conf, **kw)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        where = kw.get("listen") or f"{kw.get('host', '0.0.0.0')}:{kw.get('port', 8080)}"
        refusal = StartupError(
            f"{where} is already in use (another server running?): stop it, or choose "
            "another port, e.g. `pserve development.ini http_port=8080`."
        )
        print(refusal.code, file=sys.stderr, flush=True)
        logging.shutdown()
        os._exit(1)
