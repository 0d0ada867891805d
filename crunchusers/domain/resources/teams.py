"""Teams: named groups of users; a team's dataset and project grants are
inherited by its members."""

from BTrees.OOBTree import OOBTree

from ..kinds import Grants, kind
from .base import Container, Item


class Teams(Container):
    pass


@kind(
    name="team",
    container="teams",
    container_class=Teams,
    owned=True,
    in_account=True,
    grantable=Grants(on="members", to=("user",), by_principal=False, maker_grant=True),
)
class Team(Item):
    owner_id = None
    account_id = None
    catalogs = ("members", "datasets")

    def __init__(self, name, created=None):
        super().__init__(name, created)
        self.members = OOBTree()  # user id -> team_admin flag

    def is_member(self, user_id) -> bool:
        return user_id in self.members

    def is_team_admin(self, user_id) -> bool:
        return bool(self.members.get(user_id, False))

    def permissions_for(self, api_root, user) -> set:
        from ...authz.acl import team_permissions

        return team_permissions(api_root, user, self)
