"""Absolute URLs of resources, fast enough for catalogs of thousands.

``request.resource_url`` walks the lineage and quotes every segment on each
call; a dataset catalog needs several URLs per entry, and profiling showed
that walk as half of the catalog's time.  Items live directly in a
container and are named by hex ids (nothing to quote), so their URL is their
container's URL — computed once per request — plus the id.
"""

from ..domain.resources.base import Item


def url_of(request, resource) -> str:
    parent = getattr(resource, "__parent__", None)
    if not isinstance(resource, Item) or parent is None:
        return request.resource_url(resource)
    cache = request.__dict__.setdefault("_crunchusers_container_urls", {})
    base = cache.get(parent)
    if base is None:
        base = cache[parent] = request.resource_url(parent)
    return f"{base}{resource.__name__}/"
