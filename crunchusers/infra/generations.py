"""Schema evolution: the database's generation and the steps that raise it.

The ZODB root keeps the layout's generation under :data:`GENERATION_KEY`.
:data:`STEPS` is the ordered list of upgrade steps: step ``n`` (1-based)
turns a generation ``n - 1`` database into generation ``n``; each is a
plain function of the ZODB connection whose docstring says what layout
change it makes, and each must be idempotent (a step interrupted by a
crash, or raced by another process, runs again).  A database made before
generations existed, with an API root and no generation, is generation 0;
a new database is created at :data:`GENERATION`.

Start-up (:func:`crunchusers.infra.storage.bootstrap_database`) runs the
pending steps, each in its own transaction, retried on conflicts; ``crunchusers
INI upgrade [--dry-run]`` runs (or lists) them without starting a server.
A database of a newer generation than this code knows is refused.

Old class paths load at any generation: :func:`class_factory` (the ZODB
``classFactory`` of every database the app opens) maps a class stored under
a path of an older layout to where it lives now, the way ``zodbupdate``'s
rename rules do; step 1 then rewrites the records so they name the new paths.
"""

from BTrees.LLBTree import LLTreeSet
from ZODB.broken import find_global
from ZODB.serialize import referencesf
from ZODB.utils import u64, z64

from .startup import StartupError

GENERATION_KEY = "crunchusers.generation"

#: Module prefixes of older layouts -> where their classes live now.
MOVED_MODULES = {
    "crunchusers.resources.": "crunchusers.domain.resources.",  # before f300e0b
    "crunchusers.outbox": "crunchusers.infra.outbox",
}
#: Classes renamed in place: (module, old name) -> new name.
RENAMED_CLASSES = {
    ("crunchusers.domain.resources.credentials", "Session"): "Credential",
    ("crunchusers.domain.resources.credentials", "Sessions"): "Credentials",
}
#: Bytes in a record that names one of the old paths above (ZODB pickles a
#: class as ``module\nname``).
OLD_PATH_MARKS = (b"crunchusers.resources.", b"crunchusers.outbox\n", b"credentials\nSession")

#: Records re-pickled between savepoints, which free the connection's cache.
SAVEPOINT_EVERY = 1000


def current_path(module: str, name: str) -> tuple[str, str]:
    """Where the class stored as ``module.name`` lives in this layout."""
    for old, new in MOVED_MODULES.items():
        if module == old or (old.endswith(".") and module.startswith(old)):
            module = new + module[len(old) :]
            break
    return module, RENAMED_CLASSES.get((module, name), name)


def class_factory(connection, module: str, name: str):
    """ZODB's ``classFactory`` with the renames of :func:`current_path`."""
    return find_global(*current_path(module, name))


def store_new_class_paths(conn) -> int:
    """Rewrite every record that names a class by an old path
    (``crunchusers.resources.*`` before the ``domain/`` layout,
    ``crunchusers.outbox``, ``Session``/``Sessions``) so that it names the
    class where it lives now.  Walks the records reachable from the ZODB root;
    returns how many it rewrote (0 on a second run)."""
    seen, queue, rewritten = LLTreeSet(), [z64], 0
    while queue:
        oid = queue.pop()
        if not seen.add(u64(oid)):
            continue
        data, _serial = conn._storage.load(oid)  # the raw record, in this transaction's view
        queue.extend(oid for oid in referencesf(data) if u64(oid) not in seen)
        if not any(mark in data for mark in OLD_PATH_MARKS):
            continue
        obj = conn.get(oid)
        obj._p_activate()
        obj._p_changed = True  # re-pickled on commit with type(obj), the new class
        rewritten += 1
        if rewritten % SAVEPOINT_EVERY == 0:
            conn.transaction_manager.savepoint(True)
            conn.cacheGC()
    return rewritten


def index_member_names(conn) -> int:
    """Build each account's sorted index of its members' names
    (``Account.by_name``), which accounts stored before it lack.  Returns how
    many accounts it indexed (0 on a second run)."""
    from .storage import ROOT_KEY

    api_root = conn.root().get(ROOT_KEY)
    if api_root is None:
        return 0
    indexed = 0
    for account in api_root.accounts.values():
        indexed += account.ensure_name_index(api_root.users)
    return indexed


#: The upgrade steps, in order: ``STEPS[n - 1]`` makes generation ``n``.
STEPS = (store_new_class_paths, index_member_names)
GENERATION = len(STEPS)


def stored_generation(zodb_root) -> int | None:
    """The database's generation: None for a new database, 0 for one made
    before generations existed."""
    from .storage import ROOT_KEY

    if GENERATION_KEY in zodb_root:
        return zodb_root[GENERATION_KEY]
    return 0 if ROOT_KEY in zodb_root else None


def refuse_newer(generation: int | None):
    if generation is not None and generation > GENERATION:
        raise StartupError(
            f"the database is at generation {generation}, newer than this version of "
            f"crunchusers knows ({GENERATION}): run the newer version, or restore a backup "
            "made before the upgrade."
        )


def pending(zodb_root) -> list[tuple[int, object]]:
    """``(generation, step)`` of the steps this database still needs."""
    generation = stored_generation(zodb_root)
    refuse_newer(generation)
    if generation is None:
        return []
    return [(n, step) for n, step in enumerate(STEPS, 1) if n > generation]


def summary(step) -> str:
    """A step's docstring's first sentence, on one line."""
    return " ".join(step.__doc__.split()).split(". ")[0].rstrip(".")


def run_step(conn, generation: int, step) -> int | None:
    """Run ``step`` in the current transaction unless another process did;
    record the generation.  Returns what the step returned."""
    zodb_root = conn.root()
    if stored_generation(zodb_root) >= generation:
        return None
    result = step(conn)
    zodb_root[GENERATION_KEY] = generation
    return result
