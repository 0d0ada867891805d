"""A small JSON client for real servers (``requests``), one per server and
credential.  Entity URLs carry the host of the server that made them, so
callers pass paths (``path_of(url)``) when they switch servers."""

import re
import time
from urllib.parse import urlsplit

import requests

from .servers import PASSWORD

#: The test SMTP server's inbox (set by ``conftest.storage_inbox``): users
#: made with a password verify their address from the mail it receives.
INBOX = None
VERIFY_LINK = re.compile(r"/email/verify/([\w-]+)/")


def path_of(url: str) -> str:
    return urlsplit(url).path


class Api:
    def __init__(self, base: str, token: str | None = None):
        self.base = base
        self.token = token
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def as_user(self, token: str) -> "Api":
        """The same server with another bearer token."""
        return Api(self.base, token)

    def request(self, method: str, path: str, body=None, status: int | None = None):
        response = self.session.request(method, self.base + path, json=body, timeout=60)
        if status is not None:
            assert response.status_code == status, (
                f"{method} {path}: {response.status_code} {response.text[:500]}"
            )
        return response

    def get(self, path, status=200):
        return self.request("GET", path, status=status).json()

    def post(self, path, body, status=201):
        """POST JSON; returns the response (``.headers['Location']`` for 201)."""
        return self.request("POST", path, body, status)

    def patch(self, path, body, status=204):
        return self.request("PATCH", path, body, status)

    def delete(self, path, status=204):
        return self.request("DELETE", path, status=status)

    def login(self, email: str, password: str = PASSWORD) -> "Api":
        """A real token login; returns a client carrying the bearer token."""
        body = {"email": email, "password": password, "token": True}
        token = self.post("/api/public/login/", body, status=200).json()["access_token"]
        return self.as_user(token)

    def status_of(self, path: str) -> int:
        return self.request("GET", path).status_code


def seed_account(api: Api, superuser_email: str, name="Acme", owner="owner@acme.test") -> Api:
    """An account made through the API by the superuser; returns the owner's client."""
    root = api.login(superuser_email)
    body = {"name": name, "owner": {"email": owner, "password": PASSWORD}}
    root.post("/api/accounts/", body)
    verify_email(api, owner)
    return api.login(owner)


def verify_email(api: Api, email: str, timeout: float = 30.0):
    """Follow the verification link mailed to ``email`` (a user made with a
    password must verify the address before normal use)."""
    tried = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(INBOX.to(email)):  # newest first
            match = VERIFY_LINK.search(message.text)
            if match is None or match[1] in tried:
                continue
            tried.add(match[1])  # an earlier test's mail holds another database's token
            if api.request("POST", "/api/public/verify_email/", {"token": match[1]}).ok:
                return
        time.sleep(0.05)
    raise AssertionError(f"no working verification link mailed to {email}")


def add_user(owner: Api, email: str, roles=("standard",)) -> str:
    """An active user with PASSWORD, added by an account admin; returns its path."""
    body = {"email": email, "password": PASSWORD, "send_invite": False, "roles": list(roles)}
    path = path_of(owner.post("/api/account/users/", body).headers["Location"])
    verify_email(owner, email)
    return path
