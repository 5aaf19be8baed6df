"""Message builders shared by the hand-written DSN test modules.

Each test module writes its bounces by hand; the envelope around them (the returned original, an
RFC 3464 report, a single text part, a multipart/mixed notice, encoded words) is the same
everywhere, so it lives here once. Builders return ``bytes`` ready for ``parse_message`` unless
they build a piece (``original``, ``b64``, ...) that goes inside another message.
"""

from __future__ import annotations

import base64
import quopri
import textwrap
import zlib
from email.header import Header

SENDER = "news@mail.example.org"
BOUNCES = "bounces+1234@mail.example.org"


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def indent(text: str, prefix: str = "    ") -> str:
    """Re-indent inserted text so that the surrounding dedent keeps working."""
    return textwrap.indent(text, prefix).lstrip(" ")


def original(
    to: str,
    subject: str = "Lesson 4 is ready",
    *,
    to_header: str = "",
    message_id: str = "",
    envelope_for: bool = False,
) -> str:
    """The returned copy of the platform's outgoing message, with its X-Kwiga-* headers.

    ``envelope_for`` names the recipient in the Received line too, as most MTAs do.
    """
    mid = message_id or f"<20240514090000.{zlib.crc32(to.encode()) % 99999}@mail.example.org>"
    received_for = f"\n\tfor <{to}>; " if envelope_for else ";\n\t"
    return (
        f"Return-Path: <{BOUNCES}>\n"
        "Received: from app1.mail.example.org (app1.mail.example.org [192.0.2.10])\n"
        f"\tby mx1.mail.example.org (Postfix) with ESMTPS id 4VdZ1x0abc{received_for}"
        "Tue, 14 May 2024 09:00:00 +0000 (UTC)\n"
        f"From: Kwiga School <{SENDER}>\n"
        f"To: {to_header or to}\n"
        f"Subject: {subject}\n"
        "Date: Tue, 14 May 2024 09:00:00 +0000\n"
        f"Message-ID: {mid}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "X-Kwiga-School: 1234\n"
        "X-Kwiga-Stream: campaign\n"
        "\n"
        "Hello! Your next lesson is ready. Open the course to continue.\n"
    )


def headers_only(
    to: str, subject: str = "Lesson 4 is ready", *, to_header: str = "", envelope_for: bool = False
) -> str:
    """The original's header block alone (text/rfc822-headers)."""
    full = original(to, subject, to_header=to_header, envelope_for=envelope_for)
    return full.split("\n\n", 1)[0] + "\n"


def b64(text: str, charset: str = "utf-8") -> str:
    return base64.encodebytes(dedent(text).encode(charset)).decode("ascii")


def qp(text: str, charset: str = "utf-8") -> str:
    return quopri.encodestring(dedent(text).encode(charset)).decode("ascii")


def subj(text: str, charset: str = "utf-8") -> str:
    """An RFC 2047 encoded word for a header."""
    return Header(text, charset).encode(maxlinelen=998)


def plain(text: str, *, encoding: str = "utf-8", crlf: bool = False) -> bytes:
    """A message written out whole, headers and body, dedented."""
    body = dedent(text)
    if crlf:
        body = body.replace("\n", "\r\n")
    return body.encode(encoding)


def text_message(
    headers: str,
    body: str,
    *,
    tail: str = "",
    charset: str = "utf-8",
    cte: str = "8bit",
    mime: bool = True,
) -> bytes:
    """A single-part text/plain message; ``tail`` is appended after the dedented body."""
    head = dedent(headers).rstrip("\n")
    content = dedent(body) + tail
    if cte == "base64":
        payload, out_charset = base64.encodebytes(content.encode(charset)).decode("ascii"), "ascii"
    elif cte == "quoted-printable":
        payload, out_charset = quopri.encodestring(content.encode(charset)).decode("ascii"), "ascii"
    else:
        payload, out_charset = content, charset
    mime_head = (
        f"\nMIME-Version: 1.0\nContent-Type: text/plain; charset={charset}\n"
        f"Content-Transfer-Encoding: {cte}"
        if mime
        else ""
    )
    return (head + mime_head + "\n\n" + payload).encode(out_charset)


def html_message(headers: str, html: str, *, charset: str = "utf-8") -> bytes:
    """A single-part text/html message (webmail notices that send no text part)."""
    head = dedent(headers).rstrip("\n")
    return (
        f"{head}\nMIME-Version: 1.0\nContent-Type: text/html; charset={charset}\n"
        f"Content-Transfer-Encoding: 8bit\n\n{dedent(html)}"
    ).encode(charset)


def mixed(
    headers: str,
    body: str,
    attachment: str,
    *,
    attachment_type: str = "message/rfc822",
    charset: str = "utf-8",
    boundary: str = "----=_NextPart_000_0012_01DAA5F0.ABCDEF00",
) -> bytes:
    """multipart/mixed: a text part and the returned message (or its headers) attached."""
    head = dedent(headers).rstrip("\n")
    return (
        f"{head}\n"
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\n'
        "\n"
        "This is a multi-part message in MIME format.\n"
        "\n"
        f"--{boundary}\n"
        f"Content-Type: text/plain; charset={charset}\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n"
        f"{dedent(body)}\n"
        f"--{boundary}\n"
        f"Content-Type: {attachment_type}\n"
        "Content-Disposition: attachment\n"
        "\n"
        f"{attachment}\n"
        f"--{boundary}--\n"
    ).encode(charset)


def dsn(
    *,
    headers: str,
    human: str,
    per_message: str,
    per_recipient: list[str],
    original: str,
    boundary: str = "=_dsn_1718000000_b0und4ry",
    human_type: str = "text/plain; charset=us-ascii",
    human_cte: str = "",
    dedent_human: bool = False,
    report_type: str = "delivery-status",
    status_type: str = "message/delivery-status",
    original_type: str = "message/rfc822",
    preamble: str = "This is a MIME-encapsulated message.\n",
    crlf: bool = False,
    encoding: str = "utf-8",
) -> bytes:
    """An RFC 3464 (or RFC 6533 global) multipart/report: notice, status, returned message.

    ``dedent_human`` dedents the notice unless it is transfer-encoded (then it is sent as is).
    """
    head = dedent(headers).rstrip("\n")
    status = dedent(per_message).rstrip("\n") + "\n\n"
    status += "\n\n".join(dedent(block).rstrip("\n") for block in per_recipient) + "\n"
    cte = f"Content-Transfer-Encoding: {human_cte}\n" if human_cte else ""
    notice = dedent(human) if dedent_human and not human_cte else human
    body = (
        f"{head}\n"
        "MIME-Version: 1.0\n"
        f"Content-Type: multipart/report; report-type={report_type};\n"
        f'\tboundary="{boundary}"\n'
        "\n"
        f"{preamble}\n"
        f"--{boundary}\n"
        "Content-Description: Notification\n"
        f"Content-Type: {human_type}\n"
        f"{cte}"
        "\n"
        f"{notice}\n"
        f"--{boundary}\n"
        "Content-Description: Delivery report\n"
        f"Content-Type: {status_type}\n"
        "\n"
        f"{status}\n"
        f"--{boundary}\n"
        "Content-Description: Undelivered Message\n"
        f"Content-Type: {original_type}\n"
        "\n"
        f"{original}\n"
        f"--{boundary}--\n"
    )
    if crlf:
        body = body.replace("\n", "\r\n")
    return body.encode(encoding)


def daemon_headers(
    to_subject: str,
    *,
    sender: str = "MAILER-DAEMON@mx.example.net",
    name: str = "Mail Delivery System",
    message_id: str = "",
    extra: str = "",
) -> str:
    """The top headers of a mail system's notice to our bounce address (null reverse path)."""
    mid = message_id or f"<{zlib.crc32(to_subject.encode()) % 999999}.notice@mx.example.net>"
    lines = [
        "Return-Path: <>",
        f"From: {name} <{sender}>" if name else f"From: {sender}",
        f"To: {BOUNCES}",
        f"Subject: {to_subject}",
        "Date: Tue, 14 May 2024 09:01:00 +0000",
        f"Message-ID: {mid}",
    ]
    if extra:
        lines.append(dedent(extra).rstrip("\n"))
    return "\n".join(lines) + "\n"
