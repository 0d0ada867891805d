"""The real pycrunch client against a live server where one user has a
second factor: a user without one connects as before; pycrunch cannot
answer a challenge, so the user with one gets pycrunch's own "Log in was
not successful" (no login loop) and connects with an API token made after
a two-step sign-in, as scripts should."""

import re
from datetime import UTC, datetime, timedelta

import pycrunch
import pytest
import requests
from pycrunch.elements import UnsafeElementSession

pytestmark = pytest.mark.filterwarnings(
    "ignore:Connecting to Crunch API services with a username:DeprecationWarning"
)

PASSWORD = "blue garden gate 12"
CODE = re.compile(r"Your sign-in code is (\d{6})\.")


def bearer(server, email, password=PASSWORD) -> dict:
    login = {"email": email, "password": password, "token": True}
    res = requests.post(server + "public/login/", json=login, timeout=10)
    assert res.status_code == 200, res.text
    return {"Authorization": f"Bearer {res.json()['access_token']}"}


def test_pycrunch_with_and_without_a_second_factor(server, connect, verify, inbox, live_app):
    root = connect()
    for email in ("ann@acme.test", "max@acme.test"):  # an account per user
        owner = {"email": email, "password": PASSWORD}
        root.accounts.create({"body": {"name": email, "owner": owner}})
        verify(email)
    headers = bearer(server, "max@acme.test")
    me = requests.get(server, headers=headers, timeout=10).json()["urls"]["user_url"]
    opt_in = requests.patch(
        me + "second_factor/", json={"email": True}, headers=headers, timeout=10
    )
    assert opt_in.status_code == 204, opt_in.text

    ann = connect("ann@acme.test", PASSWORD)  # no second factor: as before
    assert ann.user_url.body.email == "ann@acme.test"

    with pytest.raises(ValueError, match="Log in was not successful"):
        connect("max@acme.test", PASSWORD)

    # a script's way: two steps once, then an API token
    login = {"email": "max@acme.test", "password": PASSWORD, "token": True}
    asked = requests.post(server + "public/login/", json=login, timeout=10).json()
    assert live_app.registry.crunchusers_delivery.wait_until_sent()
    mail = [m for m in inbox.to("max@acme.test") if m["Subject"] == "Your sign-in code"][-1]
    answer = {"challenge": asked["second_factor"]["challenge"], "code": CODE.search(mail.text)[1]}
    done = requests.post(asked["second_factor"]["url"], json=answer, timeout=10)
    assert done.status_code == 200, done.text
    expires = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    key = requests.post(
        server + "apikeys/",
        json={"name": "script", "expires": expires},
        headers={"Authorization": f"Bearer {done.json()['access_token']}"},
        timeout=10,
    ).json()["body"]["key"]
    site = pycrunch.connect(api_key=key, site_url=server, session_class=UnsafeElementSession)
    try:
        assert site.user_url.body.email == "max@acme.test"
    finally:
        site.session.close()
