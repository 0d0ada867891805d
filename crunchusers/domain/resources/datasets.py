"""Datasets (metadata only) and their shares.

``shares`` maps ``user:<id>`` / ``team:<id>`` to the granted permission
flags; the reverse sets (``User.dataset_ids``, ``Team.dataset_ids``) are
written together with it in ``operations``.
"""

from BTrees.OOBTree import OOBTree
from persistent.mapping import PersistentMapping

from .base import Container, Item, SubCatalog

DATASET_CATALOGS = (
    "permissions",
    "users",
    "teams",
    "settings",
    "preferences",
    "variables",
    "folders",
)

#: The folder roots of a dataset and the names their documents carry.
FOLDERS = {"public": "Public", "personal": "Personal", "hidden": "Hidden", "secure": "Secure"}

DEFAULT_SETTINGS = {
    "viewers_can_export": False,
    "viewers_can_change_weight": False,
    "viewers_can_share": True,
    "weight": None,
    "dashboard_deck": None,
}


class Dataset(Item):
    owner_id = None
    account_id = None
    project_id = None
    current_editor_id = None
    description = ""
    notes = ""
    archived = False
    is_published = True
    streaming = "no"
    start_date = None
    end_date = None
    modified = None

    def __init__(self, name, created=None):
        self.name = name
        self.created = created
        self.modified = created
        self.shares = OOBTree()
        self.settings = PersistentMapping(DEFAULT_SETTINGS)
        self.user_preferences = OOBTree()  # user id -> dict

    def permissions_for(self, api_root, user) -> set:
        from ...authz.acl import dataset_permissions

        return dataset_permissions(api_root, user, self)

    def __getitem__(self, name):
        if name == "folders":
            return Folders(self, name)
        if name in DATASET_CATALOGS:
            return SubCatalog(self, name)
        raise KeyError(name)


class Folders(SubCatalog):
    """``/datasets/{id}/folders/``: each folder root has its own URL."""

    def __getitem__(self, name):
        if name in FOLDERS:
            return SubCatalog(self, name)
        raise KeyError(name)


class Datasets(Container):
    pass
