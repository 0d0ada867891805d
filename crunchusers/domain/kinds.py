"""One registry of the persistent kinds.

Each resource class says what it is with the :func:`kind` decorator — the
root container it lives in, whether a user owns it and an account holds it,
what it contains and what may be granted on it — and everything that walks
kinds reads that declaration instead of keeping a table of its own: the
root's containers (``resources.root``), creating, placing, granting and
deleting (``collaboration``), removing a user (``removal``), handing over
ownership and expropriation (``ownership``), the sharing limits
(``sharing``), the accounts a user collaborates with
(``authz.grants.collaborating_accounts``) and the invariant tests.  Substance D's ``@content`` and
Kinto's ``@resource.register`` are the models.

The id-sets a declaration implies are named after the kind, so that they
need no declaring of their own:

* ``owned``: ``thing.owner_id`` and the owner's ``owned_<name>_ids``;
* ``in_account``: ``thing.account_id`` and the account's ``<name>_ids``;
* a grant on a thing: the grantee's ``<name>_ids`` (``User.team_ids``).

Importing :mod:`crunchusers.domain.resources` imports every module in it,
so the registry is complete as soon as any resource class is importable.
"""

import importlib
from dataclasses import dataclass, field
from functools import lru_cache

from ..authz.principals import principal


@dataclass(frozen=True)
class Placement:
    """How a contained kind points at its container: ``pointer`` is the
    child's attribute naming the container, ``children`` the container's
    id-set of such children.  A containing kind also keeps its children's
    order (``append_child``/``remove_child``)."""

    pointer: str
    children: str


@dataclass(frozen=True)
class Grants:
    """What may be granted on a kind, and to whom.

    ``on`` is the thing's mapping of grants; its keys are principals
    (``user:<id>``, ``team:<id>``), or bare user ids when ``by_principal`` is
    false (team members).  ``to`` names the grantee kinds.  ``maker_grant``
    is the grant whoever makes the thing, or is handed it, holds as well, so
    that ownership comes with the means to use it (None: ownership is enough).
    """

    on: str
    to: tuple[str, ...] = ("user", "team")
    by_principal: bool = True
    maker_grant: object = None

    def key(self, grantee_kind: str, ident: str) -> str:
        return principal(grantee_kind, ident) if self.by_principal else ident

    def parse(self, key: str) -> tuple[str, str]:
        """``(grantee kind, id)`` from a key of :attr:`on`."""
        if self.by_principal:
            grantee_kind, _, ident = key.partition(":")
            return grantee_kind, ident
        return self.to[0], key

    def principals(self, thing) -> list[str]:
        """Every grantee of ``thing`` as a principal key."""
        return [principal(*self.parse(key)) for key in getattr(thing, self.on).keys()]


@dataclass(frozen=True, eq=False)
class Kind:
    """One registered kind: ``container`` names the root container (and the
    URL segment), ``owned`` and ``in_account`` imply the id-sets above,
    ``contains`` maps each contained kind's name to its :class:`Placement`,
    ``grantable`` says what may be granted on it.  Compared by identity:
    there is one of each."""

    name: str
    cls: type
    container: str
    container_class: type
    owned: bool = False
    in_account: bool = False
    contains: dict = field(default_factory=dict)  # contained kind name -> Placement
    grantable: Grants | None = None

    @property
    def ids(self) -> str:
        """The id-set naming things of this kind on an account or a grantee."""
        return f"{self.name}_ids"

    @property
    def owned_ids(self) -> str:
        return f"owned_{self.name}_ids"

    def container_of(self, api_root):
        return getattr(api_root, self.container)


_KINDS: dict[str, Kind] = {}


def kind(*, name, container, container_class, **declaration):
    """Class decorator: register the class as the kind ``name``, stored in
    the root container ``container`` (a ``container_class``)."""

    def register(cls):
        for known in _KINDS.values():
            if name == known.name or container == known.container:
                raise ValueError(f"{cls.__name__} repeats the kind or container of {known.name}")
        _KINDS[name] = Kind(name, cls, container, container_class, **declaration)
        container_names.cache_clear()
        return cls

    return register


def all_kinds() -> tuple[Kind, ...]:
    importlib.import_module(f"{__package__}.resources")  # registers every kind
    return tuple(_KINDS.values())


def kind_named(name: str) -> Kind:
    all_kinds()
    return _KINDS[name]


def kind_of(thing) -> Kind:
    """The kind of an instance or a class."""
    cls = thing if isinstance(thing, type) else type(thing)
    for known in all_kinds():
        if issubclass(cls, known.cls):
            return known
    raise LookupError(f"{cls.__name__} is no registered kind")


def containers() -> dict:
    """The root's containers: name -> container class."""
    return {k.container: k.container_class for k in all_kinds()}


@lru_cache(maxsize=1)
def container_names() -> frozenset:
    """The names of :func:`containers`, remembered until the next kind
    registers: traversal asks on every request."""
    return frozenset(containers())


def owned_kinds() -> tuple[Kind, ...]:
    return tuple(k for k in all_kinds() if k.owned)


def granted_to(grantee_kind: str) -> tuple[Kind, ...]:
    """The kinds on which a ``grantee_kind`` may be granted something."""
    return tuple(k for k in all_kinds() if k.grantable and grantee_kind in k.grantable.to)


def placement_of(contained: Kind) -> tuple[Kind, Placement] | None:
    """The kind that contains ``contained`` and how, if any does."""
    for holder in all_kinds():
        if contained.name in holder.contains:
            return holder, holder.contains[contained.name]
    return None
