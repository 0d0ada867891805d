"""The ZODB side of the app: start-up bootstrap and the root factory.

The persistent root is created in ``main()`` through :func:`bootstrap`, in its
own transaction, so no request ever creates or commits structure lazily.
Processes starting at once on an empty database race to create it: the
loser's commit conflicts, and its retry finds the winner's objects
(:func:`in_transaction`).  Pending schema upgrades run first
(:mod:`.generations`).
"""

import os
from functools import partial
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyramid_zodbconn
import transaction
from zc.lockfile import LockError
from ZODB import DB
from ZODB.POSException import ConflictError
from zodburi import resolve_uri

from ..domain.resources.root import ApiRoot, TraversalRoot
from ..domain.resources.users import User
from . import generations
from .clock import get_clock
from .outbox import ensure_outbox
from .passwords import hash_password
from .settings import get_config
from .startup import StartupError, refuse_passwordless_superuser

ROOT_KEY = "crunchusers"
#: Tries of a start-up transaction that conflicts with another process's.
BOOTSTRAP_ATTEMPTS = 10


def get_db(registry):
    """The ZODB database pyramid_zodbconn opened (its attribute is private)."""
    return registry._zodb_databases[""]


def file_storage_folders(uri: str) -> list[Path]:
    """The folders a ``file://`` URI writes to: the Data.fs's and the blobs'."""
    parts = urlsplit(uri)
    if parts.scheme != "file":
        return []
    folders = [Path(parts.path).parent]
    folders += [Path(blobs) for blobs in parse_qs(parts.query).get("blobstorage_dir", [])]
    return folders


def ensure_writable(folder: Path):
    """Create ``folder`` when missing (a fresh clone has no ``var/``)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StartupError(f"cannot create the folder {folder}: {exc.strerror}.") from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StartupError(f"the folder {folder} is not writable by this user.")


def open_storage(config):
    """Include pyramid_zodbconn (which opens the database) with readable
    refusals for a missing, unwritable or locked FileStorage."""
    uri = config.registry.settings.get("zodbconn.uri", "")
    for folder in file_storage_folders(uri):
        ensure_writable(folder)
    try:
        pyramid_zodbconn.includeme(config, db_from_uri=open_db)
    except OSError as exc:  # e.g. a read-only Data.fs
        raise StartupError(f"cannot open the storage: {exc.strerror}: {exc.filename}.") from exc
    except LockError as exc:
        raise StartupError(
            f"the FileStorage is locked ({exc}): another process (a running server?) "
            "has it open. Stop the server or use ZEO/RelStorage to share the database."
        ) from exc


#: SQLSTATEs of a RelStorage schema that another process created meanwhile:
#: unique_violation, duplicate_table, duplicate_object.
CREATED_CONCURRENTLY = {"23505", "42P07", "42710"}


def created_concurrently(exc: Exception) -> bool:
    """The storage's first-time set-up lost a race with another process's."""
    if isinstance(exc, ConflictError):  # the ZODB root, made by DB()
        return True
    code = getattr(exc, "pgcode", None) or getattr(exc, "sqlstate", None)
    return code in CREATED_CONCURRENTLY


def open_db(uri: str, name: str, databases: dict) -> DB:
    """pyramid_zodbconn's ``db_from_uri`` with the old class paths mapped
    (:func:`.generations.class_factory`), retried when another process
    creates the storage's schema or the ZODB root at the same moment.  A
    ZEO client with ``server-sync`` syncs on the server's last transaction
    (:mod:`.zeo_sync`: ZEO's own ping can come back before a commit's
    invalidations)."""
    for attempt in range(BOOTSTRAP_ATTEMPTS):
        storage_factory, db_kw = resolve_uri(uri)
        storage = None
        try:
            storage = storage_factory()
            if getattr(storage, "server_sync", False):  # ZEO, an optional extra
                from .zeo_sync import sound_server_sync

                storage = sound_server_sync(storage)
            return DB(
                storage,
                databases=databases,
                **{**db_kw, "database_name": name},
                class_factory=generations.class_factory,
            )
        except Exception as exc:
            if not created_concurrently(exc) or attempt == BOOTSTRAP_ATTEMPTS - 1:
                raise
            databases.pop(name, None)
            if storage is not None:
                storage.close()


def in_transaction(db, action):
    """``action(conn)`` in its own transaction on its own connection, retried
    when it conflicts with another process's commit; returns its result."""
    manager = transaction.TransactionManager(explicit=True)
    conn = db.open(transaction_manager=manager)
    try:
        for attempt in manager.attempts(BOOTSTRAP_ATTEMPTS):
            with attempt:
                result = action(conn)
        return result
    finally:
        conn.close()


def bootstrap(zodb_root, registry) -> ApiRoot:
    """Create what must exist (idempotent): the API root, any container a
    newer version added, the mail outbox and the configured superuser.

    Bearer secrets are stored as SHA-256 digests; the one server secret,
    the API tokens' JWT signing key, is generated here once unless
    ``crunchusers.jwt_secret`` is set (:mod:`crunchusers.infra.jwt_tokens`).
    """
    api_root = zodb_root.get(ROOT_KEY)
    if api_root is None:  # a new database is made in the current layout
        api_root = zodb_root[ROOT_KEY] = ApiRoot()
        zodb_root[generations.GENERATION_KEY] = generations.GENERATION
    api_root.ensure_containers()
    ensure_outbox(zodb_root)
    config = get_config(registry)
    if config.superuser_email and api_root.users.find_by_email(config.superuser_email) is None:
        refuse_passwordless_superuser(config)
        user = User(config.superuser_email, name="Superuser", created=get_clock(registry).now())
        user.is_superuser = True
        user.status = "active"
        user.email_verified = True
        if config.superuser_password:
            user.password_hash = hash_password(registry, config.superuser_password)
        api_root.users.add(user)
    return api_root


def upgrade_database(db, dry_run: bool = False, out=None) -> list[str]:
    """Run the pending upgrade steps, each in its own transaction (a step
    another process ran meanwhile is skipped); ``dry_run`` only lists them.
    Refuses a database newer than this code.  Returns one line per step."""
    steps = in_transaction(db, lambda conn: generations.pending(conn.root()))
    lines = []
    for generation, step in steps:
        line = f"generation {generation}: {generations.summary(step)}"
        if dry_run:
            line = "would run " + line
        else:
            run = partial(generations.run_step, generation=generation, step=step)
            result = in_transaction(db, run)
            line = "ran " + line + (f" ({result} records)" if isinstance(result, int) else "")
        lines.append(line)
        if out is not None:
            print(line, file=out)
    return lines


def bootstrap_database(registry):
    """At start-up: the pending upgrades, then :func:`bootstrap`, each in
    its own transaction, retried on conflicts with other processes."""
    db = get_db(registry)
    try:
        upgrade_database(db)
    except StartupError:  # a newer database: release it (a FileStorage's lock)
        db.close()
        raise
    in_transaction(db, lambda conn: bootstrap(conn.root(), registry))


def get_api_root(request) -> ApiRoot:
    from pyramid_zodbconn import get_connection

    return get_connection(request).root()[ROOT_KEY]


def root_factory(request):
    return TraversalRoot(request.api_root, request)


def write_apart(registry, change, attempts: int = 3):
    """Run ``change(api_root)`` in a transaction of its own, on a connection
    of its own, retried on conflicts: for records that must outlive the
    request's own transaction when that one aborts."""
    for attempt in range(attempts):
        manager = transaction.TransactionManager(explicit=True)
        conn = get_db(registry).open(transaction_manager=manager)
        try:
            with manager:
                change(conn.root()[ROOT_KEY])
            return
        except ConflictError:
            if attempt == attempts - 1:
                raise
        finally:
            conn.close()
