"""The local PostgreSQL server (127.0.0.1:5432, trust auth for ``postgres``)
and throwaway databases on it, for every test that uses RelStorage.

The server is started if it is installed but stopped, the way this machine's
image starts it; CI (``.ci/run``) does the same before the suite.
"""

import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg2

HOST, PORT, ADMIN = "127.0.0.1", 5432, "postgres"
ADMIN_DSN = f"host={HOST} port={PORT} user={ADMIN} dbname=postgres"


def dsn(database: str) -> str:
    """The libpq connection string of ``database`` (deploy/relstorage.conf's
    ``CRUNCHUSERS_PG_DSN``)."""
    return f"host={HOST} port={PORT} user={ADMIN} dbname={database}"


def uri(database: str, query: str = "keep_history=false") -> str:
    """A ``postgres://`` zodburi of ``database``."""
    return f"postgres://{ADMIN}@{HOST}:{PORT}/{database}?{query}"


def admin_connection():
    try:
        conn = psycopg2.connect(ADMIN_DSN, connect_timeout=3)
    except psycopg2.OperationalError:
        # Installed but stopped: start it the way this machine's image does.
        versions = sorted(Path("/etc/postgresql").glob("*"))
        assert versions, "PostgreSQL is not installed"
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1].name, "main", "start"],
            check=True,
            timeout=60,
        )
        conn = psycopg2.connect(ADMIN_DSN, connect_timeout=10)
    conn.autocommit = True
    return conn


def create_database(prefix: str = "crunchusers_test") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = admin_connection()
    try:
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    return name


def drop_database(name: str):
    conn = admin_connection()
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        conn.close()


@contextmanager
def throwaway_database(prefix: str = "crunchusers_test"):
    """A new, empty database, dropped afterwards whatever happened."""
    name = create_database(prefix)
    try:
        yield name
    finally:
        drop_database(name)
