"""HTTP helpers shared by the functional tests of teams, projects, datasets,
sharing and visibility.  They only make requests; what a test checks stays in
the test (files whose variant also asserts, e.g. on the URL, keep their own)."""


def id_of(url):
    """The last path segment of an entity URL: its id."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def read(testapp, url, headers):
    """GET a document that must be there (200)."""
    return testapp.get(url, headers=headers, status=200).json


def create_dataset(testapp, headers, name="Survey", **fields):
    """POST a wrapped dataset entity; returns its URL."""
    body = {"element": "shoji:entity", "body": {"name": name, **fields}}
    return testapp.post_json("/api/datasets/", body, headers=headers, status=201).location


def create_team(testapp, headers, name="Team"):
    """POST a bare team body; returns its URL."""
    return testapp.post_json("/api/teams/", {"name": name}, headers=headers, status=201).location
