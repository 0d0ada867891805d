"""The invariant check: every relationship's forward and reverse sides agree.

``check`` walks the whole tree (fine in a test) and compares each stored
relationship with its reverse, as each kind declares them
(``domain.kinds``): ownership, accounts, grants and placement.
"""

from crunchusers.domain.kinds import all_kinds, granted_to, kind_named, owned_kinds, placement_of
from crunchusers.domain.resources.accounts import listed_in, name_key
from crunchusers.domain.resources.users import normalize_email


def check(root):
    users = root.users
    for user in users.values():
        if user.status != "deleted":
            assert root.users.by_email[normalize_email(user.email)] == user.__name__
    for email_key, user_id in root.users.by_email.items():
        assert normalize_email(users[user_id].email) == email_key
    for account in root.accounts.values():
        check_name_index(root, account)
    for spec in all_kinds():
        for thing in spec.container_of(root).values():
            check_forward(root, spec, thing)
            check_reverse(root, spec, thing)


def check_name_index(root, account):
    """The account's name index lists exactly its members not removed, each
    where its name sorts now."""
    members = [root.users[uid] for uid in account.user_ids]
    expected = sorted(name_key(u) for u in members if listed_in(u, account))
    assert list(account.by_name) == expected
    assert account.listed() == len(expected)


def check_forward(root, spec, thing):
    """What ``thing`` points at points back."""
    name = thing.__name__
    if spec.owned:
        assert name in root.users[thing.owner_id].ids(spec.owned_ids)
    if spec.in_account and thing.account_id:
        assert name in root.accounts[thing.account_id].ids(spec.ids)
    if spec.grantable:
        for key in getattr(thing, spec.grantable.on):
            grantee_kind, ident = spec.grantable.parse(key)
            assert name in kind_named(grantee_kind).container_of(root)[ident].ids(spec.ids)
    placed = placement_of(spec)
    if placed and getattr(thing, placed[1].pointer):
        holder_kind, placement = placed
        holder = holder_kind.container_of(root)[getattr(thing, placement.pointer)]
        assert name in holder.ids(placement.children)


def check_reverse(root, spec, thing):
    """What points at ``thing`` from its id-sets is pointed at back."""
    name = thing.__name__
    for granted in granted_to(spec.name):
        for ident in thing.ids(granted.ids):
            on = getattr(granted.container_of(root)[ident], granted.grantable.on)
            assert granted.grantable.key(spec.name, name) in on
    for owned in owned_kinds():
        for ident in thing.ids(owned.owned_ids):
            assert owned.container_of(root)[ident].owner_id == name
    for held in all_kinds():
        if held.in_account and spec.name == "account":
            for ident in thing.ids(held.ids):
                assert held.container_of(root)[ident].account_id == name
    children = []
    for child_name, placement in spec.contains.items():
        for child_id in thing.ids(placement.children):
            child = kind_named(child_name).container_of(root)[child_id]
            assert getattr(child, placement.pointer) == name
            children.append(child_id)
    if spec.contains:
        assert sorted(thing.graph) == sorted(children)
