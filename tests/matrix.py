"""Shared pieces of the table-driven permission tests."""


def check_registry():
    """``(checks, check)``: ``@check("GET /x/")`` registers the function that
    exercises that endpoint in ``checks``."""
    checks = {}

    def check(name):
        def register(function):
            checks[name] = function
            return function

        return register

    return checks, check


def assert_error_shape(res):
    """Every refusal is our JSON envelope; a 401 also says where to log in."""
    if res.status_int >= 400:
        assert res.content_type == "application/json"
        assert res.json["message"]
        if res.status_int == 401:
            assert res.json["urls"]["login_url"] == "http://localhost/api/public/login/"


def call(scene, method, url, who, status, body=None):
    """One request of a table row, as ``who`` of the scene: GET and DELETE
    without a body, the rest JSON."""
    kw = {"headers": scene.headers(who), "status": status}
    if method == "GET":
        return scene.testapp.get(url, **kw)
    if method == "DELETE":
        return scene.testapp.delete(url, **kw)
    return getattr(scene.testapp, f"{method.lower()}_json")(url, body, **kw)
