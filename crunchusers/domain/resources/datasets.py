"""Datasets (metadata only) and their shares.

``shares`` maps ``user:<id>`` / ``team:<id>`` to the granted permission
flags; the reverse sets (``User.dataset_ids``, ``Team.dataset_ids``) are
written together with it in ``domain.collaboration``.
"""

from BTrees.OOBTree import OOBTree
from persistent.mapping import PersistentMapping

from ..kinds import Grants, kind
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


class Datasets(Container):
    pass


@kind(
    name="dataset",
    container="datasets",
    container_class=Datasets,
    owned=True,
    in_account=True,
    grantable=Grants(on="shares"),
)
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
    catalogs = DATASET_CATALOGS

    def __init__(self, name, created=None):
        super().__init__(name, created)
        self.modified = created
        self.shares = OOBTree()
        self.settings = PersistentMapping(DEFAULT_SETTINGS)
        self.user_preferences = OOBTree()  # user id -> dict

    def permissions_for(self, api_root, user) -> set:
        from ...authz.acl import dataset_permissions

        return dataset_permissions(api_root, user, self)

    def grant_revoked(self, grantee_kind, ident):
        """A user whose share is revoked loses the edit lock with it."""
        if grantee_kind == "user" and self.current_editor_id == ident:
            self.current_editor_id = None

    def __getitem__(self, name):
        if name == "folders":
            return Folders(self, name)
        return super().__getitem__(name)


class Folders(SubCatalog):
    """``/datasets/{id}/folders/``: each folder root has its own URL."""

    def __getitem__(self, name):
        if name in FOLDERS:
            return SubCatalog(self, name)
        raise KeyError(name)
