"""The API root, authentication and the 401 contract pycrunch depends on."""

import pytest

from tests.factories import PASSWORD, SUPERUSER_EMAIL, SUPERUSER_PASSWORD

LINK_MEMBERS = ("catalogs", "views", "fragments", "orders", "urls")
PUBLIC_KEYS = {
    "login_url",
    "password_reset_url",
    "public_url",
    "password_change_url",
    "email_change_url",
    "verify_email_url",
}


def all_links(doc):
    for member in LINK_MEMBERS:
        yield from doc.get(member, {}).values()


def cookie_login(testapp, email=SUPERUSER_EMAIL, password=SUPERUSER_PASSWORD, **kw):
    return testapp.post_json("/api/public/login/", {"email": email, "password": password}, **kw)


def test_anonymous_root_is_401_with_absolute_public_urls(testapp):
    res = testapp.get("/api/", status=401)
    assert res.content_type == "application/json"
    assert res.json["status"] == "401 Unauthorized"
    assert res.json["message"]
    assert set(res.json["urls"]) == PUBLIC_KEYS
    assert res.json["urls"]["login_url"] == "http://localhost/api/public/login/"
    assert all(u.startswith("http://localhost/api/public/") for u in res.json["urls"].values())


def test_login_url_follows_the_request_host(testapp):
    res = testapp.get("/api/", status=401, extra_environ={"HTTP_HOST": "example.org:8080"})
    assert res.json["urls"]["login_url"] == "http://example.org:8080/api/public/login/"


def test_cookie_login_sets_exactly_one_safe_cookie(testapp):
    res = cookie_login(testapp, status=204)
    cookies = res.headers.getall("Set-Cookie")
    assert len(cookies) == 1
    cookie = cookies[0]
    name, _, rest = cookie.partition("=")
    token = rest.split(";")[0]
    assert name == "token" and len(token) >= 43  # 256 bits, urlsafe base64
    attrs = [a.strip().lower() for a in cookie.split(";")[1:]]
    assert "httponly" in attrs and "path=/" in attrs and "samesite=lax" in attrs
    assert not any(a.startswith("domain") for a in attrs)
    assert "secure" not in attrs


def test_secure_cookie_when_configured(settings, clock):
    from webtest import TestApp

    from crunchusers import main

    app = main({}, **{**settings, "crunchusers.secure_cookies": "true"})
    res = cookie_login(TestApp(app), status=204)
    assert "Secure" in res.headers["Set-Cookie"]


def test_root_with_cookie_is_a_catalog_of_absolute_links(testapp, factory):
    account_id, owner_id = factory.account()
    cookie_login(testapp, factory.email_of(owner_id), PASSWORD, status=204)
    res = testapp.get("/api/", status=200)
    doc = res.json
    assert res.content_type == "application/json"
    assert doc["element"] == "shoji:catalog"
    assert doc["self"] == "http://localhost/api/"
    for name in (
        "users",
        "datasets",
        "teams",
        "projects",
        "public",
        "apikeys",
        "datasets_by_name",
    ):
        assert name in doc["catalogs"]
    assert doc["catalogs"]["datasets_by_name"].endswith("/api/datasets/by_name/{name}/")
    for name in ("user", "account", "feature_flag", "progress"):
        assert name in doc["views"]
    for name in ("user_url", "account_url", "logout_url"):
        assert name in doc["urls"]
    assert doc["urls"]["openapi_url"] == "http://localhost/api/openapi.json"
    assert doc["urls"]["docs_url"] == "http://localhost/api/docs/"
    assert all(link.startswith("http://localhost/api/") for link in all_links(doc))


def test_views_user_is_the_callers_entity(testapp):
    cookie_login(testapp, status=204)
    root = testapp.get("/api/", status=200).json
    me = testapp.get(root["views"]["user"], status=200).json
    assert me["element"] == "shoji:entity"
    assert me["self"] == root["urls"]["user_url"]
    assert me["body"]["email"] == SUPERUSER_EMAIL


def test_token_login_returns_bearer_token_that_works(testapp):
    res = testapp.post_json(
        "/api/public/login/",
        {"email": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD, "token": True},
        status=200,
    )
    assert res.json["token_type"] == "Bearer"
    assert "Set-Cookie" not in res.headers
    headers = {"Authorization": f"Bearer {res.json['access_token']}"}
    assert testapp.get("/api/", headers=headers, status=200).json["element"] == "shoji:catalog"


def test_login_email_is_case_insensitive(testapp):
    cookie_login(testapp, email=SUPERUSER_EMAIL.upper(), status=204)


@pytest.mark.parametrize(
    "email,password",
    [
        (SUPERUSER_EMAIL, "wrong password"),
        ("nobody@example.com", SUPERUSER_PASSWORD),
        ("nobody@example.com", "wrong password"),
    ],
)
def test_failed_login_is_401_with_identical_body(testapp, email, password):
    res = cookie_login(testapp, email=email, password=password, status=401)
    assert res.json == {
        "element": "crunch:error",
        "status": "401 Unauthorized",
        "message": "Invalid email or password.",
        "urls": res.json["urls"],
    }
    assert res.json["urls"]["login_url"] == "http://localhost/api/public/login/"
    assert "Set-Cookie" not in res.headers


def test_inactive_user_cannot_log_in_with_same_answer(testapp, factory):
    account_id, _ = factory.account()
    user_id = factory.user(account_id, status="locked")
    email = factory.email_of(user_id)
    res = testapp.post_json(
        "/api/public/login/", {"email": email, "password": "correct horse battery"}, status=401
    )
    assert res.json["message"] == "Invalid email or password."


def test_login_with_bad_body_is_400(testapp):
    res = testapp.post_json("/api/public/login/", {"email": 3}, status=400)
    assert res.json["message"]


def test_logout_kills_the_token(testapp, factory):
    headers = factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    testapp.get("/api/logout/", headers=headers, status=204)
    testapp.get("/api/", headers=headers, status=401)


def test_cookie_logout_clears_cookie(testapp):
    cookie_login(testapp, status=204)
    res = testapp.get("/api/logout/", status=204)
    assert "Max-Age=0" in res.headers["Set-Cookie"]
    testapp.get("/api/", status=401)


def test_garbage_token_is_401_not_403(testapp):
    testapp.get("/api/", headers={"Authorization": "Bearer nonsense"}, status=401)


def test_session_expires_after_24h_exactly(testapp, factory, clock):
    """However often it is used (the idle limit is 8 hours)."""
    headers = factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    for _ in range(4):
        clock.advance(hours=6)
        testapp.get("/api/", headers=headers, status=200)
    clock.advance(seconds=1)
    testapp.get("/api/", headers=headers, status=401)


def test_session_lifetime_is_a_setting(settings, clock):
    from webtest import TestApp

    from crunchusers import main

    app = main({}, **{**settings, "crunchusers.session_lifetime_seconds": "60"})
    app.registry.crunchusers_clock = clock
    testapp = TestApp(app)
    cookie_login(testapp, status=204)
    clock.advance(seconds=60)
    testapp.get("/api/", status=200)
    clock.advance(seconds=1)
    testapp.get("/api/", status=401)


def test_tokens_are_stored_only_as_hashes(testapp, factory):
    res = testapp.post_json(
        "/api/public/login/",
        {"email": SUPERUSER_EMAIL, "password": SUPERUSER_PASSWORD, "token": True},
        status=200,
    )
    token = res.json["access_token"]
    keys = factory.read(lambda root: list(root.sessions.data.keys()))
    assert token not in keys
    assert all(len(k) == 64 for k in keys)


def test_password_stored_as_argon2id(factory):
    stored = factory.read(lambda root: root.users.find_by_email(SUPERUSER_EMAIL).password_hash)
    assert stored.startswith("$argon2id$")


def test_feature_flag_unknown_is_inactive(testapp, factory):
    headers = factory.login(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    res = testapp.get("/api/feature_flag/?feature_name=whatever", headers=headers, status=200)
    assert res.json["element"] == "shoji:view"
    assert res.json["value"] == {"active": False}
    assert res.json["self"] == "http://localhost/api/feature_flag/?feature_name=whatever"


def test_public_catalog_needs_no_login(testapp):
    res = testapp.get("/api/public/", status=200)
    assert res.json["views"]["login"] == "http://localhost/api/public/login/"
