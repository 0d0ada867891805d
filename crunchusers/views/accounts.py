"""Accounts, the caller's account and the account users catalog.

Each account endpoint exists at its canonical ``/api/accounts/{id}/...`` path
and at the caller-relative ``/api/account/...`` alias; both are the same
views on the same traversal context.
"""

from ..authz.permissions import Permission
from ..authz.roles import roles_for_permissions
from ..authz.rules import is_account_admin
from ..domain.collaboration import set_project_member, set_team_member
from ..domain.credentials import new_user_password_hash
from ..domain.email_address import welcome_mail
from ..domain.exceptions import Invalid, NotAllowed
from ..domain.notifications import Notifier
from ..domain.ownership import account_heir, hand_over
from ..domain.password_policy import PasswordPolicy, personal_words
from ..domain.references import id_from_url, resolve_user
from ..domain.removal import remove_from_account
from ..domain.resources.accounts import name_key
from ..domain.resources.users import STATUSES, DuplicateLogin
from ..domain.session_lifetime import account_lifetime
from ..domain.sign_ins import lockout_threshold
from ..domain.user_changes import UserChange, role_ids
from ..domain.users import create_account, new_user
from ..infra.clock import get_clock
from ..infra.settings import get_config
from ..rendering import shoji
from ..rendering.representations import account_user_entries
from . import catalog_patch, created, no_content, read_entity, register, tree_service, view_table
from .bodies import ANY_OBJECT, AccountPatch, NewAccount, NewAccountUser
from .params import Page
from .schemas import validate
from .turns import take_turns

accounts = tree_service("accounts", "/api/accounts/", description="Accounts")


def aliased(name: str, suffix: str):
    """The canonical service and its caller-relative ``/api/account/`` twin.

    Bind both to module-level names: ``views.includeme`` registers the
    services it finds as module attributes.
    """
    return (
        tree_service(name, f"/api/accounts/{{account_id}}/{suffix}"),
        tree_service(f"my_{name}", f"/api/account/{suffix}"),
    )


account, my_account = account_services = aliased("account", "")
account_users, my_account_users = account_users_services = aliased("account_users", "users/")


def account_entity(request, account):
    me = request.identity
    catalogs = {"users": account["users"]}
    if is_account_admin(me, account):
        for name in ("teams", "projects", "datasets", "collaborators"):
            catalogs[name] = account[name]
    owner = request.api_root.users.get(account.owner_id)
    lifetime = account_lifetime(account, get_config(request.registry).session_lifetime)
    body = {
        "id": account.__name__,
        "name": account.name,
        "owner": request.url_of(owner) if owner is not None else None,
        "created": account.created.isoformat() if account.created else None,
        "oauth_providers": [],
        "password_policy": PasswordPolicy.of_account(account).settings(),
        "mfa_required": account.mfa_required,
        "session_lifetime_seconds": int(lifetime.total_seconds()),
        "lockout_threshold": lockout_threshold(account),
    }
    views = {"password_policy": request.resource_url(account, "password_policy", "")}
    return shoji.entity(
        request, account, body, description="An account", catalogs=catalogs, views=views
    )


@accounts.get(permission=Permission.VIEW)
def get_accounts(request):
    me = request.identity
    api_root = request.api_root
    if me.is_superuser:
        visible = list(api_root.accounts.values())
    else:
        mine = api_root.accounts.get(me.account_id) if me.account_id else None
        visible = [mine] if mine is not None else []
    index = {request.url_of(a): {"id": a.__name__, "name": a.name} for a in visible}
    return shoji.catalog(request, request.context, index)


@accounts.post(permission=Permission.CREATE_ACCOUNT, schema=NewAccount())
def post_accounts(request):
    data = read_entity(request)
    owner_data = data["owner"]
    password_hash = new_user_password_hash(
        request.registry,
        None,
        owner_data.get("password"),
        field="owner.password",
        personal=personal_words(owner_data["email"], owner_data.get("name")),
    )
    api_root = request.api_root
    try:
        account, owner = create_account(
            api_root,
            name=data["name"],
            owner_email=owner_data["email"],
            owner_name=owner_data.get("name", ""),
            now=get_clock(request.registry).now(),
            password_hash=password_hash,
        )
    except DuplicateLogin as exc:
        raise Invalid("owner.email", "That email address cannot be used.") from exc
    welcome(request, owner, account, data)
    return created(request, account)


def get_account(request):
    return account_entity(request, request.context)


def patch_account(request):
    account = request.context
    me = request.identity
    changes = read_entity(request)
    if "name" in changes:
        account.name = changes["name"]
    if "password_policy" in changes:
        # applies to passwords set from now on; nobody's current one is judged again
        current = PasswordPolicy.of_account(account).settings()
        account.password_policy = {**current, **changes["password_policy"]}
    if "mfa_required" in changes:
        # asked of everyone at their next sign-in: by mail unless they have TOTP
        account.mfa_required = changes["mfa_required"]
    if "session_lifetime_seconds" in changes:
        # also ends at once the open sessions older than the new lifetime
        account.session_lifetime_seconds = changes["session_lifetime_seconds"]
    if "lockout_threshold" in changes:
        account.lockout_threshold = changes["lockout_threshold"]
    if "owner" in changes:
        new_owner = account_heir(request.api_root, me, account, changes["owner"])
        hand_over(request.api_root, account, new_owner)
        Notifier.for_request(request).ownership_received(
            new_owner, f'the account "{account.name}"'
        )
    return no_content()


view_table(
    (account_services, "GET", get_account, Permission.VIEW),
    (account_services, "PATCH", patch_account, Permission.ADMIN, AccountPatch()),
)


def _status_filter(request, account):
    """``filters[status]``: admins only, since status is not in the public
    profile; removed users are listed under ``deleted`` and nowhere else."""
    status = request.params.get("filters[status]")
    if status is None:
        return None
    if status not in STATUSES:
        raise Invalid(None, f"filters[status] must be one of {', '.join(STATUSES)}.")
    if not is_account_admin(request.identity, account):
        raise NotAllowed("Only account admins may filter users by status.")
    return status


def _matches(user, search):
    if not search:
        return True
    needle = search.casefold()
    return needle in user.name.casefold() or needle in (user.email or "").casefold()


def get_account_users(request):
    """Members of the account, optionally searched, filtered and paged.
    Unsearched and unfiltered, a page is a slice of the account's name
    index; otherwise every member is read, filtered and sorted."""
    account = request.context.account
    users = request.api_root.users
    status = _status_filter(request, account)
    search = request.params.get("search", "").strip()
    page = Page(request, get_config(request.registry).page_size_limit)
    if status is None and not search and account.by_name is not None:
        total = account.listed()
        ids = account.member_page(0 if page.size is None else page.start, page.size)
        selected = [u for u in map(users.get, ids) if u is not None]
    else:
        selected = _selected_members(account, users, status, search)
        total = len(selected)
        if page.size is not None:
            selected = selected[page.start : page.start + page.size]
    links = {}
    extra = {}
    if page.size is not None:
        extra["total"] = total
        links = page.links(request.resource_url(request.context), total)
    viewer = request.identity
    index = account_user_entries(request, selected, viewer, account)
    doc = shoji.catalog(request, request.context, index, self_url=request.url, urls=links)
    doc.update(extra)
    return doc


def _selected_members(account, users, status, search) -> list:
    members = [users[uid] for uid in account.user_ids if uid in users]
    selected = [
        u
        for u in members
        if (u.status == status if status else u.status != "deleted") and _matches(u, search)
    ]
    selected.sort(key=name_key)
    return selected


#: Members of a new user that its password may not contain.
PERSONAL_MEMBERS = ("email", "username", "name", "first_name", "last_name")


def post_account_users(request):
    """Create a user (reference §5.3): a role from ``roles``, ``role_url`` or
    ``account_permissions``; member of the ``teams`` and ``projects`` listed,
    which the caller must be allowed to add members to."""
    account = request.context.account
    data = read_entity(request)
    password_hash = new_user_password_hash(
        request.registry,
        account,
        data.get("password"),
        field="password",
        personal=personal_words(*(data.get(k) for k in PERSONAL_MEMBERS)),
    )
    api_root = request.api_root
    teams = joinable(request, data.get("teams", ()), "teams")
    projects = joinable(request, data.get("projects", ()), "projects")
    try:
        user = new_user(
            api_root,
            account,
            email=data["email"],
            name=data.get("name", ""),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            username=data.get("username"),
            roles=new_user_roles(data),
            now=get_clock(request.registry).now(),
            password_hash=password_hash,
        )
    except DuplicateLogin as exc:
        field = exc.args[0]
        raise Invalid(field, f"That {field} cannot be used.") from exc
    for team in teams:
        set_team_member(team, user, team_admin=False)
    for project in projects:
        set_project_member(project, user, "user", edit=False)
    welcome(request, user, account, data)
    return created(request, user)


def welcome(request, user, account, data):
    """A new user's first mail: the verification link if ``data`` gave a
    password, else the invitation unless ``send_invite`` is false."""
    welcome_mail(
        request.api_root,
        user,
        account,
        Notifier.for_request(request),
        url_base=data.get("url_base"),
        invite=data.get("send_invite", True),
        inviter=request.identity,
    )


def new_user_roles(data) -> tuple[str, ...]:
    """Roles named by ``roles`` and ``role_url`` (ids or role URLs), else
    the role matching ``account_permissions``, else Standard; naming roles
    both ways is ambiguous and refused."""
    named = list(data.get("roles", ()))
    if data.get("role_url") is not None:
        named.append(data["role_url"])
    if named and "account_permissions" in data:
        raise Invalid(
            "account_permissions", "Give either roles/role_url or account_permissions, not both."
        )
    if named:
        return role_ids(named, field="role_url" if "roles" not in data else "roles")
    if "account_permissions" in data:
        return roles_for_permissions(data["account_permissions"])
    return ("standard",)


def joinable(request, urls, collection) -> list:
    """The teams or projects ``urls`` name, each one whose members the caller
    may change (the permission of its members PATCH): an unknown or invisible
    one is a 400, one the caller may only view a 403."""
    container = getattr(request.api_root, collection)
    found = []
    for ref in dict.fromkeys(urls):
        ident = id_from_url(ref, collection)
        thing = container.get(ident) if ident else None
        if thing is None or not request.has_permission(Permission.VIEW, thing):
            raise Invalid(collection, f"{ref} is not one of your {collection}.")
        if not request.has_permission(Permission.EDIT, thing):
            raise NotAllowed(f"You may not add members to {ref}.")
        found.append(thing)
    return found


def patch_account_users(request):
    """Change members (``account_permissions``, ``roles``, status…) or remove
    them with a ``null`` tuple; all or nothing."""
    account = request.context.account
    index, options = catalog_patch(request)
    api_root = request.api_root
    notifier = Notifier.for_request(request)
    removed = []
    for ref, changes in index.items():
        target = resolve_user(api_root, ref)
        if target is None or target.account_id != account.__name__:
            raise Invalid(ref, f"{ref} is not a user of this account.")
        if changes is None:
            remove_from_account(api_root, request.identity, account, target)
            removed.append(target.__name__)
            continue
        validate(ANY_OBJECT, changes, at=ref)
        if "url_base" in options and "url_base" not in changes:
            changes = {**changes, "url_base": options["url_base"]}
        change = UserChange(
            api_root, request.identity, target, notifier, lambda r: resolve_user(api_root, r)
        )
        change.apply(changes)
    if removed:
        return {"removed": removed}
    return no_content()


view_table(
    (account_users_services, "GET", get_account_users, Permission.VIEW),
    (account_users_services, "POST", post_account_users, Permission.ADMIN, NewAccountUser()),
    (account_users_services, "PATCH", patch_account_users, Permission.ADMIN),
)


def includeme(config):
    register(config, accounts, *account_services, *account_users_services)
    # Invites: 16 clients inviting at once insert into the same trees.
    take_turns(config, account_users_services, "POST")
