"""Mailed links in headless Chromium: an invitation from the test SMTP
server's mail sets the password and lands signed in on the browsable root;
a password reset asked for on the login page; an email change and an email
verification confirmed from their mails; a used link's page of each.
Screenshots: ``var/screenshots/link-*.png``."""

import re

from tests.factories import PASSWORD
from tests.functional.helpers import NEW_PASSWORD

LINK = re.compile(r"http://127\.0\.0\.1:\d+/password/change/[A-Za-z0-9_-]+/")
CHANGE_LINK = re.compile(LINK.pattern.replace("password/change", "email/change"))
VERIFY_LINK = re.compile(LINK.pattern.replace("password/change", "email/verify"))
NEW = "bob.new@example.com"


def mailed_link(inbox, count=1, to=None, link=LINK) -> str:
    """The link in the last of ``count`` mails (the last one to ``to``)."""
    mail = [m for m in inbox.wait_for(count) if to in (None, m["To"])][-1]
    link = link.search(mail.text).group()
    assert f'href="{link}"' in mail.html  # the HTML part has the same link
    return link


def test_an_invitation_from_the_mail_sets_the_password_and_signs_in(site, live, inbox):
    body = {"email": "nina@acme.test", "name": "Nina Newbie"}
    live.testapp.post_json("/api/account/users/", body, headers=live.headers("owner"))
    link = mailed_link(inbox)

    site.open(link)
    assert site.text("#link-title") == "Accept your invitation"
    assert "At least 12 characters." in site.text("#rules")
    site.shot("link-01-invitation")

    site.set_password(NEW_PASSWORD, confirm="something else entirely")
    assert site.text("#message") == "The two passwords differ."
    site.set_password("short")
    assert "(password rule: min_length)" in site.text("#message")
    site.shot("link-02-invitation-refused")

    site.set_password(NEW_PASSWORD)
    assert site.path == "/api/" and site.text("#viewer") == "Nina Newbie"
    site.shot("link-03-invitation-signed-in")

    site.open(link)
    assert site.text("#dead-link") == "This link is no longer valid"
    site.shot("link-04-used-link")


def test_a_password_reset_asked_for_on_the_login_page(site, live, inbox):
    live.add("bob", name="Bob Builder")
    site.open("/browse/login/")
    site.shot("link-05-login")
    site.click(xpath="//a[normalize-space()='Forgot your password?']")
    site.type("#reset-email", live.email("bob"))
    site.shot("link-06-forgot-password")
    site.click("#reset-submit")
    assert live.email("bob") in site.text("#sent")
    site.shot("link-07-reset-sent")

    site.open(mailed_link(inbox))
    assert site.text("#link-title") == "Reset your password"
    site.shot("link-08-reset")
    site.set_password(NEW_PASSWORD)
    assert site.text("#viewer") == "Bob Builder"

    site.click("#logout")
    site.sign_in(live.email("bob"), PASSWORD)
    assert site.text("#message") == "Invalid email or password."
    site.shot("link-09-old-password-refused")
    site.sign_in(live.email("bob"), NEW_PASSWORD)
    assert site.path == "/api/" and site.text("#viewer") == "Bob Builder"


def test_an_email_change_confirmed_from_the_mail(site, live, inbox):
    live.add("bob", name="Bob Builder")
    body = {"pw": PASSWORD, "email": NEW}
    live.testapp.post_json(live.url("bob") + "change_email/", body, headers=live.headers("bob"))
    link = mailed_link(inbox, 2, to=NEW, link=CHANGE_LINK)

    site.open(link)
    assert site.text("#link-title") == "Confirm your new email address"
    assert site.text("#link-detail") == f"New address: {NEW}"
    site.shot("link-10-email-change")
    site.click("#link-submit")
    assert "sign in with the new one" in site.text("#done")
    site.shot("link-11-email-changed")

    site.open(link)
    assert site.text("#dead-link") == "This link is no longer valid"
    site.shot("link-12-used-email-change-link")
    site.click("#renew")
    site.sign_in(NEW, PASSWORD)
    assert site.path == "/browse/change_email/" and NEW in site.text("main")
    site.shot("link-13-change-email-again")


def test_an_email_verified_from_the_mail(site, live, inbox):
    body = {"email": "vera@acme.test", "name": "Vera Verify", "password": NEW_PASSWORD}
    live.testapp.post_json("/api/account/users/", body, headers=live.headers("owner"))
    link = mailed_link(inbox, link=VERIFY_LINK)

    site.open(link)
    assert site.text("#link-title") == "Verify your email address"
    site.shot("link-14-verify-email")
    site.click("#link-submit")
    assert site.text("#done") == "Your email address is verified."
    site.shot("link-15-email-verified")

    site.open(link)
    assert site.text("#dead-link") == "This link is no longer valid"
    site.shot("link-16-used-verification-link")
    site.click("#renew")
    site.sign_in("vera@acme.test", NEW_PASSWORD)
    assert site.path == "/browse/verify_email/"
    assert "is verified" in site.text("#verified")
    site.shot("link-17-verification-not-needed")
