"""Rendering a page: the values every template gets, the headers every
page carries, and the copy of a JSON answer's status and headers."""

from pyramid.csrf import get_csrf_token
from pyramid.renderers import render_to_response
from pyramid.response import Response

#: Where the browser's own pages and form endpoints live.
PREFIX = "/browse"

#: environ: where a refused form should lead back to (set by :mod:`.forms`).
BACK = "crunchusers.browser.back"

#: Scripts, frames, plugins and anything from elsewhere are refused: the
#: pages need none, so an injected tag could do nothing.  ``same-origin``
#: referrers keep a mailed token in a page's URL from leaving the site, yet
#: keep the ``Origin`` header that form posts are checked by.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

#: Headers of a JSON answer that its page keeps.
PASSED_HEADERS = ("Set-Cookie", "Location", "Retry-After", "Allow", "Cache-Control", "Vary")


def prefix(request) -> str:
    """The path the browser's own pages live under (behind a mount point too)."""
    return request.script_name + PREFIX


def viewer(request) -> dict | None:
    """Who is signed in, for the page header (inside the transaction only)."""
    user = request.identity
    if user is None:
        return None
    return {"name": user.name or user.email, "email": user.email, "url": request.url_of(user)}


def crumbs(request) -> list[tuple[str, str]]:
    """``[(segment, path), ...]`` of an API path, for navigation."""
    if not request.path_info.startswith("/api/"):
        return []
    path, out = request.script_name, []
    for segment in request.path_info.strip("/").split("/"):
        if segment:
            path += f"/{segment}"
            out.append((segment, path + "/"))
    return out


def page(request, template: str, values: dict, *, status: int = 200, signed_in=True) -> Response:
    """The template rendered with the common values; ``signed_in=False``
    outside the transaction, where the viewer cannot be looked up."""
    common = {
        "csrf_token": get_csrf_token(request),
        "prefix": prefix(request),
        "root": request.script_name + "/api/",
        "viewer": viewer(request) if signed_in else None,
        "crumbs": crumbs(request),
        "back": request.environ.get(BACK),
    }
    response = render_to_response(
        f"crunchusers.browser:templates/{template}",
        {**common, **values},
        request=request,
        response=Response(),
    )
    response.status = status
    return secure(response)


def secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def pass_headers(source: Response, target: Response) -> Response:
    for name in PASSED_HEADERS:
        for value in source.headers.getall(name):
            target.headers.add(name, value)
    return target
