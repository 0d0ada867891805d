"""A real OpenID provider for the tests, in its own process.

``python -m tests.functional.oidc.provider`` serves oidc-provider-mock (its
discovery document, keys, authorization form, token endpoint and per-user
claims API, ``PUT /users/<sub>``) on a free loopback port, prints the port
on one line once it listens, and serves until terminated.

oidc-provider-mock 0.3.4, the last release for Python 3.11, requires a
``nonce`` (we turn that on) but does not check PKCE, so :class:`PkceGate`
wraps it and enforces RFC 7636 as a real provider does: an authorization
without an S256 ``code_challenge`` is refused, and a code is exchanged only
with the ``code_verifier`` whose S256 is the code's challenge (else
``invalid_grant``).  ``GET /_test/stats`` tells the tests what it saw.
"""

import base64
import hashlib
import io
import json
import os
import sys
import threading
from urllib.parse import parse_qs, urlsplit

from werkzeug.serving import make_server

os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http on loopback

import oidc_provider_mock  # noqa: E402  (after the variable above)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def first(query: dict, name: str):
    return query.get(name, [None])[0]


class PkceGate:
    """WSGI middleware: PKCE for the mock, and counters for the tests."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.challenges = {}  # code -> code_challenge
        self.stats = {"discovery": 0, "token_requests": 0, "verifiers": [], "pkce_failures": 0}

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/_test/stats":
            with self.lock:
                return answer(start_response, "200 OK", self.stats)
        if path.endswith("/.well-known/openid-configuration"):
            self.count("discovery")
        if path == "/oauth2/authorize" and environ["REQUEST_METHOD"] == "POST":
            return self.authorize(environ, start_response)
        if path == "/oauth2/token":
            return self.token(environ, start_response)
        return self.app(environ, start_response)

    def count(self, key):
        with self.lock:
            self.stats[key] += 1

    def authorize(self, environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        challenge = first(query, "code_challenge")
        if challenge is None or first(query, "code_challenge_method") != "S256":
            return answer(start_response, "400 Bad Request", {"error": "invalid_request"})

        def remember_code(status, headers, exc_info=None):
            location = dict(headers).get("Location", "")
            code = first(parse_qs(urlsplit(location).query), "code")
            if code:
                with self.lock:
                    self.challenges[code] = challenge
            return start_response(status, headers, exc_info)

        return self.app(environ, remember_code)

    def token(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        form = parse_qs(body.decode("ascii"))
        verifier = first(form, "code_verifier")
        with self.lock:
            self.stats["token_requests"] += 1
            self.stats["verifiers"].append(verifier)
            challenge = self.challenges.get(first(form, "code"))
            if verifier is None or challenge is None or s256(verifier) != challenge:
                self.stats["pkce_failures"] += 1
                refused = {"error": "invalid_grant", "error_description": "PKCE failed"}
                return answer(start_response, "400 Bad Request", refused)
        return self.app(environ, start_response)


def answer(start_response, status, body):
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json")])
    return [data]


def main():
    app = PkceGate(oidc_provider_mock.app(require_nonce=True))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
