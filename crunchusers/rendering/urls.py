"""Absolute URLs of resources, fast enough for catalogs of thousands.

``request.resource_url`` walks the lineage, looks up an adapter, parses the
host and quotes every segment on each call; a dataset catalog needs several
URLs per entry and a user entity half a dozen.  :func:`url_of` builds the
root's URL from ``request.application_url`` and every other URL as its
parent's URL (remembered for the request) plus the quoted name, which is
what ``resource_url`` computes as long as no resource has its own
``__resource_url__`` and no ``IResourceURL`` adapter is registered (none
is).  Under a virtual root (``X-Vhm-Root``) it leaves the work to
``resource_url``.
"""

from functools import lru_cache

from pyramid.traversal import PATH_SEGMENT_SAFE, VH_ROOT_KEY, quote_path_segment

CACHE = "_crunchusers_urls"
APP_URL = "_crunchusers_application_url"


def url_of(request, resource, *elements) -> str:
    """``request.resource_url(resource, *elements)``, remembered per request."""
    url = _url(request, resource)
    return url + _tail(elements) if elements else url


@lru_cache(maxsize=1024)
def _tail(elements: tuple) -> str:
    """The quoted elements joined: views append the same few names."""
    return "/".join(quote_path_segment(e, safe=PATH_SEGMENT_SAFE) for e in elements)


def application_url(request) -> str:
    """``request.application_url`` (webob derives it from the environ on
    every access), computed once per request."""
    url = request.__dict__.get(APP_URL)
    if url is None:
        url = request.__dict__[APP_URL] = request.application_url
    return url


def _url(request, resource) -> str:
    cache = request.__dict__.get(CACHE)
    if cache is None:
        cache = request.__dict__[CACHE] = {}
    known = cache.get(id(resource))
    if known is not None:
        return known[1]
    parent = getattr(resource, "__parent__", None)
    name = getattr(resource, "__name__", None)
    if VH_ROOT_KEY in request.environ or not isinstance(name, str | None):
        url = request.resource_url(resource)
    elif parent is None:
        url = application_url(request) + "/" if not name else request.resource_url(resource)
    else:
        url = f"{_url(request, parent)}{quote_path_segment(name)}/"
    cache[id(resource)] = (resource, url)  # the resource kept alive: its id stays its own
    return url
