"""Teams: named groups of users; a team's dataset and project grants are
inherited by its members."""

from BTrees.OOBTree import OOBTree

from .base import Container, Item, SubCatalog


class Team(Item):
    owner_id = None
    account_id = None

    def __init__(self, name, created=None):
        self.name = name
        self.created = created
        self.members = OOBTree()  # user id -> team_admin flag

    def is_member(self, user_id) -> bool:
        return user_id in self.members

    def is_team_admin(self, user_id) -> bool:
        return bool(self.members.get(user_id, False))

    def permissions_for(self, api_root, user) -> set:
        from ...authz.acl import team_permissions

        return team_permissions(api_root, user, self)

    def __getitem__(self, name):
        if name in ("members", "datasets"):
            return SubCatalog(self, name)
        raise KeyError(name)


class Teams(Container):
    pass
