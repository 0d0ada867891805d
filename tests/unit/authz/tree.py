"""A tiny in-memory tree with readable names, for the permission unit tests.

Persistent objects work without a database, so a ``Tree`` is an ``ApiRoot``
and the real mutators of ``domain.users`` and ``domain.collaboration``: every
relationship is stored on both sides exactly as the application does it.

    tree = Tree()
    acme = tree.account("Acme", owner="olga")   # olga: the owner, an administrator
    ann = tree.user(acme, "ann", role="administrator")
    sam = tree.user(acme, "sam")                 # standard role
    crew = tree.team(ann, "crew", members=[sam])
    survey = tree.dataset(ann, "survey")
    tree.share(survey, crew, view=True)
"""

from datetime import UTC, datetime
from types import SimpleNamespace

from pyramid.authorization import ACLHelper

from crunchusers.authz.principals import principals_for
from crunchusers.domain import collaboration as ops
from crunchusers.domain.removal import remove_user
from crunchusers.domain.resources.root import ApiRoot
from crunchusers.domain.resources.teams import Team
from crunchusers.domain.resources.users import User
from crunchusers.domain.user_changes import UserChange
from crunchusers.domain.users import create_account, new_user

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def kind_of(member) -> str:
    """``"team"`` or ``"user"``: how shares and project members are keyed."""
    return "team" if isinstance(member, Team) else "user"


class Tree:
    def __init__(self):
        self.root = ApiRoot()
        self.owners = {}  # account id -> owner

    # -- people ---------------------------------------------------------------

    def account(self, name, owner=None):
        """An account and its owner (an active administrator named ``owner``)."""
        owner = owner or f"{name.lower()}-owner"
        account, user = create_account(
            self.root, name=name, owner_email=self._email(owner, name), now=NOW
        )
        user.status = "active"
        self.owners[account.__name__] = user
        return account

    def owner(self, account):
        return self.owners[account.__name__]

    def user(self, account, name, role="standard", status="active"):
        user = new_user(
            self.root, account, email=self._email(name, account.name), now=NOW, roles=(role,)
        )
        user.status = status
        account.file_member(user)
        return user

    def superuser(self, name="root"):
        """As ``infra.storage.bootstrap`` makes it: no account, ``is_superuser``."""
        user = User(f"{name}@example.test", name=name, created=NOW)
        user.is_superuser = True
        user.status = "active"
        return self.root.users.add(user)

    def limit(self, user, **ceiling):
        """Change ``user``'s dataset ceiling as an admin's PATCH does."""
        UserChange(self.root, None, user, notifier=None).apply({"dataset_permissions": ceiling})

    def remove(self, user):
        remove_user(self.root, user)

    # -- teams, projects, datasets -------------------------------------------

    def team(self, creator, name, members=(), admins=()):
        """A team of ``creator``'s account; the creator is its first admin."""
        team = ops.create_team(self.root, creator, name, NOW)
        for user in members:
            ops.set_team_member(team, user, team_admin=False)
        for user in admins:
            ops.set_team_member(team, user, team_admin=True)
        return team

    def project(self, creator, name, parent=None, viewers=(), editors=()):
        """A project (the creator is an editor member) with users or teams."""
        project = ops.create_project(self.root, creator, name, NOW, parent=parent)
        for member in viewers:
            self.join(project, member, edit=False)
        for member in editors:
            self.join(project, member, edit=True)
        return project

    def join(self, project, member, edit=False):
        ops.set_project_member(project, member, kind_of(member), edit=edit)

    def leave(self, project, member):
        ops.remove_project_member(project, member, kind_of(member))

    def dataset(self, creator, name, project=None, published=True):
        return ops.create_dataset(
            self.root, creator, name, NOW, project=project, is_published=published
        )

    def share(self, dataset, grantee, **flags):
        ops.share_dataset(dataset, grantee, kind_of(grantee), flags)

    def unshare(self, dataset, grantee):
        ops.unshare_dataset(dataset, grantee, kind_of(grantee))

    def move(self, thing, project):
        ops.move_into_project(self.root, thing, project)

    # -- asking -----------------------------------------------------------------

    def principals(self, user):
        return principals_for(user, self.root)

    def permits(self, viewer, context, permission) -> bool:
        """What Pyramid's ACL helper answers for ``viewer`` on ``context``."""
        return bool(ACLHelper().permits(context, self.principals(viewer), permission))

    @staticmethod
    def _email(name, account_name):
        return f"{name}@{account_name.lower()}.test"


def cast() -> SimpleNamespace:
    """The cast most permission tests share.  Account Acme: ``olga`` (owner),
    ``ann`` (administrator), ``ed`` (editor), ``sam`` and ``sue`` (standard).
    Account Other: ``oscar`` (owner) and ``otto`` (standard).  ``su`` is the
    superuser."""
    tree = Tree()
    acme = tree.account("Acme", owner="olga")
    other = tree.account("Other", owner="oscar")
    return SimpleNamespace(
        tree=tree,
        root=tree.root,
        acme=acme,
        other=other,
        olga=tree.owner(acme),
        ann=tree.user(acme, "ann", role="administrator"),
        ed=tree.user(acme, "ed", role="editor"),
        sam=tree.user(acme, "sam"),
        sue=tree.user(acme, "sue"),
        oscar=tree.owner(other),
        otto=tree.user(other, "otto"),
        su=tree.superuser(),
    )
