"""Run wrk and turn its text report into numbers.

wrk has no machine-readable output without a Lua script, so the few lines the
benchmark needs are parsed from the ``--latency`` report.  Parsing is strict:
a report without a requests/sec or a latency line raises instead of silently
recording zeros.
"""

import re
import subprocess

WRK = "wrk"
THREADS = 1
CONNECTIONS = 16
TIMEOUT = "10s"

_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_PERCENTILE = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.M)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_TOTAL = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", re.M)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def command(
    url: str,
    seconds: float,
    headers: dict[str, str],
    connections: int = CONNECTIONS,
    script: str | None = None,
) -> list[str]:
    """The wrk command line; the fixed options are the benchmark's protocol.
    ``script`` is a Lua file that makes the requests (POST bodies, URLs)."""
    cmd = [
        WRK,
        f"-t{THREADS}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--latency",
        "--timeout",
        TIMEOUT,
    ]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    if script:
        cmd += ["-s", str(script)]
    return cmd + [url]


def run(
    url: str,
    seconds: float,
    headers: dict[str, str],
    connections: int = CONNECTIONS,
    script: str | None = None,
) -> dict:
    """Run wrk once and return the parsed report (plus the raw text)."""
    proc = subprocess.run(
        command(url, seconds, headers, connections, script),
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return parse(proc.stdout)


def parse(report: str) -> dict:
    """requests/sec, latency percentiles in ms, request count and error counts."""
    rps = _RPS.search(report)
    percentiles = {f"p{p}_ms": float(v) * _UNIT_MS[u] for p, v, u in _PERCENTILE.findall(report)}
    if rps is None or "p50_ms" not in percentiles or "p99_ms" not in percentiles:
        raise ValueError(f"unexpected wrk output:\n{report}")
    total = _TOTAL.search(report)
    non_2xx = _NON_2XX.search(report)
    socket = _SOCKET.search(report)
    socket_errors = dict(
        zip(
            ("connect", "read", "write", "timeout"),
            map(int, socket.groups()) if socket else (0, 0, 0, 0),
            strict=True,
        )
    )
    return {
        "rps": float(rps.group(1)),
        **percentiles,
        "requests": int(total.group(1)) if total else None,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors,
        "raw": report,
    }


def version() -> str:
    """wrk's banner line (``wrk -v`` exits non-zero, hence no check)."""
    proc = subprocess.run([WRK, "-v"], capture_output=True, text=True)
    return (proc.stdout or proc.stderr).splitlines()[0].strip()
