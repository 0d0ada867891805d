"""Mail as people and files read it: a text part and an HTML part, both
UTF-8, with every link on one unbroken line.

pyramid_mailer writes text as quoted-printable, whose soft line breaks split
a long link in a message read as a file (``var/mail/*.eml``), so a token
copied from it was "invalid or expired".  Here:

* The text part is ``7bit`` when it is ASCII (every link is) and ``8bit``
  otherwise.  Files (:class:`MailDirectory`) keep 8-bit text as raw UTF-8;
  over SMTP pyramid_mailer's transport can only send ASCII, and Python's
  generator turns a non-ASCII 8-bit part into base64, which mail clients
  decode as usual.
* The HTML part is made from the text (paragraphs, links made clickable)
  and always ASCII — other characters become character references — so it
  is ``7bit`` everywhere, links included.
* A part with a line longer than SMTP's 998 octets (a long free-text share
  message) falls back to quoted-printable.
"""

import html
import os
import re
import secrets
from datetime import datetime
from email.policy import compat32

from pyramid_mailer.mailer import DebugMailer
from pyramid_mailer.message import Attachment, Message

SMTP_LINES = compat32.clone(linesep="\r\n")

#: RFC 5321's limit on a line of a message, without its CRLF.
MAX_LINE_OCTETS = 998

#: A link, without the punctuation that ends a sentence after it.
URL = re.compile(r"https?://[^\s<>\"']*[^\s<>\"'.,;:!?)]")


class CRLFMessage(Message):
    """pyramid_mailer's message, serialized with CRLF line ends as SMTP
    requires: its transport sends the text as it is, and with bare LFs a
    strict server (aiosmtpd, Postfix against SMTP smuggling) takes the whole
    message for one line and refuses it once it passes 1000 octets."""

    def to_message(self):
        message = super().to_message()
        message.policy = SMTP_LINES
        return message


def message_from(payload: dict) -> Message:
    """The message of an outbox payload (to, subject, body, sender)."""
    text = payload["body"]
    return CRLFMessage(
        subject=payload["subject"],
        sender=payload["sender"],
        recipients=[payload["to"]],
        body=part(text, "text/plain"),
        html=part(html_of(text), "text/html"),
    )


def part(text: str, content_type: str) -> Attachment:
    data = text.encode("utf-8")
    if any(len(line) > MAX_LINE_OCTETS for line in data.splitlines()):
        encoding = "quoted-printable"
    else:
        encoding = "7bit" if data.isascii() else "8bit"
    return Attachment(
        data=text,
        content_type=f"{content_type}; charset=utf-8",
        transfer_encoding=encoding,
        disposition="inline",
    )


def html_of(text: str) -> str:
    """The text as a small HTML document: one paragraph per blank-line
    separated block, links clickable, everything else escaped; ASCII only."""
    paragraphs = (p for p in re.split(r"\n\s*\n", text.strip()) if p)
    body = "\n".join(f"<p>{linkify(p)}</p>" for p in paragraphs)
    document = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>\n'
        f'<body style="font-family: sans-serif">\n{body}\n</body></html>\n'
    )
    return document.encode("ascii", "xmlcharrefreplace").decode("ascii")


def linkify(paragraph: str) -> str:
    pieces, last = [], 0
    for match in URL.finditer(paragraph):
        pieces.append(html.escape(paragraph[last : match.start()]))
        link = html.escape(match.group())
        pieces.append(f'<a href="{link}">{link}</a>')
        last = match.end()
    pieces.append(html.escape(paragraph[last:]))
    return "".join(pieces).replace("\n", "<br>\n")


class MailDirectory(DebugMailer):
    """pyramid_mailer's file mailer, writing the message's bytes: its own
    writes text, which would turn 8-bit UTF-8 parts into base64."""

    def _send(self, message, fail_silently=False):
        if not message.sender:
            message.sender = "nobody"
        name = f"{datetime.now():%Y%m%d%H%M%S}_{secrets.token_hex(3)}.eml"
        with open(os.path.join(self.tld, name), "wb") as file:
            file.write(message.to_message().as_bytes())

    send = send_immediately = send_to_queue = _send
    send_sendmail = send_immediately_sendmail = _send
