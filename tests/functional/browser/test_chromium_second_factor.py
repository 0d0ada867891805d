"""Signing in with a second factor in headless Chromium: the password,
the page asking for the code, a wrong code's message, then the code mailed
through the test SMTP server (or an authenticator app's, computed by pyotp
at the live server's real clock) lands signed in on the browsable root.
Screenshots: ``var/screenshots/mfa-*.png``."""

import re
import time

import pyotp

from tests.factories import PASSWORD
from tests.functional.mfa.helpers import REAUTH

CODE = re.compile(r"Your sign-in code is (\d{6})\.")


def factor_url(live, who) -> str:
    return live.url(who) + "second_factor/"


def type_code(site, code):
    site.type("#code", code)
    site.click("#second-factor-submit")


def test_the_password_then_a_mailed_code_signs_in(site, live, inbox):
    live.add("bob", name="Bob Builder")
    body = {"email": True}
    live.testapp.patch_json(factor_url(live, "bob"), body, headers=live.headers("bob"))
    site.open("/browse/login/")
    site.sign_in(live.email("bob"), PASSWORD)
    assert site.text("h1") == "Second factor"
    assert "We mailed you a 6-digit code" in site.text("#methods")
    site.shot("mfa-01-code-page")

    mail = [m for m in inbox.wait_for(1) if m["Subject"] == "Your sign-in code"][-1]
    code = CODE.search(mail.text).group(1)
    type_code(site, "000000" if code != "000000" else "111111")
    assert site.text("#message").startswith("The code is wrong")
    assert site.text("h1") == "Second factor"
    site.shot("mfa-02-wrong-code")

    type_code(site, code)
    assert site.path == "/api/" and site.text("#viewer") == "Bob Builder"
    site.shot("mfa-03-signed-in")


def test_an_authenticator_app_code_signs_in(site, live):
    """The server's clock is the real one here: the sign-in's code is the
    next step's (accepted one step ahead), so it is never the step the
    confirmation used, whatever second the test runs at."""
    live.add("bob", name="Bob Builder")
    url, headers = factor_url(live, "bob"), live.headers("bob")
    secret = live.testapp.post_json(url + "totp/", REAUTH, headers=headers).json["secret"]
    app = pyotp.TOTP(secret)
    live.testapp.post_json(url + "totp/confirm/", {"code": app.now()}, headers=headers)

    site.open("/browse/login/")
    site.sign_in(live.email("bob"), PASSWORD)
    assert "authenticator app" in site.text("#methods")
    site.shot("mfa-04-app-code-page")
    type_code(site, app.at(time.time() + app.interval))
    assert site.path == "/api/" and site.text("#viewer") == "Bob Builder"
    site.shot("mfa-05-app-signed-in")
