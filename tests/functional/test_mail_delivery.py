"""Mail leaves only after a commit: never for a failed request, once for a
retried one.  Delivered through a real SMTP server (aiosmtpd)."""

import time

from webtest import TestApp

from crunchusers import main
from tests.functional import conflict_view


def test_retried_request_sends_its_mail_exactly_once(settings, inbox):
    conflict_view.ATTEMPTS.clear()
    conflict_view.MAIL_ATTEMPTS.clear()
    app = main({}, **{**settings, "pyramid.includes": "tests.functional.conflict_view"})
    TestApp(app).get("/test/mail-conflict/", status=200)
    assert len(conflict_view.MAIL_ATTEMPTS) == 2  # the first attempt conflicted
    messages = inbox.wait_for(1)
    time.sleep(0.3)  # a second (wrong) delivery would arrive by now
    assert [m["Subject"] for m in messages] == ["Once"]
    assert "attempt 2" in messages[0].text


def test_failed_request_sends_nothing(testapp, factory, inbox):
    account_id, owner_id = factory.account()
    pending = factory.user(account_id, status="pending", password=None)
    headers = factory.login(owner_id)
    users = f"/api/accounts/{account_id}/users/"
    # The first tuple would re-send an invitation; the second is invalid.
    testapp.patch_json(
        users,
        {
            factory.user_url(pending): {"resend_email": True},
            "http://localhost/api/users/ffffffffffffffffffffffffffffffff/": {"name": "x"},
        },
        headers=headers,
        status=400,
    )
    time.sleep(0.3)
    assert inbox.messages == []
    # The same re-send alone does mail.
    testapp.patch_json(
        users, {factory.user_url(pending): {"resend_email": True}}, headers=headers, status=204
    )
    assert len(inbox.wait_for(1)) == 1


def test_dev_mailer_writes_files(settings, tmp_path, factory):
    app = main({}, **{**settings, "crunchusers.mail_directory": str(tmp_path / "mail")})
    from tests.factories import Factory

    dev = Factory(app, TestApp(app))
    account_id, owner_id = dev.account()
    TestApp(app).post_json(
        f"/api/accounts/{account_id}/users/",
        {"email": "new@example.com"},
        headers=dev.login(owner_id),
        status=201,
    )
    assert app.registry.crunchusers_delivery.wait_until_sent()  # through the same outbox
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1 and "new@example.com" in files[0].read_text()
