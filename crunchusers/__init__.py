"""crunchusers: a Shoji (Crunch.io-style) user, team and sharing API server."""

import os

from pyramid.config import Configurator

from .clock import SystemClock
from .db import bootstrap_database, get_api_root, root_factory
from .mail import start_delivery
from .security import SecurityPolicy
from .settings import FRAMEWORK_DEFAULTS, Config
from .urls import url_of


def main(global_config=None, **settings):
    """Build the WSGI app (the ``paste.app_factory`` entry point)."""
    for key, value in FRAMEWORK_DEFAULTS.items():
        settings.setdefault(key, value)
    config = Configurator(settings=settings, root_factory=root_factory)
    config.registry.crunchusers_config = Config.from_settings(settings, os.environ)
    config.registry.crunchusers_clock = SystemClock()
    config.include("pyramid_retry")
    config.include("pyramid_tm")
    config.include("pyramid_zodbconn")
    config.include("cornice")
    config.include(".mail")
    config.add_request_method(get_api_root, "api_root", reify=True)
    config.add_request_method(url_of, "url_of")
    config.set_security_policy(SecurityPolicy())
    config.add_tween(
        "crunchusers.limits.body_limit_tween_factory", over="pyramid_tm.tm_tween_factory"
    )
    config.add_tween(
        "crunchusers.csrf.csrf_tween_factory",
        under="crunchusers.limits.body_limit_tween_factory",
        over="pyramid_tm.tm_tween_factory",
    )
    config.include(".services")
    config.scan(".errors")
    app = config.make_wsgi_app()
    bootstrap_database(config.registry)
    start_delivery(config.registry)
    return app
