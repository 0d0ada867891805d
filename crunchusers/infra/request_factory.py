"""One request class carrying every request extension, made once.

Pyramid applies ``add_request_method`` extensions to each request; when any
of them is a ``reify=True`` property (ours: ``api_root``; pyramid_tm's
``tm``; Cornice's ``current_service``) it builds a new class per request
(``InstancePropertyHelper.apply_properties``), 14 % of a user entity GET.
:func:`carry_request_extensions` moves every registered method and property
onto one ``Request`` subclass, registers it as the request factory and
drops the extensions, so the router applies nothing per request.  It takes
whatever the included packages registered, so nothing is missed when one
adds an extension.
"""

from pyramid.interfaces import IRequestExtensions, IRequestFactory
from pyramid.request import Request


def request_class(base: type, extensions) -> type:
    """A subclass of ``base`` with the extensions' methods and properties
    as class attributes (descriptors work the same there as on the
    per-request classes Pyramid would build)."""
    attrs = {**extensions.methods, **extensions.descriptors, "__module__": base.__module__}
    return type(base.__name__, (base,), attrs)


def carry_request_extensions(config):
    """Commit ``config`` (extensions register at commit time), then move the
    extensions onto the request factory.  Call just before
    ``make_wsgi_app``, after every ``include``."""
    config.commit()
    registry = config.registry
    extensions = registry.queryUtility(IRequestExtensions)
    if extensions is None:
        return
    base = registry.queryUtility(IRequestFactory, default=Request)
    registry.registerUtility(request_class(base, extensions), IRequestFactory)
    registry.unregisterUtility(provided=IRequestExtensions)
