"""Mail as people and files read it: unbroken links, a text and an HTML part."""

import email

from crunchusers.infra.mime import MailDirectory, html_of, message_from, part

LINK = "http://localhost:6543/password/change/ziVefEcGXxQl6S9uZgZB5XA_k5Oc2OtUPBXBPyk2FHI/"


def payload(body):
    return {"to": "a@example.com", "subject": "Hi", "sender": "s@example.com", "body": body}


def test_ascii_text_is_7bit_and_keeps_long_links_whole():
    raw = message_from(payload(f"Hello,\n\n{LINK}\n")).to_message().as_bytes()
    assert LINK.encode() in raw  # no soft line break splits it
    assert b"Content-Transfer-Encoding: 7bit" in raw
    assert b"quoted-printable" not in raw and b"\r\n" in raw


def test_non_ascii_text_is_8bit_utf8_and_html_is_ascii():
    message = message_from(payload(f"Hallo Jos\u00e9,\n\n{LINK}\n")).to_message()
    text, html = message.get_payload()
    assert text["Content-Transfer-Encoding"] == "8bit"
    assert text.get_content_charset() == "utf-8"
    assert html["Content-Transfer-Encoding"] == "7bit"
    assert "Jos&#233;" in html.get_payload()
    assert "Hallo Jos\u00e9".encode() in message.as_bytes()


def test_a_line_over_smtps_limit_falls_back_to_quoted_printable():
    assert part("x" * 999, "text/plain").transfer_encoding == "quoted-printable"
    assert part("x" * 998, "text/plain").transfer_encoding == "7bit"


def test_html_escapes_and_links():
    html = html_of(f'Dear <b>"Bob"</b> & co,\n\nOpen {LINK}.\nThen (see {LINK}), bye.')
    assert "&lt;b&gt;&quot;Bob&quot;&lt;/b&gt; &amp; co" in html
    assert f'<a href="{LINK}">{LINK}</a>.<br>' in html  # the full stop is not in the link
    assert f'<a href="{LINK}">{LINK}</a>),' in html
    assert html.count("<p>") == 2 and html.isascii()


def test_javascript_and_other_schemes_are_not_links():
    assert "<a" not in html_of("javascript:alert(1) and ftp://x.example/ and data:text/html,x")


def test_mail_files_are_raw_utf8(tmp_path):
    message = message_from(payload(f"Hallo Jos\u00e9,\n\n{LINK}\n"))
    MailDirectory(str(tmp_path)).send_immediately(message)
    (file,) = tmp_path.glob("*.eml")
    raw = file.read_bytes()
    assert "Hallo Jos\u00e9".encode() in raw and LINK.encode() in raw
    parsed = email.message_from_bytes(raw)
    assert parsed.get_content_type() == "multipart/alternative"
