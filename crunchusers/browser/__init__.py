"""The API in a browser, and the pages behind mailed links.

Everything a person with a browser sees, in one package, rendered on the
server with Jinja2 (``pyramid_jinja2``, autoescaping on) — no JavaScript,
nothing loaded from elsewhere (one stylesheet served from ``static/``):

* ``negotiation`` — who gets HTML: clients that prefer ``text/html`` over
  ``application/json``; ``*/*`` (curl) and a missing ``Accept`` stay JSON.
* ``pages`` — the one hook that turns the JSON a view answered into a page
  (a tween inside the transaction, so it can ask what the caller may do):
  element, body as a table, every link clickable, forms for the methods
  the caller may use.
* ``document`` — a Shoji document as the parts a page shows.
* ``forms`` — the form posts: CSRF guard (synchronizer token and Origin)
  for everything under ``/browse/``, and the translation of the API's forms
  (``POST /browse/api/...`` with ``_method``) into the JSON request the API
  already understands.
* ``csrf`` — the synchronizer tokens (Pyramid's CSRF storage policy).
* ``session`` — the login and password-reset request pages, logout.
* ``links`` — the pages behind mailed links; one registration per purpose.
* ``email_requests`` — asking for a new verification link or an email
  change with a form (where a dead link of either sends you).
"""

from pyramid.tweens import EXCVIEW

from ..infra.settings import get_config
from .csrf import BrowserCSRF
from .links import add_link_page, add_link_path
from .links.passwords import INVITATION, PASSWORD_RESET, password_link_pattern
from .render import PREFIX


def includeme(config):
    """Templates, the two tweens, the CSRF policy and the pages' routes."""
    config.registry.settings["jinja2.autoescape"] = "true"  # never configurable off
    config.include("pyramid_jinja2")
    config.set_csrf_storage_policy(BrowserCSRF())
    config.add_static_view(f"{PREFIX}/static", "crunchusers.browser:static", cache_max_age=3600)
    config.add_tween(
        "crunchusers.browser.forms.form_tween_factory",
        under="crunchusers.views.limits.body_limit_tween_factory",
        over="crunchusers.views.csrf.csrf_tween_factory",
    )
    config.add_tween(
        "crunchusers.browser.pages.page_tween_factory",
        under="pyramid_tm.tm_tween_factory",
        over=EXCVIEW,
    )
    config.include(".session")
    config.include(".links")
    pattern = password_link_pattern(get_config(config.registry).default_url_base)
    add_link_path(config, "password_link", pattern, renew="password_renew.jinja2")
    for page in (INVITATION, PASSWORD_RESET):
        add_link_page(config, page)
    config.include(".links.emails")  # after: a path-less dead link gets the password page
    config.include(".email_requests")
