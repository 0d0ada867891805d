"""Signing in with an OpenID provider: the authorization-code flow.

``GET /api/public/oidc/{provider}/login/`` starts a flow: it stores a
:class:`~crunchusers.domain.resources.login_flows.LoginFlow` (nonce, PKCE
verifier, redirect URI, the hash of a fresh browser-binding cookie) under a
fresh ``state``, sets that cookie (``oidc_flow``, HttpOnly, SameSite=Lax,
only under ``/api/public/oidc/``) and answers 302 to the provider's
authorization endpoint with ``state``, ``nonce`` and the S256 ``code_challenge``.

``GET /api/public/oidc/{provider}/callback/`` ends it: a provider's
``error`` is reported as it is (some providers send no ``state`` with it);
otherwise the ``state`` must name a live flow of this provider started by
this browser (its cookie), and the provider's ``iss`` parameter (RFC 9207),
when sent, must be its issuer; then the code is exchanged with the
verifier, the ID token validated, the provider must say
``email_verified: true``, and :func:`crunchusers.domain.federation.sign_in`
decides who that is.  Success
sets the same session cookie as the password login and answers 302 to
``crunchusers.oidc.landing_url`` (default: the API root).

Starting a new sign-in in a browser replaces its cookie, which abandons
the sign-in that browser had under way.

Failures are JSON errors like everywhere else (this server has no pages):
400 for a bad, used, expired or foreign ``state`` (one message for all), a
provider error or a code the provider refuses; 403 (one message) for every
address that may not sign in; 404 for an unknown provider; 502 when the
provider cannot be reached; 503 with ``Retry-After`` when too many sign-ins
are in progress.  A failed callback changes nothing (the transaction is
vetoed), so its flow stays until it expires or succeeds; the provider's
code works only once anyway.

pyramid_retry runs a request again after a write conflict, with the same
``environ``: the callback keeps the validated claims there, so a retried
callback does not spend the (single-use) code a second time.
"""

import hmac
import re
from contextlib import contextmanager

from pyramid.httpexceptions import HTTPFound
from pyramid.security import NO_PERMISSION_REQUIRED

from ..authz.login import (
    attempt_of,
    cookie_header,
    open_session,
    record_refused,
    session_cookie_header,
)
from ..domain.bounds import NAME_MAX
from ..domain.exceptions import DomainError, Invalid, NotFound
from ..domain.federation import SignInRefused, sign_in
from ..domain.resources.login_flows import LoginFlow, TooManyFlows
from ..infra.clock import get_clock
from ..infra.oidc import ProviderUnavailable, SignInFailed, get_oidc
from ..infra.tokens import hash_token, new_token
from . import register, tree_service
from .errors import error_response
from .root import api_link
from .schemas import one_line

login = tree_service("oidc_login", "/api/public/oidc/{provider}/login/", context="/api/")
callback = tree_service("oidc_callback", "/api/public/oidc/{provider}/callback/", context="/api/")


def includeme(config):
    register(config, login, callback)


BINDING_COOKIE = "oidc_flow"
BINDING_PATH = "/api/public/oidc/"
INVALID_ATTEMPT = "This sign-in attempt is invalid, used or expired; start again."
CLAIMS_KEY = "crunchusers.oidc.claims"  # request.environ: survives pyramid_retry
PROVIDER_ERROR = re.compile(r"[a-z_]{1,64}")


class ProviderFailed(DomainError):
    """The provider could not be used (502)."""

    status_code = 502


def provider_named(request):
    provider = get_oidc(request.registry).providers.get(request.matchdict["provider"])
    if provider is None:
        raise NotFound("No such sign-in provider.")
    return provider


def login_links(request) -> list[dict]:
    """The configured providers for the public catalog: id, name, login URL."""
    return [
        {"id": p.name, "name": p.title, "login_url": oidc_link(request, p.name, "login")}
        for p in get_oidc(request.registry).providers.values()
    ]


def oidc_link(request, provider: str, action: str) -> str:
    return api_link(request, "public", "oidc", provider, action)


@contextmanager
def provider_errors():
    """Provider failures as answers: unreachable 502, refused 400."""
    try:
        yield
    except ProviderUnavailable as exc:
        raise ProviderFailed(str(exc)) from exc
    except SignInFailed as exc:
        raise Invalid("code", str(exc)) from exc


@login.get(permission=NO_PERMISSION_REQUIRED)
def get_login(request):
    provider = provider_named(request)
    oidc = get_oidc(request.registry)
    now = get_clock(request.registry).now()
    binding, nonce, verifier = new_token(), new_token(), new_token()
    redirect_uri = oidc_link(request, provider.name, "callback")
    flow = LoginFlow(
        provider.name, nonce, verifier, redirect_uri, hash_token(binding), now + oidc.flow_lifetime
    )
    try:
        state = request.api_root.login_flows.start(flow, now, oidc.max_pending_flows)
    except TooManyFlows:
        message = "Too many sign-ins are in progress; try again in a minute."
        return error_response(request, 503, message, headers={"Retry-After": "60"})
    with provider_errors():
        location = provider.authorization_url(
            now, redirect_uri=redirect_uri, state=state, nonce=nonce, code_verifier=verifier
        )
    response = HTTPFound(location=location)
    max_age = int(oidc.flow_lifetime.total_seconds())
    response.headers.add("Set-Cookie", binding_cookie(request, binding, max_age))
    response.cache_control = "no-store"
    return response


def binding_cookie(request, value: str, max_age: int) -> str:
    return cookie_header(request, BINDING_COOKIE, value, max_age, BINDING_PATH)


def same_browser(request, flow) -> bool:
    cookie = request.cookies.get(BINDING_COOKIE) or ""
    return hmac.compare_digest(hash_token(cookie), flow.browser_digest)


@callback.get(permission=NO_PERMISSION_REQUIRED)
def get_callback(request):
    provider = provider_named(request)
    params = request.GET
    now = get_clock(request.registry).now()
    if "error" in params:  # some providers send no state with an error
        error = params["error"] if PROVIDER_ERROR.fullmatch(params["error"]) else "error"
        raise Invalid("error", f"{provider.title} did not sign you in ({error}).")
    flow = request.api_root.login_flows.take(params.get("state"), now)
    if flow is None or flow.provider != provider.name or not same_browser(request, flow):
        raise Invalid("state", INVALID_ATTEMPT)
    if params.get("iss", provider.settings.issuer) != provider.settings.issuer:
        raise Invalid("iss", f"This answer does not come from {provider.title}.")
    claims = exchanged_claims(request, provider, flow, params.get("code"), now)
    email = verified_email(claims)
    try:
        user = sign_in(request.api_root, provider.name, claims["sub"], email)
    except SignInRefused:
        record_refused(request, email, "oidc")
        raise
    response = HTTPFound(location=landing_url(request))
    token = open_session(request, user, attempt_of(request, "oidc"))
    response.headers.add("Set-Cookie", session_cookie_header(request, token))
    response.headers.add("Set-Cookie", binding_cookie(request, "", 0))
    response.cache_control = "no-store"
    return response


def exchanged_claims(request, provider, flow, code, now) -> dict:
    """The ID token's claims for ``code``; on a retried attempt of the same
    request, those the first attempt validated (the code works once)."""
    if not isinstance(code, str) or not code:
        raise Invalid("code", f"{provider.title} sent no authorization code.")
    one_line(code, "code")
    done = request.environ.get(CLAIMS_KEY)
    if done is not None and done[0] == code:
        return done[1]
    with provider_errors():
        token = provider.exchange(
            now, code=code, redirect_uri=flow.redirect_uri, code_verifier=flow.code_verifier
        )
        claims = provider.id_claims(now, token, flow.nonce)
    request.environ[CLAIMS_KEY] = (code, claims)
    return claims


def verified_email(claims: dict) -> str:
    """The email the provider vouches for: ``email_verified`` must be true."""
    email = claims.get("email")
    if claims.get("email_verified") is not True or not isinstance(email, str):
        raise Invalid("email", "The provider has not verified an email address for you.")
    return one_line(email.strip(), "email", NAME_MAX)


def landing_url(request) -> str:
    landing = get_oidc(request.registry).landing_url
    if landing is None:
        return api_link(request)
    return request.application_url + landing if landing.startswith("/") else landing
