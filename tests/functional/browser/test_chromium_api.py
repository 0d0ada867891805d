"""The browsable API in headless Chromium: sign in, follow links from the
root to a user, change a field through a form, sign out; markup in data
stays text.  Screenshots: ``var/screenshots/api-*.png``."""

from tests.factories import PASSWORD


def test_sign_in_follow_links_edit_and_sign_out(site, live):
    live.add("bob", name="Bob Builder")
    site.open("/api/")
    assert site.text("#status").startswith("401")
    site.shot("api-01-signed-out-root")

    site.sign_in(live.email("owner"), PASSWORD)
    assert site.path == "/api/" and site.text("#element") == "shoji:catalog"
    site.shot("api-02-root")

    site.follow("views", "account")
    assert site.text("#element") == "shoji:entity"
    site.shot("api-03-account")
    site.follow("catalogs", "users")
    assert site.text("#element") == "shoji:catalog"
    site.shot("api-04-account-users")
    site.follow_entry("Bob Builder")
    assert site.path == f"/api/users/{live.bob}/"
    site.shot("api-05-user")

    site.type("#f-title", "Chief builder")
    site.click("#patch-submit")
    assert site.path == f"/api/users/{live.bob}/"
    assert site.find("#f-title").get_attribute("value") == "Chief builder"
    assert "Chief builder" in site.text("#body")
    site.shot("api-06-user-edited")

    site.click("#logout")
    assert site.path == "/browse/login/"
    site.shot("api-07-signed-out")
    site.open("/api/")
    assert site.text("#status").startswith("401")


def test_a_refused_change_explains_itself(site, live):
    live.add("bob", name="Bob Builder")
    site.open("/browse/login/")
    site.sign_in(live.email("owner"), PASSWORD)
    site.open(f"/api/users/{live.bob}/")
    site.type("#f-name", "Robert")
    site.click("#patch-submit")
    assert site.text("#status").startswith("403")
    assert "read-only" in site.text("#message")
    site.shot("api-08-refused-change")
    site.click("#back")
    assert site.find("#f-name").get_attribute("value") == "Bob Builder"


def test_markup_in_a_name_is_shown_as_text(site, live):
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    live.add("mallory", name=evil)
    site.open("/browse/login/")
    site.sign_in(live.email("owner"), PASSWORD)
    site.open(f"/api/users/{live.mallory}/")
    assert evil in site.text("#body")
    assert site.find("#f-name").get_attribute("value") == evil
    assert site.no_alert()
    site.shot("api-09-markup-as-text")
