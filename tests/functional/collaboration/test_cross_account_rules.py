"""Datasets and projects never straddle two accounts."""


def make_dataset(testapp, headers, name="DS", **body):
    return testapp.post_json(
        "/api/datasets/", {"name": name, **body}, headers=headers, status=201
    ).location


def test_dataset_cannot_be_handed_to_a_user_of_another_account(testapp, factory):
    account_a, owner_a = factory.account()
    account_b, owner_b = factory.account()
    editor_b = factory.user(account_b, roles=("editor",))
    headers = factory.login(owner_a)
    dataset = make_dataset(testapp, headers)
    res = testapp.patch_json(
        dataset, {"owner": factory.user_url(editor_b)}, headers=headers, status=400
    )
    assert "account" in res.json["message"]
    body = testapp.get(dataset, headers=headers, status=200).json["body"]
    assert body["owner"] == factory.user_url(owner_a)


def test_dataset_cannot_move_into_another_accounts_project(testapp, factory):
    account_a, owner_a = factory.account()
    account_b, owner_b = factory.account()
    owner_a_h, owner_b_h = factory.login(owner_a), factory.login(owner_b)
    project_b = testapp.post_json(
        "/api/projects/", {"name": "B"}, headers=owner_b_h, status=201
    ).location
    # B's owner makes A's owner an editor of B's project (a collaborator).
    testapp.patch_json(
        project_b + "members/",
        {factory.user_url(owner_a): {"permissions": {"edit": True}}},
        headers=owner_b_h,
        status=204,
    )
    dataset = make_dataset(testapp, owner_a_h)
    testapp.patch_json(dataset, {"project": project_b}, headers=owner_a_h, status=400)
    testapp.patch_json(
        project_b,
        {"element": "shoji:entity", "body": {}, "index": {dataset: {}}},
        headers=owner_a_h,
        status=400,
    )
    assert testapp.get(project_b + "datasets/", headers=owner_b_h, status=200).json["index"] == {}
