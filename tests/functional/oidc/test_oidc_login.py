"""Signing in with an OpenID provider, end to end over real HTTP.

Our live server, a real provider process (oidc-provider-mock behind a PKCE
gate, see provider.py) and ``requests`` browsers: our login → the
provider's authorization form → our callback → a session.  Nothing of the
flow is mocked.
"""

from datetime import timedelta

import pytest

from tests.factories import PASSWORD

from .conftest import (
    CLIENT_ID,
    FLOW_SECONDS,
    IVY,
    Browser,
    assert_refused,
    query_of,
    user_state,
    with_query,
)

INVALID_ATTEMPT = "This sign-in attempt is invalid, used or expired; start again."


# --- discovery and the redirect to the provider ------------------------------


def test_public_catalog_advertises_the_configured_providers(browser, server):
    body = browser.get(f"{server}public/").json()["body"]
    assert body["oauth_providers"] == [
        {"id": "mock", "name": "Mock ID", "login_url": f"{server}public/oidc/mock/login/"},
        {"id": "down", "name": "down", "login_url": f"{server}public/oidc/down/login/"},
    ]


def test_login_redirects_to_the_discovered_endpoint_with_state_nonce_and_pkce(
    browser, server, oidc_provider
):
    before = oidc_provider.stats()["discovery"]
    res = browser.get(f"{server}public/oidc/mock/login/")
    assert res.status_code == 302
    assert res.headers["Cache-Control"] == "no-store"
    location = res.headers["Location"]
    assert location.startswith(f"{oidc_provider.issuer}/oauth2/authorize?")
    query = query_of(location)
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == f"{server}public/oidc/mock/callback/"
    assert query["scope"].split() == ["openid", "email", "profile"]
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43  # base64url of a SHA-256
    assert len({query["state"], query["nonce"], query["code_challenge"]}) == 3
    assert min(len(query["state"]), len(query["nonce"])) >= 43  # 256 random bits
    cookie = res.headers["Set-Cookie"]
    assert cookie.startswith("oidc_flow=") and "HttpOnly" in cookie
    assert "Path=/api/public/oidc/" in cookie and "SameSite=Lax" in cookie
    assert f"Max-Age={FLOW_SECONDS}" in cookie
    # a second sign-in uses the cached discovery document: fetched once
    assert query_of(browser.start())["state"] != query["state"]
    assert oidc_provider.stats()["discovery"] == before + 1


def test_an_unreachable_provider_is_a_502_that_stores_nothing(browser, server, factory):
    res = browser.get(f"{server}public/oidc/down/login/")
    assert_refused(res, 502)
    assert "oidc_flow" not in res.cookies
    assert factory.read(lambda root: len(root.login_flows)) == 0


@pytest.mark.parametrize("action", ["login", "callback"])
def test_an_unknown_provider_is_a_404(browser, server, action):
    assert_refused(browser.get(f"{server}public/oidc/nope/{action}/?state=x&code=y"), 404)


# --- signing in ----------------------------------------------------------------


def test_the_first_sign_in_of_an_invited_user_links_and_activates_them(
    browser, scene, factory, ivy_at_provider, server
):
    invitation = factory.write(
        lambda root: root.link_tokens.issue(
            root.users[scene.ivy], "invite", factory.now(), timedelta(days=1)
        )
    )
    res = browser.sign_in(ivy_at_provider)
    assert res.status_code == 302, res.text
    assert res.headers["Location"] == server  # the default landing URL: the API root
    assert res.cookies["token"]
    assert "oidc_flow=;" in res.headers["Set-Cookie"]  # the binding cookie is dropped
    me = browser.me()
    assert me.status_code == 200
    assert me.json()["urls"]["user_url"] == f"{server}users/{scene.ivy}/"
    state = user_state(factory, scene.ivy)
    assert state == {
        "status": "active",
        "id_method": "oauth",
        "id_provider": "mock",
        "oidc_subject": ivy_at_provider,
        "email_verified": True,
        "password_hash": None,
        "sessions": 1,
    }
    entity = browser.get(f"{server}users/{scene.ivy}/").json()["body"]
    assert (entity["id_method"], entity["id_provider"]) == ("oauth", "mock")
    # the unused invitation can no longer set a password on the account
    res = browser.session.post(
        f"{server}public/password_change/",
        json={"token": invitation, "password": "a fresh password 1"},
    )
    assert res.status_code == 400
    assert user_state(factory, scene.ivy)["password_hash"] is None


def test_a_linked_user_signs_in_again_from_another_browser(
    browser, scene, ivy_at_provider, oidc_provider, server, factory
):
    assert browser.sign_in(ivy_at_provider).status_code == 302
    other = Browser(server, oidc_provider)
    res = other.sign_in(ivy_at_provider)
    assert res.status_code == 302
    assert other.me().json()["urls"]["user_url"].endswith(f"/users/{scene.ivy}/")
    assert user_state(factory, scene.ivy)["sessions"] == 2


def test_the_pkce_verifier_is_sent_and_matches_the_challenge(
    browser, scene, ivy_at_provider, oidc_provider
):
    before = oidc_provider.stats()
    assert browser.sign_in(ivy_at_provider).status_code == 302
    after = oidc_provider.stats()
    assert after["token_requests"] == before["token_requests"] + 1
    assert after["pkce_failures"] == before["pkce_failures"]  # the gate checked S256
    assert len(after["verifiers"][-1]) >= 43


@pytest.mark.parametrize("extra_settings", [{"crunchusers.oidc.landing_url": "/app/"}])
def test_a_configured_landing_url_is_where_a_sign_in_ends(
    browser, scene, ivy_at_provider, live_port
):
    res = browser.sign_in(ivy_at_provider)
    assert res.headers["Location"] == f"http://127.0.0.1:{live_port}/app/"


# --- who may not sign in ----------------------------------------------------------


def refusal(browser, oidc_provider, sub, **claims):
    oidc_provider.set_user(sub, **claims)
    return assert_refused(browser.sign_in(sub), 403)


def test_an_active_password_user_is_never_taken_over(
    browser, scene, oidc_provider, factory, server
):
    owner = scene.email("owner")
    body = refusal(browser, oidc_provider, "sub-owner", email=owner, email_verified=True)
    assert user_state(factory, scene.owner)["id_method"] == "pwhash"
    assert user_state(factory, scene.owner)["sessions"] == 0
    res = browser.session.post(
        f"{server}public/login/", json={"email": owner, "password": PASSWORD}
    )
    assert res.status_code == 204  # the password still works
    # the same answer as for an address nobody has: nothing is revealed
    unknown = refusal(
        Browser(server, oidc_provider),
        oidc_provider,
        "sub-nobody",
        email="nobody@example.com",
        email_verified=True,
    )
    assert unknown == body


@pytest.mark.parametrize("status", ["locked", "inactive"])
def test_a_linked_user_who_is_no_longer_active_is_refused(
    browser, scene, ivy_at_provider, oidc_provider, factory, server, status
):
    assert browser.sign_in(ivy_at_provider).status_code == 302

    def set_status(root):
        root.users[scene.ivy].status = status

    factory.write(set_status)
    refusal(
        Browser(server, oidc_provider),
        oidc_provider,
        ivy_at_provider,
        email=IVY,
        email_verified=True,
    )


def test_another_subject_claiming_a_linked_address_is_refused(
    browser, scene, ivy_at_provider, oidc_provider, factory, server
):
    assert browser.sign_in(ivy_at_provider).status_code == 302
    refusal(
        Browser(server, oidc_provider),
        oidc_provider,
        "sub-impostor",
        email=IVY,
        email_verified=True,
    )
    assert user_state(factory, scene.ivy)["sessions"] == 1


@pytest.mark.parametrize(
    "claims",
    [{"email": IVY, "email_verified": False}, {"email": IVY}, {"email_verified": True}],
    ids=["unverified", "no-verification-claim", "no-email"],
)
def test_an_email_the_provider_has_not_verified_is_refused(
    browser, scene, oidc_provider, factory, claims
):
    oidc_provider.set_user("sub-unverified", **claims)
    body = assert_refused(browser.sign_in("sub-unverified"), 400, field="email")
    assert "not verified" in body["message"]
    assert user_state(factory, scene.ivy)["status"] == "pending"


# --- the callback's defences ---------------------------------------------------------


def test_a_wrong_state_is_refused_and_the_right_one_still_works(
    browser, scene, ivy_at_provider, oidc_provider
):
    callback = browser.callback_for(ivy_at_provider)
    before = oidc_provider.stats()["token_requests"]
    for state in ("wrong", "", "x" * 10000, "\x00\r\n"):
        res = browser.get(with_query(callback, state=state))
        assert_refused(res, 400, INVALID_ATTEMPT, field="state")
    assert_refused(browser.get(with_query(callback, state=None)), 400, INVALID_ATTEMPT)
    assert oidc_provider.stats()["token_requests"] == before  # the code was never spent
    assert browser.get(callback).status_code == 302


def test_a_state_from_another_browser_is_refused(
    browser, scene, ivy_at_provider, oidc_provider, server
):
    callback = browser.callback_for(ivy_at_provider)
    thief = Browser(server, oidc_provider)
    assert_refused(thief.get(callback), 400, INVALID_ATTEMPT)
    thief.session.cookies.set("oidc_flow", "guessed")
    assert_refused(thief.get(callback), 400, INVALID_ATTEMPT)
    assert browser.get(callback).status_code == 302


def test_a_state_of_another_provider_is_refused(browser, scene, ivy_at_provider, server):
    callback = browser.callback_for(ivy_at_provider)
    other = callback.replace("/oidc/mock/", "/oidc/down/")
    assert_refused(browser.get(other), 400, INVALID_ATTEMPT)


def test_a_replayed_callback_or_code_is_refused(browser, scene, ivy_at_provider, factory):
    callback = browser.callback_for(ivy_at_provider)
    assert browser.get(callback).status_code == 302
    assert_refused(browser.get(callback), 400, INVALID_ATTEMPT)  # the state worked once
    used = query_of(callback)["code"]
    replay = with_query(browser.callback_for(ivy_at_provider), code=used)
    body = assert_refused(browser.get(replay), 400, field="code")
    assert body["message"] == "Mock ID refused the authorization code (invalid_grant)."
    assert user_state(factory, scene.ivy)["sessions"] == 1


def test_a_code_issued_to_another_sign_in_fails_pkce(
    browser, scene, ivy_at_provider, oidc_provider
):
    stolen = query_of(browser.callback_for(ivy_at_provider))["code"]
    before = oidc_provider.stats()["pkce_failures"]
    injected = with_query(browser.callback_for(ivy_at_provider), code=stolen)
    assert_refused(browser.get(injected), 400, field="code")
    assert oidc_provider.stats()["pkce_failures"] == before + 1


def test_an_id_token_for_another_nonce_is_refused(
    browser, scene, ivy_at_provider, oidc_provider, factory
):
    authorize = with_query(browser.start(), nonce="a-nonce-the-attacker-chose")
    callback = oidc_provider.authorize(authorize, ivy_at_provider)
    body = assert_refused(browser.get(callback), 400, field="code")
    assert "ID token is not valid" in body["message"]
    assert user_state(factory, scene.ivy)["status"] == "pending"


def test_an_issuer_parameter_naming_someone_else_is_refused(browser, scene, ivy_at_provider):
    callback = with_query(browser.callback_for(ivy_at_provider), iss="https://evil.example")
    assert_refused(browser.get(callback), 400, field="iss")


def test_an_error_from_the_provider_is_reported(browser, scene, oidc_provider):
    callback = oidc_provider.authorize(browser.start(), None, action="deny")
    body = assert_refused(browser.get(callback), 400, field="error")
    assert body["message"] == "Mock ID did not sign you in (access_denied)."
    res = browser.get(with_query(browser.callback_for("x"), error="<script>", code=None))
    assert "<script>" not in res.json()["message"]


@pytest.mark.parametrize("code", [None, "", "c" * 5000, "a\r\nb"])
def test_a_missing_or_malformed_code_is_refused_before_the_provider_sees_it(
    browser, scene, ivy_at_provider, oidc_provider, code
):
    callback = with_query(browser.callback_for(ivy_at_provider), code=code)
    before = oidc_provider.stats()["token_requests"]
    assert_refused(browser.get(callback), 400, field="code")
    assert oidc_provider.stats()["token_requests"] == before


def test_a_browser_signed_in_as_someone_else_ends_up_as_the_provider_says(
    browser, scene, ivy_at_provider, server, factory
):
    owner = {"email": scene.email("owner"), "password": PASSWORD}
    assert browser.session.post(f"{server}public/login/", json=owner).status_code == 204
    assert browser.me().json()["urls"]["user_url"].endswith(f"/users/{scene.owner}/")
    assert browser.sign_in(ivy_at_provider).status_code == 302
    assert browser.me().json()["urls"]["user_url"].endswith(f"/users/{scene.ivy}/")
    assert user_state(factory, scene.owner)["sessions"] == 1  # the owner's session lives on


def test_the_endpoints_take_only_get(browser, server):
    for action in ("login", "callback"):
        res = browser.session.post(f"{server}public/oidc/mock/{action}/", json={})
        assert_refused(res, 405)


def test_the_flow_expires_on_the_clock_boundary(
    browser, scene, ivy_at_provider, oidc_provider, server, clock
):
    on_time = browser.callback_for(ivy_at_provider)
    late_browser = Browser(server, oidc_provider)
    late = late_browser.callback_for(ivy_at_provider)
    clock.advance(seconds=FLOW_SECONDS)
    assert browser.get(on_time).status_code == 302  # exactly at expiry still works
    clock.advance(seconds=1)
    assert_refused(late_browser.get(late), 400, INVALID_ATTEMPT)


@pytest.mark.parametrize("extra_settings", [{"crunchusers.oidc.max_pending_flows": "2"}])
def test_pending_flows_are_bounded(browser, scene, server, factory, clock):
    browser.start()
    browser.start()
    res = browser.get(f"{server}public/oidc/mock/login/")
    assert_refused(res, 503)
    assert res.headers["Retry-After"] == "60"
    clock.advance(seconds=FLOW_SECONDS + 1)
    browser.start()  # expired flows are purged to make room
    assert factory.read(lambda root: len(root.login_flows)) == 1
