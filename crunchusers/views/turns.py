"""The write routes that take turns (:mod:`crunchusers.infra.write_turns`):
the tween that gives a request its turn, and :func:`take_turns` for the
modules that name their routes."""

from pyramid.interfaces import IRoutesMapper

from ..infra.write_turns import WriteTurns


def take_turns(config, services, method: str):
    """Requests of ``method`` on ``services`` take turns in this process."""
    routes = config.registry.crunchusers_turn_routes
    routes.update((service.name, method) for service in services)


def turns_tween_factory(handler, registry):
    """Outside pyramid_tm, so the turn is taken before the transaction and
    its snapshot begin, and left after its commit.  The route is found as
    the router will find it (the first route whose pattern matches)."""
    routes = registry.crunchusers_turn_routes
    methods = {method for _, method in routes}
    mapper = registry.getUtility(IRoutesMapper)
    turns = WriteTurns()

    def turns_tween(request):
        if request.method not in methods:
            return handler(request)
        route = mapper(request)["route"]
        if route is None or (route.name, request.method) not in routes:
            return handler(request)
        with turns.turn():
            return handler(request)

    return turns_tween


def includeme(config):
    config.registry.crunchusers_turn_routes = set()
    config.add_tween(f"{__name__}.turns_tween_factory", over="pyramid_tm.tm_tween_factory")
