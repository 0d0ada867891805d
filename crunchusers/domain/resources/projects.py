"""Projects: folders of datasets and sub-projects, shared with users and
teams as ``edit`` or ``view`` members (2018+ nested model).

A project's contents must take concurrent inserts without ZODB conflicts
(16 clients creating datasets into one project).  So no structure is
rewritten by every insert: children are kept in BTrees keyed by their ids,
which merge concurrent inserts, and the order is *derived* from an insertion
ordinal drawn from a ``BTrees.Length`` (whose conflicts resolve by adding).
Two concurrent inserts may draw the same ordinal; their ids break the tie.
Only an explicit reorder rewrites every ordinal.
"""

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree, OOTreeSet

from ..kinds import Grants, Placement, kind
from .base import Container, Item

PROJECT_CATALOGS = ("members", "users", "datasets", "teams")

#: The name a user's personal project answers to under ``/api/projects/``.
PERSONAL = "personal"


class Projects(Container):
    pass


@kind(
    name="project",
    container="projects",
    container_class=Projects,
    owned=True,
    in_account=True,
    contains={
        "dataset": Placement(pointer="project_id", children="dataset_ids"),
        "project": Placement(pointer="parent_id", children="child_project_ids"),
    },
    grantable=Grants(on="members", maker_grant={"edit": True}),
)
class Project(Item):
    owner_id = None
    account_id = None
    parent_id = None
    description = ""
    icon = None
    #: The user whose personal project this is (one per user, seen only by them).
    personal_of = None
    catalogs = PROJECT_CATALOGS

    def __init__(self, name, created=None):
        super().__init__(name, created)
        self.members = OOBTree()  # authz.principals.principal(kind, id) -> {"edit": bool}
        self.dataset_ids = OOTreeSet()
        self.child_project_ids = OOTreeSet()
        self.child_ordinals = OOBTree()  # child id -> insertion ordinal
        self.ordinal_counter = Length()

    # -- child order ---------------------------------------------------------

    def _stored(self, name):
        """An attribute as stored, bypassing the class (``graph`` is a
        property now, but a project stored before this version has a list)."""
        self._p_activate()
        return self.__dict__.get(name)

    def _ordinals(self) -> OOBTree:
        """The child → ordinal BTree; a project stored before this version
        gets it from its old ``graph`` list on its first write."""
        ordinals = self._stored("child_ordinals")
        if ordinals is None:
            legacy = list(self._stored("graph") or ())
            self.child_ordinals = ordinals = OOBTree()
            self.ordinal_counter = Length(len(legacy))
            for position, child_id in enumerate(legacy, 1):
                ordinals[child_id] = position
            self.__dict__.pop("graph", None)
        return ordinals

    @property
    def graph(self) -> list:
        """Child ids (datasets and sub-projects) in order."""
        ordinals = self._stored("child_ordinals")
        if ordinals is None:  # stored before this version and not written since
            return list(self._stored("graph") or ())
        return [child for _, child in sorted((n, c) for c, n in ordinals.items())]

    def append_child(self, child_id: str):
        """Put a child last; touches only BTrees that merge concurrent inserts."""
        ordinals = self._ordinals()
        self.ordinal_counter.change(1)
        ordinals[child_id] = self.ordinal_counter()

    def remove_child(self, child_id: str):
        self._ordinals().pop(child_id, None)

    def reorder_children(self, child_ids: list):
        """An explicit new order: the only write that rewrites every ordinal."""
        ordinals = self._ordinals()
        for position, child_id in enumerate(child_ids, 1):
            if ordinals.get(child_id) != position:
                ordinals[child_id] = position
        self.ordinal_counter.set(len(child_ids))

    def permissions_for(self, api_root, user) -> set:
        from ...authz.acl import project_permissions

        return project_permissions(api_root, user, self)
