"""crunchusers: a Shoji (Crunch.io-style) user, team and sharing API server.

The map, from the outside in:

* ``views/`` — the HTTP layer: Cornice services (a Cornice "service" is an
  HTTP endpoint), one module per area; error views, request schemas, CSRF,
  body limits and query parameters.  Only here is HTTP known.
* ``rendering/`` — Shoji documents in and out, representations, URLs, the
  JSON encoder (orjson) and display times.
* ``authz/`` — who may do what: permissions, principals, grants, ACLs, the
  security policy, roles and the pure rules.
* ``domain/`` — persistent resources (``resources/``), each declaring its
  kind in one registry (``kinds``), and the operations on them, one module
  per rule; refusals are ``domain.exceptions``.
* ``infra/`` — settings, clock, tokens, passwords, mail and its outbox,
  storage, the OpenID Connect client, the request class.
* ``browser/`` — the API as HTML pages for browsers, login and logout, the
  pages behind mailed links (templates, forms, their CSRF tokens).
* ``cli.py`` — operator commands; :func:`main` below builds the WSGI app.
"""

import os

from pyramid.config import Configurator

from .authz.policy import SecurityPolicy
from .infra.clock import SystemClock
from .infra.mail import start_delivery
from .infra.request_factory import carry_request_extensions
from .infra.settings import FRAMEWORK_DEFAULTS, Config
from .infra.startup import follow_http_port, report, warn_if_smtp_unreachable
from .infra.storage import bootstrap_database, get_api_root, open_storage, root_factory
from .rendering.renderer import ShojiJSONRenderer
from .rendering.urls import url_of


def main(global_config=None, **settings):
    """Build the WSGI app (the ``paste.app_factory`` entry point)."""
    for key, value in FRAMEWORK_DEFAULTS.items():
        settings.setdefault(key, value)
    settings = follow_http_port(settings, global_config)
    config = Configurator(settings=settings, root_factory=root_factory)
    config.registry.crunchusers_config = Config.from_settings(settings, os.environ)
    config.registry.crunchusers_clock = SystemClock()
    config.include("pyramid_retry")
    config.include("pyramid_tm")
    open_storage(config)
    config.include("cornice")
    config.add_renderer("cornicejson", ShojiJSONRenderer())  # every service renders with it
    config.include(".infra.mail")
    config.include(".infra.oidc")
    config.add_request_method(get_api_root, "api_root", reify=True)
    config.add_request_method(url_of, "url_of")
    config.set_security_policy(SecurityPolicy())
    config.include(".views")
    config.include(".browser")
    carry_request_extensions(config)
    app = config.make_wsgi_app()
    bootstrap_database(config.registry)
    start_delivery(config.registry)
    warn_if_smtp_unreachable(config.registry)
    report(config.registry, global_config)
    return app
