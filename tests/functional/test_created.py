"""A 201 names the new resource in ``Location`` (all pycrunch reads) and,
its body being empty, claims no JSON content type."""

from tests.factories import acme_and_other


def test_201_has_location_and_no_json_content_type(testapp, factory):
    scene = acme_and_other(factory)
    res = testapp.post_json(
        "/api/teams/", {"name": "T"}, headers=scene.headers("alice"), status=201
    )
    assert res.body == b""
    assert "Content-Type" not in res.headers
    assert res.location.startswith("http://localhost/api/teams/")
    assert testapp.get(res.location, headers=scene.headers("alice")).json["body"]["name"] == "T"
