"""The users catalog and user entities."""

from ..authz.permissions import Permission
from ..authz.rules import may_force_password_reset
from ..domain.exceptions import Invalid, NotAllowed
from ..domain.federation import uses_external_identity
from ..domain.notifications import Notifier
from ..domain.references import resolve_user
from ..domain.removal import remove_from_account
from ..domain.user_changes import UserChange, changes_from
from ..rendering import shoji
from ..rendering.representations import user_body, user_tuple
from . import no_content, read_entity, register, tree_service
from .bodies import ANY_OBJECT, Invitation
from .passwords import own_account_password, wrong_own_password
from .sign_ins import sign_in_catalogs

users = tree_service("users", "/api/users/", description="Users visible to the caller")
user = tree_service("user", "/api/users/{user_id}/", description="A user")
invite = tree_service(
    "user_invite", "/api/users/{user_id}/invite/", context="/api/users/{user_id}/"
)


def includeme(config):
    register(config, users, user, invite)


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
        catalogs=_links(
            request,
            target,
            (("visible_datasets",) if admin else ()) + sign_in_catalogs(request, target),
        ),
        fragments=_links(request, target, user_actions(request, target, admin)),
    )


def user_actions(request, target, admin: bool) -> tuple[str, ...]:
    """The action URLs the caller may use on ``target``: only those."""
    me = request.identity
    actions = ()
    if target.__name__ == me.__name__:
        actions += ("password", "password_reset")
        if not uses_external_identity(target):
            actions += ("change_email",)
        if not target.email_verified:
            actions += ("verify_email",)
    elif admin:
        actions += ("invite", "password_reset")
    if admin:
        actions += ("reassign", "expropriate")
    if admin or target.__name__ == me.__name__:
        actions += ("second_factor",)
    account = request.api_root.accounts.get(target.account_id) if target.account_id else None
    if target.status == "active" and may_force_password_reset(me, target, account):
        actions += ("force_password_reset",)
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


#: Members of the own-account edit that are not profile fields (seed 001).
OWN_PASSWORD_MEMBERS = ("password", "old_password")


def own_account_members(request, target, body) -> dict:
    """Take out of ``body`` what the own-account edit does with the current
    password: ``password``, ``old_password`` and, sent by the user themself
    and different from their address, ``email`` (a request to change it)."""
    members = {k: body.pop(k) for k in OWN_PASSWORD_MEMBERS if k in body}
    is_self = target.__name__ == request.identity.__name__
    if is_self and "email" in body and body["email"] != target.email:
        members["email"] = body.pop("email")
    return members


def _change_user(request, body, whole=False):
    """Apply a PATCH/PUT; ``password``/``old_password`` and the user's own
    ``email`` go to the password and email changes
    (``passwords.own_account_password``), everything else to ``UserChange``,
    in one transaction: either all of it or nothing."""
    target = request.context
    api_root = request.api_root
    secrets = own_account_members(request, target, body)
    wrong = wrong_own_password(request, target, secrets)
    if wrong is not None:
        return wrong
    change = UserChange(
        api_root,
        request.identity,
        target,
        Notifier.for_request(request),
        lambda ref: resolve_user(api_root, ref),
    )
    change.apply(changes_from(body, user_body(request, target), whole))
    if secrets:
        own_account_password(request, target, secrets)
    return no_content()


@user.patch(permission=Permission.EDIT, schema=ANY_OBJECT)
def patch_user(request):
    return _change_user(request, read_entity(request))


@user.put(permission=Permission.EDIT, schema=ANY_OBJECT)
def put_user(request):
    """A whole entity sent back: unchanged read-only members are accepted."""
    return _change_user(request, read_entity(request), whole=True)


@user.delete(permission=Permission.ADMIN)
def delete_user(request):
    """Tombstone the user; answers with its id (seed 002)."""
    target = request.context
    account = request.api_root.accounts.get(target.account_id)
    remove_from_account(request.api_root, request.identity, account, target)
    return {"id": target.__name__}


@invite.post(permission=Permission.ADMIN, schema=Invitation())
def post_invite(request):
    """Send the invitation again with a fresh token; older tokens die."""
    target = request.context
    if target.__name__ == request.identity.__name__:
        raise NotAllowed("You cannot invite yourself.")
    if target.status != "pending":
        raise Invalid(None, "The user is already active; use password_reset instead.")
    url_base = read_entity(request).get("url_base")
    api_root = request.api_root
    account = api_root.accounts.get(target.account_id)
    Notifier.for_request(request).invitation(api_root, target, account, url_base, request.identity)
    return no_content()
