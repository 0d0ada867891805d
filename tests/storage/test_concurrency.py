"""Sixteen clients at once against real server processes: each invites
users, adds them to one shared team, shares its own dataset with them,
creates datasets into one shared project and logs in, a fixed number of
times.  Every request must end 2xx (the app retries conflicts with a jittered
backoff, ``views.retry``; a 503 here is a write hot spot or too few
retries), and afterwards every write is there exactly once: users, team
members, project contents and order, dataset shares, sessions, and one
invitation mail per invited user.

On FileStorage (one gunicorn worker process: a FileStorage has one writer)
and on RelStorage (two worker processes).
"""

import threading
from collections import Counter

import pytest

from .client import Api, add_user, path_of, seed_account
from .conftest import servers, storage
from .servers import SUPERUSER_EMAIL, wait_until

pytestmark = pytest.mark.storage

CLIENTS = 16
ROUNDS = 4  # each round: invite, team member, share, dataset into project, login
WORKERS = {"filestorage": 1, "relstorage": 2}


def invitee(client: int, round_: int) -> str:
    return f"invitee-{client:02d}-{round_}@acme.test"


class Shared:
    """What the owner makes before the load: one team and one project every
    client may change, and per client an administrator with its own dataset."""

    def __init__(self, owner: Api):
        self.team = path_of(owner.post("/api/teams/", {"name": "Everyone"}).headers["Location"])
        self.project = path_of(
            owner.post("/api/projects/", {"name": "Shared"}).headers["Location"]
        )
        self.clients = []
        for n in range(CLIENTS):
            email = f"client-{n:02d}@acme.test"
            user = add_user(owner, email, roles=("administrator",))
            self.clients.append((email, user))
        base = owner.base
        members = {base + user: {"permissions": {"edit": True}} for _, user in self.clients}
        owner.patch(self.project + "members/", members)
        team_admins = {
            base + user: {"permissions": {"team_admin": True}} for _, user in self.clients
        }
        owner.patch(self.team + "members/", {"element": "shoji:catalog", "index": team_admins})


class Client(threading.Thread):
    """One of the sixteen: its own HTTP session, every answer recorded."""

    def __init__(self, number: int, base: str, email: str, start: threading.Barrier, shared):
        super().__init__(name=f"client-{number}")
        self.number, self.base, self.email, self.start_line = number, base, email, start
        self.shared = shared
        self.failures, self.tokens, self.datasets, self.invited = [], [], [], []

    def check(self, kind, response, expected):
        if response.status_code != expected:
            self.failures.append((kind, response.status_code, response.text[:300]))
        return response

    def run(self):
        api = Api(self.base).login(self.email)
        own = api.post("/api/datasets/", {"name": f"Own {self.number}"}).headers["Location"]
        self.own_dataset = path_of(own)
        self.start_line.wait()
        for round_ in range(ROUNDS):
            self.one_round(api, round_)

    def one_round(self, api: Api, round_: int):
        email = invitee(self.number, round_)
        body = {"email": email, "send_invite": True}
        answer = self.check("invite", api.request("POST", "/api/account/users/", body), 201)
        if answer.status_code != 201:
            return
        user_url = self.base + path_of(answer.headers["Location"])
        self.invited.append(path_of(user_url))
        members = {"element": "shoji:catalog", "index": {user_url: {}}}
        self.check("team", api.request("PATCH", self.shared.team + "members/", members), 204)
        share = {
            "element": "shoji:catalog",
            "index": {user_url: {"dataset_permissions": {"view": True}}},
        }
        path = self.own_dataset + "permissions/"
        self.check("share", api.request("PATCH", path, share), 204)
        name = f"Dataset {self.number:02d}-{round_}"
        created = {"name": name, "project": self.base + self.shared.project}
        answer = self.check("dataset", api.request("POST", "/api/datasets/", created), 201)
        if answer.status_code == 201:
            self.datasets.append(path_of(answer.headers["Location"]))
        login = {"email": self.email, "password": "storage password 1", "token": True}
        answer = self.check("login", api.request("POST", "/api/public/login/", login), 200)
        if answer.status_code == 200:
            self.tokens.append(answer.json()["access_token"])


@pytest.mark.parametrize("kind", ["filestorage", "relstorage"])
def test_sixteen_clients_write_at_once_and_every_write_is_there_once(kind, tmp_path, smtp_server):
    inbox = smtp_server.handler
    with storage(kind, tmp_path) as (uri, env):
        with servers(tmp_path, smtp_server, uri, env, ("app", WORKERS[kind])) as (server,):
            owner = seed_account(Api(server.url), SUPERUSER_EMAIL)
            shared = Shared(owner)
            inbox.messages.clear()
            start = threading.Barrier(CLIENTS, timeout=120)
            clients = [
                Client(n, server.url, email, start, shared)
                for n, (email, _) in enumerate(shared.clients)
            ]
            for client in clients:
                client.start()
            for client in clients:
                client.join(timeout=300)
            assert not any(client.is_alive() for client in clients)
            failures = [(c.number, *f) for c in clients for f in c.failures]
            assert failures == [], failures
            check_every_write_once(owner, shared, clients)
            expected = {invitee(n, r) for n in range(CLIENTS) for r in range(ROUNDS)}
            wait_until(lambda: len(inbox.messages) >= len(expected), 60, "invitation mail")
            assert Counter(m["To"] for m in inbox.messages) == Counter(expected)


def check_every_write_once(owner: Api, shared: Shared, clients: list[Client]):
    invited = {invitee(n, r) for n in range(CLIENTS) for r in range(ROUNDS)}
    users = owner.get("/api/account/users/")["index"].values()
    emails = Counter(user["email"] for user in users)
    assert {e: emails[e] for e in invited} == dict.fromkeys(invited, 1)
    assert len(emails) == 1 + CLIENTS + len(invited) and max(emails.values()) == 1

    members = {path_of(url) for url in owner.get(shared.team + "members/")["index"]}
    assert {p for c in clients for p in c.invited} <= members
    assert len(members) == 1 + CLIENTS + len(invited)

    made = [p for c in clients for p in c.datasets]
    assert len(made) == len(set(made)) == CLIENTS * ROUNDS
    contents = [path_of(url) for url in owner.get(shared.project + "datasets/")["index"]]
    assert sorted(contents) == sorted(made)
    order = [path_of(url) for url in owner.get(shared.project + "order/")["graph"]]
    assert sorted(order) == sorted(made)

    for client in clients:
        shares = owner.get(client.own_dataset + "permissions/")["index"]
        assert set(client.invited) <= {path_of(url) for url in shares}

    tokens = [t for c in clients for t in c.tokens]
    assert len(tokens) == len(set(tokens)) == CLIENTS * ROUNDS
    for token in tokens:
        assert owner.as_user(token).status_of("/api/") == 200
