"""The persistent API root and the per-request traversal root above it.

``ApiRoot`` lives in ZODB under the key ``crunchusers`` and is created at
start-up (``infra.storage.bootstrap``), never lazily in a request.  Its
containers are those of the registered kinds (``domain.kinds``).  URLs come from the
lineage: ``ApiRoot.__name__ == "api"`` and its parent is the constant ``SITE``,
so ``request.url_of(user)`` is ``http://host/api/users/<id>/``.
"""

from persistent import Persistent
from persistent.mapping import PersistentMapping

from ...authz.acl import root_acl
from ...infra.clock import get_clock
from ...infra.jwt_tokens import signing_key
from ..kinds import container_names, containers
from .credentials import ApiKeys, Credentials, LinkTokens
from .login_flows import LoginFlows
from .mail_budget import MailBudget
from .second_factors import Challenges
from .sign_ins import SignIns


class _Site:
    """The location root: only gives URLs their leading ``/``."""

    __name__ = ""
    __parent__ = None
    __acl__ = ()


SITE = _Site()


class ApiRoot(Persistent):
    __name__ = "api"
    __parent__ = SITE
    #: OpenID Connect sign-ins in progress (added by ``ensure_containers``).
    login_flows = None
    mail_budget = None
    #: Sign-ins waiting for a second factor (added by ``ensure_containers``).
    mfa_challenges = None
    #: Sign-in records and the login throttle (``domain.sign_ins``).
    sign_ins = None

    def __init__(self):
        self.sessions = Credentials()  # read it as ``credentials``
        self.link_tokens = LinkTokens()
        self.secrets = PersistentMapping()
        self.ensure_containers()

    def ensure_containers(self):
        """Add any top-level container, index or the mail budget this version
        has and the data lacks (idempotent; run at every start-up)."""
        for name, factory in containers().items():
            if getattr(self, name, None) is None:
                container = factory()
                container.__name__ = name
                container.__parent__ = self
                setattr(self, name, container)
        if self.login_flows is None:
            self.login_flows = LoginFlows()
        if self.mail_budget is None:
            self.mail_budget = MailBudget()
        if self.mfa_challenges is None:
            self.mfa_challenges = Challenges()
        if self.sign_ins is None:
            self.sign_ins = SignIns()
        self.sessions.ensure_key_index()
        self.sessions.ensure_signing_key()

    @property
    def credentials(self) -> Credentials:
        """Login sessions and API keys.  Stored as ``sessions``, its name
        before API keys, which existing databases keep."""
        return self.sessions

    @property
    def __acl__(self):
        return root_acl(self)

    def __getitem__(self, name):
        if name in container_names():
            return getattr(self, name)
        raise KeyError(name)


class TraversalRoot:
    """Per-request root handed to Pyramid; ``/api`` leads to :class:`ApiEntry`."""

    __name__ = ""
    __parent__ = None
    __acl__ = ()

    def __init__(self, api_root, request):
        self.entry = ApiEntry(api_root, request)

    def __getitem__(self, name):
        if name == "api":
            return self.entry
        raise KeyError(name)


class ApiEntry:
    """The ``/api/`` resource as seen by one request.

    It stands in for :class:`ApiRoot` during traversal so that caller-relative
    and time-dependent names resolve: ``/api/account/`` is the caller's own
    account, ``/api/apikeys/`` the keys live now.  Everything else (ACL,
    location, children) is the persistent root's.
    """

    __name__ = "api"
    __parent__ = SITE

    def __init__(self, api_root, request):
        self.api = api_root
        self.request = request

    @property
    def __acl__(self):
        return self.api.__acl__

    def __getitem__(self, name):
        if name == "account":
            user = self.request.identity
            if user is None or not user.account_id:
                raise KeyError(name)
            return self.api.accounts[user.account_id]
        if name == "apikeys":
            registry = self.request.registry
            return ApiKeys(self.api, get_clock(registry).now(), signing_key(registry, self.api))
        return self.api[name]
