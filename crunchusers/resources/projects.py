"""Projects: folders of datasets and sub-projects, shared with users and
teams as ``edit`` or ``view`` members (2018+ nested model)."""

from BTrees.OOBTree import OOBTree
from persistent.list import PersistentList

from .base import Container, Item, SubCatalog

PROJECT_CATALOGS = ("members", "users", "datasets", "teams")


def member_key(kind: str, ident: str) -> str:
    """Members are keyed ``user:<id>`` or ``team:<id>`` in one BTree."""
    return f"{kind}:{ident}"


class Project(Item):
    owner_id = None
    account_id = None
    parent_id = None
    description = ""
    icon = None

    def __init__(self, name, created=None):
        self.name = name
        self.created = created
        self.members = OOBTree()  # member_key -> {"edit": bool}
        self.graph = PersistentList()  # ordered child ids: projects and datasets

    def permissions_for(self, api_root, user) -> set:
        from ..acl import project_permission_set

        return project_permission_set(api_root, user, self)

    def __getitem__(self, name):
        if name in PROJECT_CATALOGS:
            return SubCatalog(self, name)
        raise KeyError(name)


class Projects(Container):
    pass
