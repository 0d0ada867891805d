"""Persistent building blocks: a BTree-backed container and a located item.

The container contract follows Substance D's ``Folder``: an ``OOBTree`` for
the children, a ``BTrees.Length`` for the size (a plain int counter would be a
write hot spot; see reference/performance.md), and ``add``/``remove`` that set
``__name__``/``__parent__``.  Secondary indexes live in subclasses and are
maintained only inside their own mutators.
"""

from BTrees.Length import Length
from BTrees.OOBTree import OOTreeSet
from persistent import Persistent

from ...infra.btrees import WideOOBTree
from ...infra.tokens import new_id


class Item(Persistent):
    """A persistent object that knows where it lives in the tree."""

    __name__ = None
    __parent__ = None
    created = None
    #: Names of the transient sub-catalogs under the item (members, datasets…).
    catalogs = ()

    def __init__(self, name, created=None):
        self.name = name
        self.created = created

    @property
    def id(self) -> str:
        return self.__name__

    def ids(self, name: str):
        """A relationship id-set for reading; empty if never written."""
        return getattr(self, name, None) or ()

    def id_set(self, name: str) -> OOTreeSet:
        """A relationship id-set for writing, created on first use so objects
        stored before the relationship existed need no migration."""
        current = getattr(self, name, None)
        if current is None:
            current = OOTreeSet()
            setattr(self, name, current)
        return current

    def grant_revoked(self, grantee_kind: str, ident: str):
        """Called when a grant on this item is revoked; nothing by default."""

    def __getitem__(self, name):
        if name in self.catalogs:
            return SubCatalog(self, name)
        raise KeyError(name)


class Container(Persistent):
    """An id → item mapping with O(log n) lookups and an O(1) length."""

    __name__ = None
    __parent__ = None

    def __init__(self):
        self.data = WideOOBTree()
        self._length = Length()

    def __getitem__(self, name):
        return self.data[name]

    def get(self, name, default=None):
        if not isinstance(name, str):
            return default
        return self.data.get(name, default)

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and name in self.data

    def __len__(self) -> int:
        return self._length()

    def __iter__(self):
        return iter(self.data.keys())

    def values(self):
        return self.data.values()

    def add(self, item, name: str | None = None):
        name = name or new_id()
        if name in self.data:
            raise KeyError(f"{name!r} already exists")
        item.__name__ = name
        item.__parent__ = self
        self.data[name] = item
        self._length.change(1)
        return item

    def remove(self, name: str):
        item = self.data.pop(name)
        self._length.change(-1)
        return item


class SubCatalog:
    """A transient, located catalog under an entity (members, datasets, …).

    Not stored: it exists to give a URL and an authorization context (its
    parent's) to a view that computes its contents."""

    def __init__(self, parent, name):
        self.__parent__ = parent
        self.__name__ = name

    def __getitem__(self, name):
        raise KeyError(name)
