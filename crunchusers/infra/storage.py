"""The ZODB side of the app: start-up bootstrap and the root factory.

The persistent root is created in ``main()`` through :func:`bootstrap`, in its
own transaction, so no request ever creates or commits structure lazily.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import transaction
from zc.lockfile import LockError
from ZODB.POSException import ConflictError

from ..domain.resources.root import ApiRoot, TraversalRoot
from ..domain.resources.users import User
from .clock import get_clock
from .outbox import ensure_outbox
from .passwords import hash_password
from .settings import get_config
from .startup import StartupError, refuse_passwordless_superuser

ROOT_KEY = "crunchusers"


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
        config.include("pyramid_zodbconn")
    except OSError as exc:  # e.g. a read-only Data.fs
        raise StartupError(f"cannot open the storage: {exc.strerror}: {exc.filename}.") from exc
    except LockError as exc:
        raise StartupError(
            f"the FileStorage is locked ({exc}): another process (a running server?) "
            "has it open. Stop the server or use ZEO/RelStorage to share the database."
        ) from exc


def bootstrap(zodb_root, registry) -> ApiRoot:
    """Create what must exist (idempotent): the API root, any container a
    newer version added, the mail outbox and the configured superuser.

    Bearer secrets are stored as SHA-256 digests; the one server secret,
    the API tokens' JWT signing key, is generated here once unless
    ``crunchusers.jwt_secret`` is set (:mod:`crunchusers.infra.jwt_tokens`).
    """
    api_root = zodb_root.get(ROOT_KEY)
    if api_root is None:
        api_root = zodb_root[ROOT_KEY] = ApiRoot()
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


def bootstrap_database(registry):
    """Run :func:`bootstrap` in its own transaction at start-up."""
    manager = transaction.TransactionManager(explicit=True)
    conn = get_db(registry).open(transaction_manager=manager)
    try:
        with manager:
            bootstrap(conn.root(), registry)
    finally:
        conn.close()


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
