"""The account's users catalog (its tuples, paging with absolute links,
search and filters) and the ``/api/users/`` catalog, narrowed by email or id
and never showing another account's users."""

from urllib.parse import parse_qs, urlparse

import pytest

from tests.functional.helpers import USERS

# -- GET: tuples, paging, search, filters --------------------------------------------------


def test_tuples_carry_the_user_columns(testapp, acme, clock):
    clock.advance(hours=2)
    acme.headers("member")  # logs in, so last_login is set
    res = testapp.get(USERS, headers=acme.headers("admin"), status=200)
    row = res.json["index"][acme.url("member")]
    assert row["name"] == "Mel Member"
    assert row["status"] == "active"
    assert row["username"] is None
    assert row["created"] == "2026-01-01T00:00:00+00:00"
    assert row["last_login"] == "2026-01-01T02:00:00+00:00"
    assert row["roles"] == ["standard"] and row["roles_csv"] == "standard"
    assert row["avatar"] is None
    assert row["editable"] is True
    assert row["account_permissions"] == {
        "alter_users": False,
        "admin_account": False,
        "create_datasets": False,
    }
    assert row["id_method"] == "pwhash"
    admin_row = res.json["index"][acme.url("admin")]
    assert admin_row["roles_csv"] == "administrator"
    assert admin_row["account_permissions"]["admin_account"] is True


def test_editable_says_whom_the_caller_may_edit(testapp, acme):
    as_member = testapp.get(USERS, headers=acme.headers("member"), status=200).json["index"]
    assert as_member[acme.url("member")]["editable"] is True
    assert as_member[acme.url("admin")]["editable"] is False
    assert as_member[acme.url("owner")]["editable"] is False
    as_admin = testapp.get(USERS, headers=acme.headers("admin"), status=200).json["index"]
    assert as_admin.pop(acme.url("owner"))["editable"] is False  # the owner's alone
    assert all(row["editable"] for row in as_admin.values())


def query_of(url):
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def test_paging_with_absolute_next_and_previous_links(testapp, acme):
    for n in range(3):
        acme.add(f"paged{n}", name=f"Paged {n}")
    headers = acme.headers("admin")
    first = testapp.get(USERS + "?page_size=4&page_index=1", headers=headers, status=200).json
    assert first["total"] == 6 and len(first["index"]) == 4
    assert "previous" not in first.get("urls", {})
    next_url = first["urls"]["next"]
    assert next_url.startswith("http://localhost/api/")
    assert query_of(next_url) == {"page_size": "4", "page_index": "2"}

    second = testapp.get(next_url, headers=headers, status=200).json
    assert second["total"] == 6 and len(second["index"]) == 2
    assert "next" not in second.get("urls", {})
    assert not set(first["index"]) & set(second["index"])
    all_users = testapp.get(USERS, headers=headers, status=200).json["index"]
    assert set(first["index"]) | set(second["index"]) == set(all_users)
    assert "total" not in testapp.get(USERS, headers=headers, status=200).json

    back = testapp.get(second["urls"]["previous"], headers=headers, status=200).json
    assert set(back["index"]) == set(first["index"])

    beyond = testapp.get(USERS + "?page_size=4&page_index=3", headers=headers, status=200).json
    assert beyond["index"] == {} and beyond["total"] == 6

    # a last page that is exactly full has no next link
    last = testapp.get(USERS + "?page_size=3&page_index=2", headers=headers, status=200).json
    assert len(last["index"]) == 3 and "next" not in last.get("urls", {})


def test_paging_links_keep_search_and_filters(testapp, acme):
    for n in range(3):
        acme.add(f"searched{n}", name=f"Searched {n}")
    res = testapp.get(
        USERS,
        params={"search": "searched", "filters[status]": "active", "page_size": "2"},
        headers=acme.headers("admin"),
        status=200,
    ).json
    assert res["total"] == 3 and len(res["index"]) == 2
    assert query_of(res["urls"]["next"]) == {
        "search": "searched",
        "filters[status]": "active",
        "page_size": "2",
        "page_index": "2",
    }
    rest = testapp.get(res["urls"]["next"], headers=acme.headers("admin"), status=200).json
    assert len(rest["index"]) == 1


@pytest.mark.parametrize(
    "query",
    [
        "page_size=0",
        "page_size=abc",
        "page_size=-1",
        "page_index=0",
        "page_size=2&page_index=x",
        "page_size=100000",
    ],
)
def test_bad_paging_parameters_are_400(testapp, acme, query):
    res = testapp.get(f"{USERS}?{query}", headers=acme.headers("member"), status=400)
    assert res.json["message"]


def test_search_matches_name_or_email_substring_case_insensitively(testapp, acme):
    acme.add("zed", name="Zed Zebra", email="zed@example.com")
    acme.add("quinn", name="Quinn", email="q.zoo@example.com")
    headers = acme.headers("member")

    def found(term):
        res = testapp.get(USERS, params={"search": term}, headers=headers, status=200)
        return set(res.json["index"])

    assert found("ZEBRA") == {acme.url("zed")}
    assert found("zoo@") == {acme.url("quinn")}
    assert found("Z") >= {acme.url("zed"), acme.url("quinn")}
    assert found("nothing-like-this") == set()


def test_filter_by_status(testapp, acme):
    acme.add("pending", status="pending", password=None)
    acme.add("locked", status="locked")
    headers = acme.headers("admin")

    def with_status(status):
        res = testapp.get(USERS, params={"filters[status]": status}, headers=headers, status=200)
        assert all(row["status"] == status for row in res.json["index"].values())
        return set(res.json["index"])

    assert with_status("pending") == {acme.url("pending")}
    assert with_status("locked") == {acme.url("locked")}
    assert with_status("active") == {acme.url(u) for u in ("owner", "admin", "member")}
    assert with_status("deleted") == set()
    res = testapp.get(USERS, params={"filters[status]": "bogus"}, headers=headers, status=400)
    assert "status" in res.json["message"]


def test_other_accounts_users_are_not_listed(testapp, factory, acme):
    other_id, other_owner = factory.account()
    res = testapp.get(USERS, headers=acme.headers("owner"), status=200)
    assert factory.user_url(other_owner) not in res.json["index"]
    assert len(res.json["index"]) == 3


# -- GET /api/users/ ----------------------------------------------------------------------------


def test_users_catalog_narrows_by_email_case_insensitively(testapp, acme, factory):
    email = factory.email_of(acme.member)
    headers = acme.headers("admin")
    for variant in (email, email.upper(), f" {email} "):
        res = testapp.get("/api/users/", params={"email": variant}, headers=headers, status=200)
        assert list(res.json["index"]) == [acme.url("member")]
        row = res.json["index"][acme.url("member")]
        assert row["email"] == email and row["name"] == "Mel Member"
    res = testapp.get(
        "/api/users/", params={"email": "nobody@example.com"}, headers=headers, status=200
    )
    assert res.json["index"] == {}


def test_users_catalog_narrows_by_id(testapp, acme):
    res = testapp.get(
        "/api/users/", params={"id": acme.member}, headers=acme.headers("admin"), status=200
    )
    assert list(res.json["index"]) == [acme.url("member")]


def test_users_catalog_email_and_id_must_name_the_same_user(testapp, acme, factory):
    params = {"email": factory.email_of(acme.member), "id": acme.admin}
    res = testapp.get("/api/users/", params=params, headers=acme.headers("admin"), status=200)
    assert res.json["index"] == {}


def test_users_catalog_hides_other_accounts(testapp, factory, acme):
    other_account, other_owner = factory.account()
    stranger = factory.user(other_account)
    headers = acme.headers("member")
    for params in (
        {"email": factory.email_of(stranger)},
        {"id": stranger},
        {"email": factory.email_of(other_owner)},
    ):
        res = testapp.get("/api/users/", params=params, headers=headers, status=200)
        assert res.json["index"] == {}
    listed = testapp.get("/api/users/", headers=headers, status=200).json["index"]
    assert set(listed) == {acme.url(u) for u in ("owner", "admin", "member")}


def test_users_catalog_is_get_only(testapp, acme):
    testapp.post_json(
        "/api/users/", {"email": "x@example.com"}, headers=acme.headers("owner"), status=405
    )
