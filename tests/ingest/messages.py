"""Raw bounce messages as the platform's own mail servers receive them."""

from __future__ import annotations

from pathlib import Path

# Hand-written for this project: every test that needs a bounce runs on a bare clone.
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def kwiga_dsn(
    *,
    recipient: str = "Jane.Doe@Example.COM",
    original_recipient: str = "",
    school: str = "demo-school",
    stream: str = "campaign",
    message_id: str = "<20240304123450.4711@bounces.kwiga.com>",
    status: str = "5.1.1",
    reply: str = "550 5.1.1 <jane.doe@example.com>: Recipient address rejected: User unknown",
) -> bytes:
    """A Postfix DSN for a message the platform stamped with its X-Kwiga-* headers."""
    lines = [
        "Return-Path: <>",
        "Date: Mon,  4 Mar 2024 12:35:16 +0000 (UTC)",
        "From: MAILER-DAEMON@mx1.kwiga.com (Mail Delivery System)",
        "Subject: Undelivered Mail Returned to Sender",
        "To: bounces@kwiga.com",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        "Content-Type: multipart/report; report-type=delivery-status;",
        '\tboundary="4D8E21FB8E.1709555716/mx1.kwiga.com"',
        *([f"Message-Id: {message_id}"] if message_id else []),
        "",
        "This is a MIME-encapsulated message.",
        "",
        "--4D8E21FB8E.1709555716/mx1.kwiga.com",
        "Content-Description: Notification",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "This is the mail system at host mx1.kwiga.com.",
        "",
        "I'm sorry to have to inform you that your message could not",
        "be delivered to one or more recipients. It's attached below.",
        "",
        f"<{recipient}>: host mx.example.com[192.0.2.25] said: {reply}",
        "    (in reply to RCPT TO command)",
        "",
        "--4D8E21FB8E.1709555716/mx1.kwiga.com",
        "Content-Description: Delivery report",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mx1.kwiga.com",
        "X-Postfix-Queue-ID: 4D8E21FB8E",
        "Arrival-Date: Mon,  4 Mar 2024 12:34:50 +0000 (UTC)",
        "",
        f"Final-Recipient: rfc822; {recipient}",
        f"Original-Recipient: rfc822;{original_recipient or recipient}",
        "Action: failed",
        f"Status: {status}",
        "Remote-MTA: dns; mx.example.com",
        f"Diagnostic-Code: smtp; {reply}",
        "",
        "--4D8E21FB8E.1709555716/mx1.kwiga.com",
        "Content-Description: Undelivered Message Headers",
        "Content-Type: text/rfc822-headers",
        "",
        "Return-Path: <bounces@kwiga.com>",
        "From: Demo School <noreply@kwiga.com>",
        f"To: {original_recipient or recipient}",
        "Subject: Spring sale",
        "Message-ID: <campaign-42.jane@mail.kwiga.com>",
        f"X-Kwiga-School: {school}",
        f"X-Kwiga-Stream: {stream}",
        "",
        "--4D8E21FB8E.1709555716/mx1.kwiga.com--",
        "",
    ]
    return "\n".join(lines).encode()
