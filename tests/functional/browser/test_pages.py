"""Every Shoji document as a page: element, body, links, and the forms the
caller may use."""

from .conftest import sign_in


def anchors(page) -> set[str]:
    return {a["href"] for a in page.html.find_all("a")}


def test_root_links_are_clickable(web, scene):
    sign_in(web, scene.email("owner"), status=303)
    root = web.get("/api/", status=200)
    json_root = web.get("/api/", headers={"Accept": "application/json"}).json
    links = {url for member in ("catalogs", "views", "urls") for url in json_root[member].values()}
    templated = {url for url in links if "{" in url}
    assert links - templated <= anchors(root)
    assert root.html.find(id="viewer")["href"] == scene.url("owner")


def test_catalog_entries_link_to_their_entities(web, scene):
    sign_in(web, scene.email("owner"), status=303)
    page = web.get("/api/account/users/", status=200)
    entries = {a["href"]: a.text for a in page.html.select("a.entry")}
    assert entries[scene.url("bob")] == "Bob Builder"
    assert scene.url("owner") in entries


def test_an_admin_gets_edit_and_delete_forms(web, scene):
    sign_in(web, scene.email("owner"), status=303)
    page = web.get(scene.url("bob"), status=200)
    assert page.html.find(id="element").text == "shoji:entity"
    patch = page.forms["patch-form"]
    assert patch.action == f"/browse/api/users/{scene.bob}/"
    assert patch["f.name"].value == "Bob Builder"
    assert patch["t.email_verified"].value == "bool"
    assert page.forms["delete-form"]["_next"].value == "/api/users/"
    # Every link member of the entity is a link.
    assert f"{scene.url('bob')}password_reset/" in anchors(page)


def test_a_user_gets_no_forms_on_what_they_may_not_change(web, scene):
    sign_in(web, scene.email("bob"), status=303)
    owner_page = web.get(scene.url("owner"), status=200)
    assert owner_page.html.find(id="forms") is None
    own_page = web.get(scene.url("bob"), status=200)
    assert "patch-form" in own_page.forms and "delete-form" not in own_page.forms


def test_an_action_url_offers_its_form(web, scene):
    """GET on a POST-only action is a 405 page with the form to POST."""
    sign_in(web, scene.email("owner"), status=303)
    page = web.get(f"{scene.url('bob')}force_password_reset/", status=405)
    assert page.html.find(id="status").text.startswith("405")
    assert page.forms["post-json-form"]["_method"].value == "POST"


def test_names_are_escaped_everywhere(web, scene):
    """A name that is markup shows as text, in the table and in the form."""
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    scene.add("mallory", name=evil)
    sign_in(web, scene.email("owner"), status=303)
    for path in (scene.url("mallory"), "/api/account/users/"):
        page = web.get(path, status=200)
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
        assert page.html.find_all("script") == [] and page.html.find_all("img") == []
        assert evil in page.html.get_text()
    assert web.get(scene.url("mallory")).forms["patch-form"]["f.name"].value == evil
