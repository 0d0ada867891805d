"""``GET /api/`` and the small root views clients need at connect time."""

from ..authz.permissions import Permission
from ..rendering import shoji
from ..rendering.urls import application_url
from . import register, tree_service

api_root = tree_service("api_root", "/api/", description="The API root")
feature_flag = tree_service("feature_flag", "/api/feature_flag/", context="/api/")
progress = tree_service("progress", "/api/progress/", context="/api/")


def includeme(config):
    register(config, api_root, feature_flag, progress)


#: Feature flags this server knows; unknown flags are inactive (scrunch asks
#: for ``clients_strict_subvariable_syntax`` at connect time).
FEATURE_FLAGS: dict[str, bool] = {}


def api_link(request, *segments: str) -> str:
    """Absolute URL under ``/api/`` ending with a slash."""
    return application_url(request) + "/api/" + "".join(f"{s}/" for s in segments)


def description_urls(request) -> dict:
    """The OpenAPI description and its page (``views/openapi``): plain
    URLs, not Shoji documents, so under ``urls``."""
    return {
        "openapi_url": application_url(request) + "/api/openapi.json",
        "docs_url": api_link(request, "docs"),
    }


@api_root.get(permission=Permission.VIEW)
def get_api_root(request):
    user = request.identity
    user_url = request.url_of(user)
    catalogs = {
        name: api_link(request, name)
        for name in ("public", "users", "datasets", "teams", "projects", "apikeys", "roles")
    }
    catalogs["datasets_by_name"] = api_link(request, "datasets", "by_name", "{name}")
    catalogs["accounts"] = api_link(request, "accounts")
    # Only callers with an account have /api/account/ (not the superuser).
    account = {"account": api_link(request, "account")} if user.account_id else {}
    return shoji.catalog(
        request,
        request.context,
        None,
        description=(
            "The API root. GET user_url to access your resources. GET logout_url to sign out."
        ),
        catalogs=catalogs,
        views={
            "user": user_url,
            **account,
            "feature_flag": api_link(request, "feature_flag"),
            "progress": api_link(request, "progress"),
        },
        urls={
            "user_url": user_url,
            **{f"{name}_url": link for name, link in account.items()},
            "logout_url": api_link(request, "logout"),
            **description_urls(request),
        },
    )


@feature_flag.get(permission=Permission.VIEW)
def get_feature_flag(request):
    name = request.params.get("feature_name", "")
    return shoji.view(request, request.url, {"active": FEATURE_FLAGS.get(name, False)})


@progress.get(permission=Permission.VIEW)
def get_progress(request):
    """No work here is asynchronous: every POST completes before it answers."""
    return shoji.view(request, request.url, {"progress": 100, "message": "complete"})
