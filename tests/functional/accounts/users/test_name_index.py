"""Pages of the account's users come from its name index
(``Account.by_name``): they stay in name order through creation, renaming,
an email change of a user without a name, and removal, and a database
stored before the index gets it at start-up."""

from tests.functional.helpers import USERS


def page_names(testapp, headers, size=2):
    """Every listed name, page after page, and the first page's total."""
    names, url, total = [], f"{USERS}?page_size={size}", None
    while url:
        doc = testapp.get(url, headers=headers, status=200).json
        total = doc["total"] if total is None else total
        names += [row["name"] for row in doc["index"].values()]
        url = doc.get("urls", {}).get("next")
    return names, total


def scanned_names(testapp, headers):
    """The same list through the path that reads every member (a search
    matching everyone), for comparison."""
    doc = testapp.get(USERS, params={"search": "@"}, headers=headers, status=200).json
    return [row["name"] for row in doc["index"].values()]


def test_pages_follow_renames_email_changes_and_removals(testapp, acme):
    headers = acme.headers("admin")
    acme.add("zed", name="Zed")
    acme.add("anon", email="mmm@example.com", status="pending")
    names, total = page_names(testapp, headers)
    assert names == sorted(names, key=str.casefold) and total == len(names)
    assert names == scanned_names(testapp, headers)

    zed = acme.headers("zed")
    testapp.patch_json(acme.url("zed"), {"name": "Aaron"}, headers=zed, status=204)
    testapp.patch_json(acme.url("anon"), {"email": "bbb@example.com"}, headers=headers, status=204)
    names, _ = page_names(testapp, headers)
    assert names[0] == "Aaron" and "bbb@example.com" in names
    assert not {"Zed", "mmm@example.com"} & set(names)
    assert names == sorted(names, key=str.casefold)
    assert names == scanned_names(testapp, headers)

    testapp.delete(acme.url("zed"), headers=headers, status=200)
    after, total = page_names(testapp, headers)
    assert after == names[1:] and total == len(names) - 1


def test_a_database_older_than_the_index_gets_it_at_start_up(testapp, acme, factory):
    headers = acme.headers("admin")
    before = page_names(testapp, headers)

    def forget(root):
        account = root.accounts[acme.account_id]
        del account.by_name, account.listed
        for user_id in account.user_ids:
            root.users[user_id].name_key = None

    factory.write(forget)
    assert factory.read(lambda root: root.accounts[acme.account_id].by_name) is None
    factory.write(lambda root: root.ensure_containers())
    assert page_names(testapp, headers) == before
