"""The users catalog and user entities."""

from ..authz.permissions import Permission
from ..domain.exceptions import Invalid, NotAllowed
from ..domain.federation import refuse_password
from ..domain.notifications import Notifier
from ..domain.references import resolve_user
from ..domain.user_changes import UserChange, changes_from
from ..infra.passwords import hash_password, policy_problem, verify_password
from ..rendering import shoji
from ..rendering.representations import user_body, user_tuple
from . import no_content, only_fields, tree_service
from .accounts import remove_account_user

users = tree_service("users", "/api/users/", description="Users visible to the caller")
user = tree_service("user", "/api/users/{user_id}/", description="A user")
invite = tree_service(
    "user_invite", "/api/users/{user_id}/invite/", context="/api/users/{user_id}/"
)
password = tree_service(
    "user_password", "/api/users/{user_id}/password/", context="/api/users/{user_id}/"
)


def candidate_users(request):
    """Users a listing may show, narrowed through indexes — never all users.

    ``?email=`` and ``?id=`` go through the email index and the container;
    without them the candidates are the caller, the caller's account and
    the members of the caller's teams.  Removed users are never listed
    (admins find tombstones under the account users' ``filters[status]``).
    """
    api_root = request.api_root
    container = api_root.users
    email = request.params.get("email")
    user_id = request.params.get("id")
    if email is not None or user_id is not None:
        found = container.find_by_email(email) if email is not None else container.get(user_id)
        if found is not None and user_id is not None and found.__name__ != user_id:
            found = None
        return [found] if found is not None and found.status != "deleted" else []
    me = request.identity
    ids = {me.__name__}
    account = api_root.accounts.get(me.account_id) if me.account_id else None
    if account is not None:
        ids.update(account.user_ids)
    for team_id in me.team_ids:
        team = getattr(api_root, "teams", {}).get(team_id)
        if team is not None:
            ids.update(team.members.keys())
    found = (container.get(i) for i in sorted(ids))
    return [u for u in found if u is not None and u.status != "deleted"]


@users.get(permission=Permission.VIEW)
def get_users(request):
    index = {
        request.url_of(u): user_tuple(request, u)
        for u in candidate_users(request)
        if request.has_permission(Permission.VIEW, u)
    }
    return shoji.catalog(request, request.context, index, self_url=request.url)


@user.get(permission=Permission.VIEW)
def get_user(request):
    target = request.context
    admin = request.has_permission(Permission.ADMIN, target)
    return shoji.entity(
        request,
        target,
        user_body(request, target),
        description="Detail for a given user",
        urls=account_link(request, target),
        catalogs=_links(request, target, ("visible_datasets",) if admin else ()),
        fragments=_links(request, target, user_actions(request, target, admin)),
    )


def user_actions(request, target, admin: bool) -> tuple[str, ...]:
    """The action URLs the caller may use on ``target``: only those."""
    actions = ()
    if target.__name__ == request.identity.__name__:
        actions += ("password",)
    elif admin:
        actions += ("invite",)
    if admin:
        actions += ("reassign", "expropriate")
    return actions


def _links(request, target, names) -> dict:
    return {name: request.url_of(target, name, "") for name in names}


def account_link(request, target) -> dict:
    """``urls.account_url``: the user's own account (pycrunch's sharing recipe
    follows ``site.user_url.account_url.users``), for callers who may see it."""
    account = request.api_root.accounts.get(target.account_id) if target.account_id else None
    if account is None or not request.has_permission(Permission.VIEW, account):
        return {}
    return {"account_url": request.url_of(account)}


def _change_user(request, body, whole=False):
    target = request.context
    api_root = request.api_root
    change = UserChange(
        api_root,
        request.identity,
        target,
        Notifier.for_request(request),
        lambda ref: resolve_user(api_root, ref),
    )
    change.apply(changes_from(body, user_body(request, target), whole))
    return no_content()


@user.patch(permission=Permission.EDIT)
def patch_user(request):
    return _change_user(request, shoji.entity_body(shoji.json_object(request)))


@user.put(permission=Permission.EDIT)
def put_user(request):
    """A whole entity sent back: unchanged read-only members are accepted."""
    return _change_user(request, shoji.entity_body(shoji.json_object(request)), whole=True)


@user.delete(permission=Permission.ADMIN)
def delete_user(request):
    """Tombstone the user; answers with its id (seed 002)."""
    target = request.context
    account = request.api_root.accounts.get(target.account_id)
    if target.status == "deleted":
        raise Invalid(None, "The user was already removed.")
    remove_account_user(request, account, target)
    return {"id": target.__name__}


@invite.post(permission=Permission.ADMIN)
def post_invite(request):
    """Send the invitation again with a fresh token; older tokens die."""
    target = request.context
    if target.__name__ == request.identity.__name__:
        raise NotAllowed("You cannot invite yourself.")
    if target.status != "pending":
        raise Invalid(None, "The user is already active; use password_reset instead.")
    data = shoji.entity_body(shoji.json_object(request))
    only_fields(data, ("url_base",))
    url_base = data.get("url_base")
    if url_base is not None and not isinstance(url_base, str):
        raise Invalid("url_base", "url_base must be a string.")
    api_root = request.api_root
    account = api_root.accounts.get(target.account_id)
    Notifier.for_request(request).invitation(api_root, target, account, url_base, request.identity)
    return no_content()


@password.post(permission=Permission.EDIT)
def post_password(request):
    """The user changes their own password: old and new, 204 or 400."""
    target = request.context
    if target.__name__ != request.identity.__name__:
        raise NotAllowed("Only the user may change their password here.")
    refuse_password(target)
    data = shoji.entity_body(shoji.json_object(request))
    only_fields(data, ("old_pw", "new_pw"))
    old, new = data.get("old_pw"), data.get("new_pw")
    if not isinstance(old, str) or not verify_password(
        request.registry, target.password_hash, old
    ):
        raise Invalid("old_pw", "The current password is not correct.")
    if problem := policy_problem(new):
        raise Invalid("new_pw", problem)
    target.password_hash = hash_password(request.registry, new)
    Notifier.for_request(request).password_changed(target)
    return no_content()
