"""RFC 3464 delivery-status reports and their relatives, in shapes the parser has not seen.

Every message here is hand-written from RFC 3464 (delivery status notifications), RFC 3461 (the
SMTP DSN extension), RFC 6533 (internationalized DSNs), RFC 3463 (enhanced status codes),
RFC 2046 (MIME multipart syntax) and RFC 5322 (dates), plus general knowledge of Amazon SES
notifications; example domains and made-up local parts only.

Each case asserts the fields the RFCs leave no doubt about: the kind, the failed addresses (only
those whose Action is "failed"), Original-Recipient, Status, Action, Remote-MTA, the time of the
failure (Last-Attempt-Date, else the report's own Date) and the facts of the returned original
(Message-ID, X-Kwiga-School, X-Kwiga-Stream). A reason is a set of the docs/design.md taxonomy's
reasons that fit the evidence. Where a field is genuinely ambiguous a case accepts ``OneOf`` a few
values, or leaves the field out.
"""

# Reports keep their real long lines; the RFC 6533 cases carry non-ASCII addresses.
# ruff: noqa: E501

from __future__ import annotations

import base64
import json
import quopri
import textwrap
from datetime import UTC, datetime

import pytest

from suppression.dsn import Kind, parse_message
from suppression.taxonomy import BounceType, Reason

R = Reason
MU = frozenset({R.MAILBOX_UNKNOWN})
DU = frozenset({R.DOMAIN_UNKNOWN})
FULL = frozenset({R.MAILBOX_FULL})
BIG = frozenset({R.MESSAGE_TOO_LARGE})
BLOCKED = frozenset({R.SENDER_BLOCKED, R.REJECTED})
# "expired" (retries given up): server_unavailable, with dns_error and domain_unknown also fair.
EXPIRED = frozenset({R.SERVER_UNAVAILABLE, R.DNS_ERROR, R.DOMAIN_UNKNOWN})
COMPLAINT = frozenset({R.COMPLAINT})


class OneOf(tuple):
    """Any of these values is a right answer (the RFCs leave the field open)."""

    __slots__ = ()


# The report's own Date, the per-recipient Last-Attempt-Date and the per-message Arrival-Date
# of the default report.
BOUNCE_DATE = datetime(2025, 3, 3, 10, 0, 0, tzinfo=UTC)
LAST_ATTEMPT = datetime(2025, 3, 3, 9, 59, 30, tzinfo=UTC)
ARRIVAL = datetime(2025, 3, 3, 9, 58, 0, tzinfo=UTC)

ORIGINAL_ID = "lesson-5.42@kwiga.example"
ORIGINAL_FACTS = {
    "original_message_id": ORIGINAL_ID,
    "school": "school-17",
    "stream": "campaign",
}


def _d(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


BOUNCE_HEADERS = _d(
    """
    Return-Path: <>
    Received: by mta.example.net (Postfix) id 4F2A31C0B2; Mon, 03 Mar 2025 10:00:00 +0000 (UTC)
    Date: Mon, 03 Mar 2025 10:00:00 +0000 (UTC)
    From: MAILER-DAEMON@mta.example.net (Mail Delivery System)
    Subject: Undelivered Mail Returned to Sender
    To: bounces+42@kwiga.example
    Auto-Submitted: auto-replied
    Message-ID: <20250303100000.4F2A31C0B2@mta.example.net>
    """
)

HUMAN = _d(
    """
    This is the mail system at host mta.example.net.

    I'm sorry to have to inform you that your message could not
    be delivered to one or more recipients. It's attached below.

                       The mail system
    """
)

PER_MESSAGE = _d(
    """
    Reporting-MTA: dns; mta.example.net
    X-Postfix-Queue-ID: 4F2A31C0B2
    X-Postfix-Sender: rfc822; bounces+42@kwiga.example
    Arrival-Date: Mon, 03 Mar 2025 09:58:00 +0000 (UTC)
    """
)

ORIGINAL_HEADERS = _d(
    f"""
    Return-Path: <bounces+42@kwiga.example>
    Received: from app1.kwiga.example (app1.kwiga.example [192.0.2.10])
    \tby mta.example.net (Postfix) with ESMTPS id 4F2A31C0B2;
    \tMon, 03 Mar 2025 09:58:00 +0000 (UTC)
    From: Kwiga School <school@kwiga.example>
    To: Anna <anna@example.org>
    Subject: Lesson 5 is ready
    Date: Mon, 03 Mar 2025 09:57:59 +0000
    Message-ID: <{ORIGINAL_ID}>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8
    X-Kwiga-School: school-17
    X-Kwiga-Stream: campaign
    """
)
ORIGINAL = ORIGINAL_HEADERS + "\n\nHello! Your next lesson is ready. Open the course to continue.\n"


def rcpt(
    address: str,
    *,
    action: str = "failed",
    status: str = "5.1.1",
    remote: str = "mx.example.org",
    diag: str | None = None,
    last_attempt: str = "Mon, 03 Mar 2025 09:59:30 +0000 (UTC)",
    original: str = "",
    extra: str = "",
) -> str:
    """A per-recipient block in the usual order (RFC 3464 section 2.3)."""
    if diag is None:
        diag = f"smtp; 550 5.1.1 <{address}>: Recipient address rejected: User unknown in virtual mailbox table"
    lines = [f"Final-Recipient: rfc822; {address}"]
    if original:
        lines.append(f"Original-Recipient: rfc822;{original}")
    lines += [f"Action: {action}", f"Status: {status}"]
    if remote:
        lines.append(f"Remote-MTA: dns; {remote}")
    if diag:
        lines.append(f"Diagnostic-Code: {diag}")
    if last_attempt:
        lines.append(f"Last-Attempt-Date: {last_attempt}")
    if extra:
        lines.append(_d(extra))
    return "\n".join(lines)


def delivery_status(*blocks: str, per_message: str = PER_MESSAGE) -> str:
    head = [per_message] if per_message else []
    return "\n\n".join([*head, *(_d(b) for b in blocks)]) + "\n"


def report(
    *blocks: str,
    headers: str = BOUNCE_HEADERS,
    per_message: str = PER_MESSAGE,
    status_text: str | None = None,
    human: str = HUMAN,
    human_part: str | None = None,
    original: str | None = ORIGINAL,
    original_type: str = "message/rfc822",
    report_type: str = "delivery-status",
    ds_type: str = "message/delivery-status",
    ds_headers: str = "",
    ds_cte: str = "",
    boundary: str = "=_dsn_b0und4ry_1740996000",
    boundary_param: str | None = None,
    preamble: str = "This is a MIME-encapsulated message.\n",
    epilogue: str = "",
    extra_parts: tuple[str, ...] = (),
    crlf: bool = False,
    bare: bool = False,
) -> str | bytes:
    """An RFC 3464 multipart/report: notification, delivery-status, returned original.

    ``bare`` gives the report as text without its top-level headers' MIME lines, for nesting.
    """
    text = (
        status_text
        if status_text is not None
        else delivery_status(*blocks, per_message=per_message)
    )
    if ds_cte == "base64":
        text = base64.encodebytes(text.encode("utf-8")).decode("ascii")
    elif ds_cte == "quoted-printable":
        text = quopri.encodestring(text.encode("utf-8")).decode("ascii")
    ds_head = f"Content-Description: Delivery report\nContent-Type: {ds_type}\n"
    if ds_headers:
        ds_head += ds_headers.rstrip("\n") + "\n"
    if ds_cte:
        ds_head += f"Content-Transfer-Encoding: {ds_cte}\n"
    if human_part is None:
        human_part = (
            "Content-Description: Notification\n"
            "Content-Type: text/plain; charset=us-ascii\n\n"
            f"{human}\n"
        )
    parts = [human_part, f"{ds_head}\n{text}"]
    if original is not None:
        parts.append(
            f"Content-Description: Undelivered Message\nContent-Type: {original_type}\n\n{original}"
        )
    parts.extend(extra_parts)
    if boundary_param is None:
        boundary_param = f'"{boundary}"'
    rt = f" report-type={report_type};" if report_type else ""
    ctype = f"Content-Type: multipart/report;{rt}\n\tboundary={boundary_param}\n"
    body = preamble + "\n" if preamble else ""
    for part in parts:
        body += f"--{boundary}\n{part.rstrip(chr(10))}\n\n"
    body = body[:-1] + f"--{boundary}--\n" + epilogue
    out = f"MIME-Version: 1.0\n{ctype}\n{body}"
    if bare:
        return out
    out = headers.rstrip("\n") + "\n" + out
    if crlf:
        out = out.replace("\r\n", "\n").replace("\n", "\r\n")
        return out.encode("utf-8")
    return out.encode("utf-8")


def _std(address: str, **over) -> dict:
    """What the default block of ``rcpt`` says about ``address``."""
    fields = {
        "reason": MU,
        "type": BounceType.HARD,
        "status": "5.1.1",
        "action": "failed",
        "remote_mta": "mx.example.org",
        "original_recipient": "",
        "occurred_at": LAST_ATTEMPT,
    }
    fields.update(over)
    return fields


def case(raw: bytes, kind, recipients: dict[str, dict] | None = None, *, id: str, **top):
    return pytest.param(raw, kind, recipients, top, id=id)


# --------------------------------------------------------------------------------------------
# Multi-recipient reports: only the "failed" blocks are failures
# --------------------------------------------------------------------------------------------

MIXED_ACTIONS = report(
    rcpt("anna@example.org"),
    rcpt(
        "ben@example.org",
        action="delivered",
        status="2.0.0",
        diag="smtp; 250 2.0.0 Ok: queued as 9A8B7C6D5E",
    ),
    rcpt(
        "carla@example.net",
        action="delayed",
        status="4.4.1",
        remote="",
        diag="",
        extra="Will-Retry-Until: Fri, 07 Mar 2025 09:58:00 +0000 (UTC)",
    ),
    rcpt(
        "dmitro@example.com",
        action="relayed",
        status="2.0.0",
        remote="relay.example.com",
        diag="smtp; 250 2.0.0 Ok: queued as 1234ABCD (no DSN support)",
    ),
    rcpt("list@lists.example.org", action="expanded", status="2.0.0", remote="", diag=""),
    rcpt(
        "eva@example.com",
        status="5.2.2",
        remote="mx.example.com",
        diag="smtp; 552 5.2.2 <eva@example.com>: Mailbox full: quota exceeded",
    ),
)

TWO_FAILED = report(
    rcpt("anna@example.org"),
    rcpt(
        "bob@nosuchdomain.example",
        status="5.1.2",
        remote="",
        diag="X-Postfix; Host or domain name not found. Name service error for name=nosuchdomain.example type=MX: Host not found",
        last_attempt="Mon, 03 Mar 2025 09:59:45 +0000 (UTC)",
    ),
)

FAILED_AND_DELAYED = report(
    rcpt(
        "carla@example.net",
        action="delayed",
        status="4.4.7",
        remote="",
        diag="X-Postfix; delivery temporarily suspended: connect to mx.example.net[192.0.2.30]:25: Connection timed out",
    ),
    rcpt("anna@example.org"),
)

ONLY_DELAYED = report(
    rcpt(
        "carla@example.net",
        action="delayed",
        status="4.4.1",
        remote="mx.example.net",
        diag="X-Postfix; connect to mx.example.net[192.0.2.30]:25: Connection refused",
        extra="Will-Retry-Until: Fri, 07 Mar 2025 09:58:00 +0000 (UTC)",
    ),
    rcpt(
        "dana@example.net",
        action="delayed",
        status="4.2.2",
        remote="mx.example.net",
        diag="smtp; 452 4.2.2 Mailbox full, try again later",
    ),
    headers=BOUNCE_HEADERS.replace(
        "Undelivered Mail Returned to Sender", "Delayed Mail (still being retried)"
    ),
    human="This is the mail system at host mta.example.net.\n\n####################################################################\n# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n####################################################################\n",
    original=ORIGINAL_HEADERS + "\n",
    original_type="text/rfc822-headers",
)

ONLY_DELIVERED = report(
    rcpt(
        "anna@example.org",
        action="delivered",
        status="2.0.0",
        diag="smtp; 250 2.0.0 Ok: queued as 9A8B7C6D5E",
    ),
    headers=BOUNCE_HEADERS.replace(
        "Undelivered Mail Returned to Sender", "Successful Mail Delivery Report"
    ),
    human="This is the mail system at host mta.example.net.\n\nYour message was successfully delivered to the destination(s)\nlisted below.\n",
)

ONLY_RELAYED = report(
    rcpt(
        "anna@example.org",
        action="relayed",
        status="2.0.0",
        remote="relay.example.org",
        diag="smtp; 250 2.0.0 Ok: queued as 1234ABCD",
    ),
    headers=BOUNCE_HEADERS.replace(
        "Undelivered Mail Returned to Sender", "Successful Mail Delivery Report"
    ),
    human="This is the mail system at host mta.example.net.\n\nYour message was successfully relayed to the destination(s) listed below.\nNo further notifications will be sent.\n",
)

ONLY_EXPANDED = report(
    rcpt("team@example.org", action="expanded", status="2.0.0", remote="", diag=""),
    headers=BOUNCE_HEADERS.replace(
        "Undelivered Mail Returned to Sender", "Successful Mail Delivery Report"
    ),
    human="This is the mail system at host mta.example.net.\n\nYour message was expanded to the destination(s) listed below.\n",
)

DELIVERED_RELAYED_EXPANDED = report(
    rcpt("anna@example.org", action="delivered", status="2.0.0", diag="smtp; 250 2.0.0 Ok"),
    rcpt(
        "ben@example.com",
        action="relayed",
        status="2.0.0",
        remote="relay.example.com",
        diag="smtp; 250 Ok",
    ),
    rcpt("team@example.org", action="expanded", status="2.0.0", remote="", diag=""),
    headers=BOUNCE_HEADERS.replace(
        "Undelivered Mail Returned to Sender", "Successful Mail Delivery Report"
    ),
    human="Your message was delivered, relayed or expanded as listed below.\n",
)

DELAYED_AND_DELIVERED = report(
    rcpt("anna@example.org", action="delivered", status="2.0.0", diag="smtp; 250 2.0.0 Ok"),
    rcpt(
        "carla@example.net",
        action="delayed",
        status="4.4.1",
        remote="",
        diag="X-Postfix; connect to mx.example.net[192.0.2.30]:25: Connection refused",
    ),
    headers=BOUNCE_HEADERS.replace(
        "Undelivered Mail Returned to Sender", "Delayed Mail (still being retried)"
    ),
    human="THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE.\n",
)

MULTI_CASES = [
    case(
        MIXED_ACTIONS,
        Kind.FAILED,
        {
            "anna@example.org": _std("anna@example.org"),
            "eva@example.com": _std(
                "eva@example.com",
                reason=FULL,
                type=BounceType.SOFT,
                status="5.2.2",
                remote_mta="mx.example.com",
                smtp_code="552",
            ),
        },
        id="mixed-failed-delivered-delayed-relayed-expanded",
        **ORIGINAL_FACTS,
    ),
    case(
        TWO_FAILED,
        Kind.FAILED,
        {
            "anna@example.org": _std("anna@example.org"),
            "bob@nosuchdomain.example": _std(
                "bob@nosuchdomain.example",
                reason=DU,
                status="5.1.2",
                remote_mta="",
                occurred_at=datetime(2025, 3, 3, 9, 59, 45, tzinfo=UTC),
            ),
        },
        id="two-failed-each-own-status-remote-and-time",
    ),
    case(
        FAILED_AND_DELAYED,
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org")},
        id="failed-plus-delayed-returns-only-failed",
    ),
    case(ONLY_DELAYED, Kind.DELAYED, {}, id="only-delayed-is-delayed", **ORIGINAL_FACTS),
    case(ONLY_DELIVERED, Kind.DELIVERED, {}, id="only-delivered-is-delivered"),
    case(ONLY_RELAYED, Kind.DELIVERED, {}, id="only-relayed-is-delivered"),
    case(ONLY_EXPANDED, Kind.DELIVERED, {}, id="only-expanded-is-delivered"),
    case(
        DELIVERED_RELAYED_EXPANDED, Kind.DELIVERED, {}, id="delivered-relayed-expanded-is-delivered"
    ),
    case(
        DELAYED_AND_DELIVERED,
        OneOf((Kind.DELAYED, Kind.DELIVERED)),
        {},
        id="delayed-plus-delivered-is-no-failure",
    ),
]


# --------------------------------------------------------------------------------------------
# Field-level variants
# --------------------------------------------------------------------------------------------

LOWERCASE_FIELDS = report(
    status_text=_d(
        """
        reporting-mta: dns; mta.example.net
        arrival-date: Mon, 03 Mar 2025 09:58:00 +0000

        final-recipient: rfc822; anna@example.org
        original-recipient: rfc822; anna.old@example.org
        action: failed
        status: 5.1.1
        remote-mta: dns; mx.example.org
        diagnostic-code: smtp; 550 5.1.1 <anna@example.org>: Recipient address rejected: User unknown
        last-attempt-date: Mon, 03 Mar 2025 09:59:30 +0000
        """
    )
    + "\n"
)

UPPERCASE_FIELDS = report(
    status_text=_d(
        """
        REPORTING-MTA: DNS; mta.example.net
        ARRIVAL-DATE: Mon, 03 Mar 2025 09:58:00 +0000

        FINAL-RECIPIENT: RFC822; anna@example.org
        ACTION: FAILED
        STATUS: 5.1.1
        REMOTE-MTA: DNS; mx.example.org
        DIAGNOSTIC-CODE: SMTP; 550 5.1.1 USER UNKNOWN
        LAST-ATTEMPT-DATE: Mon, 03 Mar 2025 09:59:30 +0000
        """
    )
    + "\n"
)

EXTRA_WHITESPACE = report(
    status_text=(
        "Reporting-MTA:   dns;   mta.example.net   \n"
        "Arrival-Date:\tMon, 03 Mar 2025 09:58:00 +0000\n"
        "\n\n\n"
        "Final-Recipient :  rfc822 ;   anna@example.org   \n"
        "Action:\t\tfailed  \n"
        "Status:     5.1.1    \n"
        "Remote-MTA:  dns ;  mx.example.org  \n"
        "Diagnostic-Code:   smtp ;   550   5.1.1   <anna@example.org>:   User unknown   \n"
        "Last-Attempt-Date:   Mon,  03  Mar  2025  09:59:30  +0000  \n"
        "\n\n"
    )
)

FOLDED_DIAGNOSTIC = report(
    rcpt(
        "anna@example.org",
        diag=(
            "smtp; 550-5.1.1 The email account that you tried to reach does\n"
            "    not exist. Please try double-checking the recipient's email\n"
            "    address for typos or unnecessary spaces. For more information, go to\n"
            "\t https://support.example.org/mail/?p=NoSuchUser x12si345678abc.12 - gsmtp"
        ),
    )
)

DIAG_X_POSTFIX = report(
    rcpt(
        "bob@nosuchdomain.example",
        status="5.4.4",
        remote="",
        diag="X-Postfix; Host or domain name not found. Name service error for name=nosuchdomain.example type=AAAA: Host not found",
    )
)

DIAG_X_UNIX = report(
    rcpt(
        "anna@example.org",
        status="5.2.2",
        remote="",
        diag="X-Unix; maildrop: maildir over quota.",
    )
)

DIAG_X_LOCAL = report(
    rcpt(
        "anna@example.org",
        status="5.1.1",
        remote="",
        diag="x-local; 550 user unknown: no such mailbox here by that name",
    )
)

MISSING_ACTION = report(
    "Final-Recipient: rfc822; anna@example.org\n"
    "Status: 5.1.1\n"
    "Remote-MTA: dns; mx.example.org\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <anna@example.org>: User unknown\n"
    "Last-Attempt-Date: Mon, 03 Mar 2025 09:59:30 +0000\n"
)

FAILED_4XX_EXPIRED = report(
    rcpt(
        "carla@example.net",
        status="4.4.7",
        remote="mx.example.net",
        diag="X-Postfix; delivery temporarily suspended: connect to mx.example.net[192.0.2.30]:25: Connection timed out",
    ),
    headers=BOUNCE_HEADERS,
    human="This is the mail system at host mta.example.net.\n\nYour message could not be delivered for more than 5 day(s).\nIt will be returned to the sender.\n",
)

STATUS_COMMENT = report(
    rcpt(
        "anna@example.org",
        status="5.1.1 (bad destination mailbox address)",
        diag="smtp; 550 Requested action not taken: mailbox unavailable",
    )
)

STATUS_500_SPECIFIC_DIAG = report(
    rcpt(
        "anna@example.org",
        status="5.0.0",
        diag="smtp; 550 sorry, no mailbox here by that name",
    )
)

STATUS_500_QUOTA = report(
    rcpt(
        "anna@example.org",
        status="5.0.0",
        diag="smtp; 552 Requested mail action aborted: mailbox is over quota",
    )
)

STATUS_500_ENHANCED_IN_DIAG = report(
    rcpt(
        "anna@example.org",
        status="5.0.0",
        diag="smtp; 550 5.1.1 <anna@example.org>... User unknown",
    )
)

X_ACTUAL_RECIPIENT = report(
    rcpt(
        "info@example.org",
        original="info@example.org",
        extra="X-Actual-Recipient: rfc822; anna.person@mailhost.example.org",
    )
)

ORIGINAL_ONLY = report(
    "Original-Recipient: rfc822;anna@example.org\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "Remote-MTA: dns; mx.example.org\n"
    "Diagnostic-Code: smtp; 550 5.1.1 User unknown\n"
    "Last-Attempt-Date: Mon, 03 Mar 2025 09:59:30 +0000\n"
)

ORIGINAL_DIFFERS = report(rcpt("anna.new@example.net", original="Anna.Old@Example.ORG"))

UTF8_ESCAPED = report(
    "Final-Recipient: utf-8; j\\x{FC}rgen@example.de\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "Remote-MTA: dns; mx.example.de\n"
    "Diagnostic-Code: smtp; 550 5.1.1 mailbox unavailable: user unknown\n"
    "Last-Attempt-Date: Mon, 03 Mar 2025 09:59:30 +0000\n"
)

UTF8_ESCAPED_IDN = report(
    "Final-Recipient: utf-8; anna@b\\x{FC}cher.example\n"
    "Original-Recipient: utf-8; anna@b\\x{FC}cher.example\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "Remote-MTA: dns; mx.xn--bcher-kva.example\n"
    "Diagnostic-Code: smtp; 550 5.1.1 user unknown\n"
    "Last-Attempt-Date: Mon, 03 Mar 2025 09:59:30 +0000\n"
)

X400_AND_RFC822 = report(
    "Final-Recipient: x400; /C=US/ADMD= /PRMD=EXAMPLE/O=EXAMPLE/S=SMITH/G=JOHN/\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "Diagnostic-Code: x400; 1 (unable-to-transfer) 0 (unrecognised-ORName)\n",
    rcpt("anna@example.org"),
)

ANGLE_BRACKETS = report(
    rcpt(
        "<Anna@Example.ORG>",
        original="<anna@example.org>",
        diag="smtp; 550 5.1.1 <Anna@Example.ORG>: User unknown",
    )
)

DISPLAY_NAME_JUNK = report(
    'Final-Recipient: rfc822; "Student, Anna" <anna@example.org>\n'
    "Action: failed\n"
    "Status: 5.1.1\n"
    "Remote-MTA: dns; mx.example.org\n"
    "Diagnostic-Code: smtp; 550 5.1.1 User unknown\n"
    "Last-Attempt-Date: Mon, 03 Mar 2025 09:59:30 +0000\n",
    "Final-Recipient: RFC822; Ben Student <ben@example.org>\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "Remote-MTA: dns; mx.example.org\n"
    "Diagnostic-Code: smtp; 550 5.1.1 User unknown\n"
    "Last-Attempt-Date: Mon, 03 Mar 2025 09:59:30 +0000\n",
)

NO_ADDRESS_TYPE = report(
    "Final-Recipient: anna@example.org\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "Remote-MTA: mx.example.org\n"
    "Diagnostic-Code: 550 5.1.1 User unknown\n"
    "Last-Attempt-Date: Mon, 03 Mar 2025 09:59:30 +0000\n"
)

DUPLICATE_RECIPIENTS = report(
    rcpt("anna@example.org"),
    rcpt("Anna@Example.org"),
    rcpt("anna@example.org"),
)

EXCHANGE_FIELDS = report(
    "Final-recipient: RFC822; anna@example.org\n"
    "Action: failed\n"
    "Status: 5.1.10\n"
    "Remote-MTA: dns; am0pr01mb1234.eurprd01.prod.example.com\n"
    "X-Supplementary-Info: <am0pr01mb1234.eurprd01.prod.example.com #5.1.10 smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup>\n"
    "X-Display-Name: Anna Student\n",
    per_message="Reporting-MTA: dns; am0pr01mb1234.eurprd01.prod.example.com\nReceived-From-MTA: dns; app1.kwiga.example\nArrival-Date: Mon, 3 Mar 2025 09:58:00 +0000",
    original=ORIGINAL_HEADERS + "\n",
    original_type="text/rfc822-headers",
)

NO_PER_MESSAGE_BLOCK = report(rcpt("anna@example.org"), per_message="")

NOT_SEPARATED = report(
    status_text=_d(
        """
        Reporting-MTA: dns; mta.example.net
        Arrival-Date: Mon, 03 Mar 2025 09:58:00 +0000
        Final-Recipient: rfc822; anna@example.org
        Action: failed
        Status: 5.1.1
        Remote-MTA: dns; mx.example.org
        Diagnostic-Code: smtp; 550 5.1.1 User unknown
        Last-Attempt-Date: Mon, 03 Mar 2025 09:59:30 +0000
        """
    )
    + "\n"
)

FIELD_CASES = [
    case(
        NO_PER_MESSAGE_BLOCK,
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org")},
        id="no-per-message-block",
    ),
    case(
        NOT_SEPARATED,
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org")},
        id="per-message-and-recipient-fields-not-separated",
    ),
    case(
        LOWERCASE_FIELDS,
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org", original_recipient="anna.old@example.org")},
        id="lowercase-field-names",
    ),
    case(
        UPPERCASE_FIELDS,
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org")},
        id="uppercase-field-names-and-values",
    ),
    case(
        EXTRA_WHITESPACE,
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org", smtp_code="550")},
        id="extra-whitespace-everywhere",
    ),
    case(
        FOLDED_DIAGNOSTIC,
        Kind.FAILED,
        {
            "anna@example.org": _std(
                "anna@example.org",
                smtp_code="550",
                diagnostic_contains="tried to reach does not exist. Please try double-checking",
            )
        },
        id="folded-diagnostic-code",
    ),
    case(
        DIAG_X_POSTFIX,
        Kind.FAILED,
        {
            "bob@nosuchdomain.example": _std(
                "bob@nosuchdomain.example", reason=DU, status="5.4.4", remote_mta=""
            )
        },
        id="diagnostic-type-x-postfix",
    ),
    case(
        DIAG_X_UNIX,
        Kind.FAILED,
        {
            "anna@example.org": _std(
                "anna@example.org", reason=FULL, type=BounceType.SOFT, status="5.2.2", remote_mta=""
            )
        },
        id="diagnostic-type-x-unix",
    ),
    case(
        DIAG_X_LOCAL,
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org", remote_mta="", smtp_code="550")},
        id="diagnostic-type-x-local",
    ),
    case(
        MISSING_ACTION,
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org", action=OneOf(("failed", "")))},
        id="missing-action-with-5xx-status",
    ),
    case(
        FAILED_4XX_EXPIRED,
        Kind.FAILED,
        {
            "carla@example.net": _std(
                "carla@example.net",
                reason=EXPIRED,
                type=BounceType.SOFT,
                status="4.4.7",
                remote_mta="mx.example.net",
            )
        },
        id="action-failed-with-4xx-status-is-soft",
    ),
    case(
        STATUS_COMMENT,
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org", smtp_code="550")},
        id="status-with-trailing-comment",
    ),
    case(
        STATUS_500_SPECIFIC_DIAG,
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org", status="5.0.0", smtp_code="550")},
        id="status-5.0.0-with-no-such-mailbox-diagnostic",
    ),
    case(
        STATUS_500_QUOTA,
        Kind.FAILED,
        {
            "anna@example.org": _std(
                "anna@example.org",
                reason=FULL,
                type=BounceType.SOFT,
                status="5.0.0",
                smtp_code="552",
            )
        },
        id="status-5.0.0-with-over-quota-diagnostic",
    ),
    case(
        STATUS_500_ENHANCED_IN_DIAG,
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org", status=OneOf(("5.0.0", "5.1.1")))},
        id="status-5.0.0-with-5.1.1-in-diagnostic",
    ),
    case(
        X_ACTUAL_RECIPIENT,
        Kind.FAILED,
        {"info@example.org": _std("info@example.org")},
        id="x-actual-recipient-does-not-replace-final-recipient",
    ),
    case(
        ORIGINAL_ONLY,
        Kind.FAILED,
        {
            "anna@example.org": _std(
                "anna@example.org", original_recipient=OneOf(("", "anna@example.org"))
            )
        },
        id="original-recipient-without-final-recipient",
    ),
    case(
        ORIGINAL_DIFFERS,
        Kind.FAILED,
        {
            "anna.new@example.net": _std(
                "anna.new@example.net", original_recipient="anna.old@example.org"
            )
        },
        id="original-recipient-differs-from-final",
    ),
    case(
        UTF8_ESCAPED,
        Kind.FAILED,
        {"jürgen@example.de": _std("jürgen@example.de", remote_mta="mx.example.de")},
        id="rfc6533-utf8-type-escaped-local-part",
    ),
    case(
        UTF8_ESCAPED_IDN,
        Kind.FAILED,
        {
            "anna@xn--bcher-kva.example": _std(
                "anna@xn--bcher-kva.example", remote_mta="mx.xn--bcher-kva.example"
            )
        },
        id="rfc6533-utf8-type-escaped-idn-domain",
    ),
    case(
        X400_AND_RFC822,
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org")},
        id="x400-address-skipped-rfc822-kept",
    ),
    case(
        ANGLE_BRACKETS,
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org")},
        id="angle-brackets-and-case-in-final-recipient",
    ),
    case(
        DISPLAY_NAME_JUNK,
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org"), "ben@example.org": _std("ben@example.org")},
        id="display-name-junk-in-final-recipient",
    ),
    case(
        NO_ADDRESS_TYPE,
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org", remote_mta="mx.example.org")},
        id="final-recipient-without-address-type",
    ),
    case(
        DUPLICATE_RECIPIENTS,
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org")},
        id="duplicate-recipients-reported-once",
    ),
    case(
        EXCHANGE_FIELDS,
        Kind.FAILED,
        {
            "anna@example.org": _std(
                "anna@example.org",
                # IANA registers X.1.10 as "null MX" (RFC 7505), Exchange uses it for
                # RecipientNotFound (said in X-Supplementary-Info): both are fair.
                reason=frozenset({R.MAILBOX_UNKNOWN, R.DOMAIN_UNKNOWN}),
                status="5.1.10",
                remote_mta="am0pr01mb1234.eurprd01.prod.example.com",
                occurred_at=BOUNCE_DATE,
            )
        },
        id="exchange-style-status-5.1.10-without-diagnostic-code",
        **ORIGINAL_FACTS,
    ),
]


# --------------------------------------------------------------------------------------------
# Times
# --------------------------------------------------------------------------------------------


def _dated(
    last_attempt: str,
    *,
    date: str = "Mon, 03 Mar 2025 10:00:00 +0000 (UTC)",
    per_message: str = PER_MESSAGE,
) -> bytes:
    headers = BOUNCE_HEADERS.replace("Date: Mon, 03 Mar 2025 10:00:00 +0000 (UTC)", f"Date: {date}")
    return report(
        rcpt("anna@example.org", last_attempt=last_attempt),
        headers=headers,
        per_message=per_message,
    )


TIME_CASES = [
    case(
        _dated("Tue, 04 Mar 2025 08:15:30 +0200"),
        Kind.FAILED,
        {
            "anna@example.org": _std(
                "anna@example.org", occurred_at=datetime(2025, 3, 4, 6, 15, 30, tzinfo=UTC)
            )
        },
        id="last-attempt-date-with-offset",
    ),
    case(
        _dated(""),
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org", occurred_at=BOUNCE_DATE)},
        id="arrival-date-only-uses-the-reports-date",
    ),
    case(
        _dated("sometime last tuesday"),
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org", occurred_at=BOUNCE_DATE)},
        id="unreadable-last-attempt-date-falls-back",
    ),
    case(
        _dated("99/99/99 99:99", date="Blursday, 45 Smarch 20x5"),
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org", occurred_at=OneOf((None, ARRIVAL)))},
        id="unreadable-last-attempt-and-report-dates",
    ),
    case(
        _dated("Mon, 3 Mar 2025 04:59:30 EST"),
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org", occurred_at=LAST_ATTEMPT)},
        id="named-zone-est",
    ),
    case(
        _dated("Mon, 14 Jul 2025 02:59:30 PDT"),
        Kind.FAILED,
        {
            "anna@example.org": _std(
                "anna@example.org", occurred_at=datetime(2025, 7, 14, 9, 59, 30, tzinfo=UTC)
            )
        },
        id="named-zone-pdt",
    ),
    case(
        _dated("Mon, 3 Mar 2025 09:59:30 GMT"),
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org", occurred_at=LAST_ATTEMPT)},
        id="named-zone-gmt",
    ),
    case(
        _dated("Mon, 3 Mar 25 09:59:30 +0000"),
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org", occurred_at=LAST_ATTEMPT)},
        id="two-digit-year",
    ),
    case(
        _dated("3 Mar 2025 11:59 +0200"),
        Kind.FAILED,
        {
            "anna@example.org": _std(
                "anna@example.org", occurred_at=datetime(2025, 3, 3, 9, 59, tzinfo=UTC)
            )
        },
        id="no-weekday-no-seconds",
    ),
    case(
        _dated("Tue, 03 Mar 2099 09:59:30 +0000"),
        Kind.FAILED,
        {
            "anna@example.org": _std(
                "anna@example.org",
                occurred_at=OneOf((datetime(2099, 3, 3, 9, 59, 30, tzinfo=UTC), BOUNCE_DATE)),
            )
        },
        id="future-last-attempt-date",
    ),
    case(
        _dated("Fri, 31 Dec 9999 23:59:59 -1200"),
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org", occurred_at=OneOf((None, BOUNCE_DATE)))},
        id="year-9999-overflowing-utc",
    ),
]


# --------------------------------------------------------------------------------------------
# Report shapes
# --------------------------------------------------------------------------------------------

ONE = rcpt("anna@example.org")
ONE_EXPECTED = {"anna@example.org": _std("anna@example.org")}


def _nested_in_mixed(report_first: bool) -> bytes:
    inner = report(ONE, bare=True, boundary="=_inner_report_7")
    disclaimer = (
        "Content-Type: text/plain; charset=us-ascii\n\n"
        "This e-mail was scanned by the Example Corp mail gateway.\n"
    )
    parts = [inner, disclaimer] if report_first else [disclaimer, inner]
    body = "".join(f"--=_outer_mixed_7\n{p.rstrip(chr(10))}\n\n" for p in parts)
    body = body[:-1] + "--=_outer_mixed_7--\n"
    head = BOUNCE_HEADERS.replace("Mail Delivery System", "Microsoft Outlook").replace(
        "MAILER-DAEMON@mta.example.net", "postmaster@example.net"
    )
    return (
        f'{head}\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="=_outer_mixed_7"\n\n{body}'
    ).encode()


EXCHANGE_ALTERNATIVE = report(
    rcpt(
        "anna@example.org",
        status="5.1.10",
        diag="smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
    ),
    human_part=(
        'Content-Type: multipart/alternative; boundary="=_alt_9"\n\n'
        "--=_alt_9\nContent-Type: text/plain; charset=us-ascii\n\n"
        "Your message to anna@example.org couldn't be delivered.\n"
        "anna wasn't found at example.org.\n\n"
        "--=_alt_9\nContent-Type: text/html; charset=us-ascii\n\n"
        "<html><body><p>Your message to <b>anna@example.org</b> couldn't be delivered.</p></body></html>\n\n"
        "--=_alt_9--\n"
    ),
)

DS_BASE64 = report(ONE, ds_cte="base64")
DS_QP = report(
    rcpt(
        "anna@example.org",
        diag="smtp; 550 5.1.1 <anna@example.org>: Recipient address rejected: User unknown in virtual mailbox table; see https://help.example.org/?code=550&lang=en for more information about this error",
    ),
    ds_cte="quoted-printable",
)
REPORT_TYPE_MISSING = report(ONE, report_type="")
RFC822_HEADERS_ORIGINAL = report(
    ONE, original=ORIGINAL_HEADERS + "\n", original_type="text/rfc822-headers"
)
MESSAGE_RFC822_ORIGINAL = report(ONE)

GLOBAL_DS = report(
    "Final-Recipient: utf-8; jürgen@bücher.example\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "Remote-MTA: dns; mx.xn--bcher-kva.example\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <jürgen@bücher.example>: user unknown\n"
    "Last-Attempt-Date: Mon, 03 Mar 2025 09:59:30 +0000\n",
    report_type="global-delivery-status",
    ds_type="message/global-delivery-status",
    original=ORIGINAL_HEADERS.replace(
        "Subject: Lesson 5 is ready", "Subject: Урок 5 готовий"
    ).replace("To: Anna <anna@example.org>", "To: Jürgen <jürgen@bücher.example>")
    + "\n",
    original_type="message/global-headers",
)

GLOBAL_DS_CJK = report(
    "Final-Recipient: utf-8; 用户@例子.example\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "Remote-MTA: dns; mx.xn--fsqu00a.example\n"
    "Diagnostic-Code: smtp; 550 5.1.1 mailbox unavailable\n"
    "Last-Attempt-Date: Mon, 03 Mar 2025 09:59:30 +0000\n",
    report_type="global-delivery-status",
    ds_type="message/global-delivery-status",
    original=ORIGINAL.replace("To: Anna <anna@example.org>", "To: 用户@例子.example"),
    original_type="message/global",
)

GLOBAL_DS_ASCII_ADDR = report(
    ONE,
    report_type="global-delivery-status",
    ds_type="message/global-delivery-status",
    original=ORIGINAL_HEADERS + "\n",
    original_type="message/global-headers",
)

CRLF = report(ONE, crlf=True)
BOUNDARY_UNQUOTED = report(ONE, boundary="DSN_b0und-4ry.42", boundary_param="DSN_b0und-4ry.42")
BOUNDARY_SPACES = report(ONE, boundary="DSN boundary 42 x")
BOUNDARY_SPECIALS = report(ONE, boundary="=_(a+b,c/d:e?f)'_42")
PREAMBLE_EPILOGUE = report(
    ONE,
    preamble=(
        "This is a MIME-encapsulated message.\n"
        "If you can read this, your mail reader does not understand MIME;\n"
        "questions go to postmaster@mta.example.net.\n"
    ),
    epilogue="\nThis is the epilogue. It is to be ignored. Contact: help@mta.example.net\n",
)

_PNG = base64.encodebytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4).decode("ascii")
EXTRA_PARTS = report(
    ONE,
    extra_parts=(
        "Content-Type: image/png; name=logo.png\nContent-Transfer-Encoding: base64\nContent-Disposition: inline; filename=logo.png\n\n"
        + _PNG,
        "Content-Type: text/calendar; method=REQUEST; charset=utf-8\n\n"
        "BEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\n"
        "ORGANIZER;CN=Teacher:mailto:teacher@kwiga.example\n"
        "ATTENDEE;CN=Bob;RSVP=TRUE:mailto:bob@example.net\n"
        "SUMMARY:Live lesson\nDTSTART:20250310T100000Z\nEND:VEVENT\nEND:VCALENDAR\n",
        "Content-Type: application/pdf; name=invoice.pdf\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n").decode("ascii"),
    ),
)
DS_PART_ATTACHMENT = report(
    ONE,
    ds_headers='Content-Disposition: attachment; filename="details.txt"\nContent-Description: Delivery Status',
)


def _gateway_forward(notice: str) -> bytes:
    inner = report(ONE).decode()
    return (
        "Return-Path: <>\n"
        "Date: Mon, 03 Mar 2025 10:00:02 +0000\n"
        "From: Mail Gateway <postmaster@gw.kwiga.example>\n"
        "To: bounces+42@kwiga.example\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Message-ID: <gw-77@gw.kwiga.example>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="=_gw_77"\n'
        "\n"
        "--=_gw_77\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "\n"
        f"{notice}\n"
        "--=_gw_77\n"
        "Content-Type: message/rfc822\n"
        "Content-Disposition: attachment\n"
        "\n"
        f"{inner}\n"
        "--=_gw_77--\n"
    ).encode()


SHAPE_CASES = [
    case(
        _nested_in_mixed(True),
        Kind.FAILED,
        ONE_EXPECTED,
        id="report-nested-in-mixed-first",
        **ORIGINAL_FACTS,
    ),
    case(
        _nested_in_mixed(False),
        Kind.FAILED,
        ONE_EXPECTED,
        id="report-nested-in-mixed-after-notice",
        **ORIGINAL_FACTS,
    ),
    case(
        EXCHANGE_ALTERNATIVE,
        Kind.FAILED,
        {"anna@example.org": _std("anna@example.org", status="5.1.10", smtp_code="550")},
        id="exchange-alternative-human-part",
        **ORIGINAL_FACTS,
    ),
    case(DS_BASE64, Kind.FAILED, ONE_EXPECTED, id="delivery-status-base64", **ORIGINAL_FACTS),
    case(DS_QP, Kind.FAILED, ONE_EXPECTED, id="delivery-status-quoted-printable", **ORIGINAL_FACTS),
    case(
        REPORT_TYPE_MISSING, Kind.FAILED, ONE_EXPECTED, id="report-type-missing", **ORIGINAL_FACTS
    ),
    case(
        RFC822_HEADERS_ORIGINAL,
        Kind.FAILED,
        ONE_EXPECTED,
        id="original-as-text-rfc822-headers",
        **ORIGINAL_FACTS,
    ),
    case(
        MESSAGE_RFC822_ORIGINAL,
        Kind.FAILED,
        ONE_EXPECTED,
        id="original-as-message-rfc822",
        bounce_message_id="20250303100000.4F2A31C0B2@mta.example.net",
        **ORIGINAL_FACTS,
    ),
    case(
        GLOBAL_DS,
        Kind.FAILED,
        {
            "jürgen@xn--bcher-kva.example": _std(
                "jürgen@xn--bcher-kva.example", remote_mta="mx.xn--bcher-kva.example"
            )
        },
        id="rfc6533-global-delivery-status-utf8-address",
        **ORIGINAL_FACTS,
    ),
    case(
        GLOBAL_DS_CJK,
        Kind.FAILED,
        {
            "用户@xn--fsqu00a.example": _std(
                "用户@xn--fsqu00a.example", remote_mta="mx.xn--fsqu00a.example"
            )
        },
        id="rfc6533-global-delivery-status-cjk-address-message-global",
        **ORIGINAL_FACTS,
    ),
    case(
        GLOBAL_DS_ASCII_ADDR,
        Kind.FAILED,
        ONE_EXPECTED,
        id="rfc6533-global-headers-original",
        **ORIGINAL_FACTS,
    ),
    case(CRLF, Kind.FAILED, ONE_EXPECTED, id="crlf-line-endings", **ORIGINAL_FACTS),
    case(BOUNDARY_UNQUOTED, Kind.FAILED, ONE_EXPECTED, id="boundary-unquoted", **ORIGINAL_FACTS),
    case(
        BOUNDARY_SPACES,
        Kind.FAILED,
        ONE_EXPECTED,
        id="boundary-quoted-with-spaces",
        **ORIGINAL_FACTS,
    ),
    case(
        BOUNDARY_SPECIALS,
        Kind.FAILED,
        ONE_EXPECTED,
        id="boundary-quoted-with-specials",
        **ORIGINAL_FACTS,
    ),
    case(
        PREAMBLE_EPILOGUE,
        Kind.FAILED,
        ONE_EXPECTED,
        id="preamble-and-epilogue-with-addresses",
        **ORIGINAL_FACTS,
    ),
    case(
        EXTRA_PARTS,
        Kind.FAILED,
        ONE_EXPECTED,
        id="extra-image-calendar-pdf-parts",
        **ORIGINAL_FACTS,
    ),
    case(
        DS_PART_ATTACHMENT,
        Kind.FAILED,
        ONE_EXPECTED,
        id="delivery-status-as-named-attachment",
        **ORIGINAL_FACTS,
    ),
    case(
        _gateway_forward(""),
        Kind.FAILED,
        ONE_EXPECTED,
        id="gateway-wraps-dsn-with-empty-notice",
        bounce_message_id="gw-77@gw.kwiga.example",
        **ORIGINAL_FACTS,
    ),
    case(
        _gateway_forward(
            "This message was scanned by the Example mail gateway and released from quarantine.\n"
        ),
        Kind.FAILED,
        ONE_EXPECTED,
        id="gateway-wraps-dsn-with-banner-notice",
        **ORIGINAL_FACTS,
    ),
]


# --------------------------------------------------------------------------------------------
# Amazon SES notifications mailed as JSON (SNS e-mail and e-mail-json subscriptions)
# --------------------------------------------------------------------------------------------

_SES_MAIL = {
    "timestamp": "2025-03-03T09:57:59.000Z",
    "source": "school@kwiga.example",
    "sourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/kwiga.example",
    "sourceIp": "192.0.2.10",
    "sendingAccountId": "123456789012",
    "messageId": "0102018e00000000-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee-000000",
    "destination": ["anna@example.org", "ben@example.org"],
    "headersTruncated": False,
    "headers": [
        {"name": "From", "value": "Kwiga School <school@kwiga.example>"},
        {"name": "To", "value": "anna@example.org, ben@example.org"},
        {"name": "Subject", "value": "Lesson 5 is ready"},
        {"name": "Message-ID", "value": f"<{ORIGINAL_ID}>"},
        {"name": "X-Kwiga-School", "value": "school-17"},
        {"name": "X-Kwiga-Stream", "value": "campaign"},
    ],
    "commonHeaders": {
        "from": ["Kwiga School <school@kwiga.example>"],
        "to": ["anna@example.org", "ben@example.org"],
        "messageId": f"<{ORIGINAL_ID}>",
        "subject": "Lesson 5 is ready",
    },
}

SES_TS = datetime(2025, 3, 3, 10, 0, 5, tzinfo=UTC)


def _ses_bounce(
    recipients: list[dict],
    *,
    bounce_type: str = "Permanent",
    sub: str = "General",
    key: str = "notificationType",
    mail: dict | None = None,
) -> dict:
    return {
        key: "Bounce",
        "bounce": {
            "feedbackId": "0102018e00000001-11111111-2222-3333-4444-555555555555-000000",
            "bounceType": bounce_type,
            "bounceSubType": sub,
            "bouncedRecipients": recipients,
            "timestamp": "2025-03-03T10:00:05.000Z",
            "remoteMtaIp": "192.0.2.25",
            "reportingMTA": "dsn; a1-2.smtp-out.eu-west-1.amazonses.com",
        },
        "mail": mail if mail is not None else _SES_MAIL,
    }


def _ses_complaint(key: str = "notificationType") -> dict:
    return {
        key: "Complaint",
        "complaint": {
            "feedbackId": "0102018e00000002-11111111-2222-3333-4444-555555555555-000000",
            "complaintSubType": None,
            "complainedRecipients": [{"emailAddress": "anna@example.org"}],
            "timestamp": "2025-03-03T11:00:00.000Z",
            "userAgent": "Example-Mail-Feedback/2.0",
            "complaintFeedbackType": "abuse",
            "arrivalDate": "2025-03-03T10:58:00.000Z",
        },
        "mail": _SES_MAIL,
    }


_SES_DELIVERY = {
    "notificationType": "Delivery",
    "mail": _SES_MAIL,
    "delivery": {
        "timestamp": "2025-03-03T09:58:01.000Z",
        "processingTimeMillis": 2054,
        "recipients": ["anna@example.org"],
        "smtpResponse": "250 2.0.0 Ok: queued as 9A8B7C6D5E",
        "remoteMtaIp": "192.0.2.25",
        "reportingMTA": "a1-2.smtp-out.eu-west-1.amazonses.com",
    },
}

_SES_DELAY = {
    "eventType": "DeliveryDelay",
    "mail": _SES_MAIL,
    "deliveryDelay": {
        "timestamp": "2025-03-03T10:30:00.000Z",
        "delayType": "MailboxFull",
        "expirationTime": "2025-03-03T23:58:00.000Z",
        "delayedRecipients": [
            {
                "emailAddress": "anna@example.org",
                "status": "4.2.2",
                "diagnosticCode": "smtp; 452 4.2.2 Mailbox full",
            }
        ],
    },
}

_UNSUBSCRIBE = (
    "\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n"
    "https://sns.eu-west-1.amazonaws.com/unsubscribe.html?SubscriptionArn=arn:aws:sns:eu-west-1:123456789012:ses-events:00000000-1111-2222-3333-444444444444&Endpoint=bounces@kwiga.example\n\n"
    "Please do not reply directly to this email. If you have any questions or comments regarding this email, please contact us at https://aws.amazon.com/support\n"
)


def _sns_mail(body: str, *, cte: str = "7bit") -> bytes:
    if cte == "base64":
        body = base64.encodebytes(body.encode()).decode("ascii")
    return (
        "Return-Path: <0102018e-sns@eu-west-1.amazonses.com>\n"
        "Date: Mon, 3 Mar 2025 10:00:06 +0000\n"
        'From: "AWS Notifications" <no-reply@sns.amazonaws.com>\n'
        "To: bounces@kwiga.example\n"
        "Subject: AWS Notification Message\n"
        "Message-ID: <0102018e-sns-0000@eu-west-1.amazonses.com>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        f"Content-Transfer-Encoding: {cte}\n"
        "\n" + body
    ).encode()


def _sns_plain(data: dict, *, cte: str = "7bit") -> bytes:
    """SNS "email" subscription: the SES JSON as the body, then the unsubscribe footer."""
    return _sns_mail(json.dumps(data, separators=(",", ":")) + "\n" + _UNSUBSCRIBE, cte=cte)


def _sns_envelope(data: dict) -> bytes:
    """SNS "email-json" subscription: the SNS envelope with the SES JSON as a string."""
    envelope = {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": "arn:aws:sns:eu-west-1:123456789012:ses-events",
        "Message": json.dumps(data, separators=(",", ":")),
        "Timestamp": "2025-03-03T10:00:06.000Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
        "SigningCertURL": "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
        "UnsubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:eu-west-1:123456789012:ses-events:00000000-1111-2222-3333-444444444444",
    }
    # SNS writes its envelope as pretty JSON with " : " between names and values.
    return _sns_mail(json.dumps(envelope, indent=2).replace('": ', '" : ') + "\n")


_ANNA_551 = {
    "emailAddress": "anna@example.org",
    "action": "failed",
    "status": "5.1.1",
    "diagnosticCode": "smtp; 550 5.1.1 <anna@example.org>: Recipient address rejected: User unknown",
}
_BEN_FULL = {
    "emailAddress": "ben@example.org",
    "action": "failed",
    "status": "5.2.2",
    "diagnosticCode": "smtp; 552 5.2.2 Mailbox full",
}
_SES_ANNA = {
    "anna@example.org": {
        "reason": MU,
        "type": BounceType.HARD,
        "status": "5.1.1",
        "action": "failed",
        "smtp_code": "550",
        "occurred_at": SES_TS,
    }
}
_SES_BEN = {
    "ben@example.org": {
        "reason": FULL,
        "type": BounceType.SOFT,
        "status": "5.2.2",
        "action": "failed",
        "occurred_at": SES_TS,
    }
}
_SES_COMPLAINT = {
    "anna@example.org": {
        "reason": COMPLAINT,
        "type": BounceType.COMPLAINT,
        "occurred_at": datetime(2025, 3, 3, 11, 0, tzinfo=UTC),
    }
}
# Headers over SES's size limit are cut ("headersTruncated": true); commonHeaders still name the
# original's Message-ID.
_MAIL_TRUNCATED = {
    **_SES_MAIL,
    "headersTruncated": True,
    "headers": _SES_MAIL["headers"][:3],
}

ESP_CASES = [
    case(
        _sns_plain(_ses_bounce([_ANNA_551])),
        Kind.FAILED,
        _SES_ANNA,
        id="ses-bounce-permanent",
        **ORIGINAL_FACTS,
    ),
    case(
        _sns_plain(_ses_bounce([_ANNA_551, _BEN_FULL])),
        Kind.FAILED,
        {**_SES_ANNA, **_SES_BEN},
        id="ses-bounce-two-recipients",
        **ORIGINAL_FACTS,
    ),
    case(
        _sns_plain(_ses_bounce([_BEN_FULL], bounce_type="Transient", sub="MailboxFull")),
        Kind.FAILED,
        _SES_BEN,
        id="ses-bounce-transient-mailbox-full",
    ),
    case(
        _sns_plain(_ses_complaint()),
        Kind.COMPLAINT,
        _SES_COMPLAINT,
        id="ses-complaint",
        **ORIGINAL_FACTS,
    ),
    case(_sns_plain(_SES_DELIVERY), Kind.DELIVERED, {}, id="ses-delivery", **ORIGINAL_FACTS),
    case(
        _sns_envelope(_ses_bounce([_ANNA_551])),
        Kind.FAILED,
        _SES_ANNA,
        id="sns-envelope-bounce",
        **ORIGINAL_FACTS,
    ),
    case(
        _sns_envelope(_ses_complaint()),
        Kind.COMPLAINT,
        _SES_COMPLAINT,
        id="sns-envelope-complaint",
        **ORIGINAL_FACTS,
    ),
    case(_sns_envelope(_SES_DELIVERY), Kind.DELIVERED, {}, id="sns-envelope-delivery"),
    case(
        _sns_envelope(_ses_bounce([_ANNA_551], key="eventType")),
        Kind.FAILED,
        _SES_ANNA,
        id="ses-event-publishing-bounce",
        **ORIGINAL_FACTS,
    ),
    case(
        _sns_envelope(_ses_complaint(key="eventType")),
        Kind.COMPLAINT,
        _SES_COMPLAINT,
        id="ses-event-publishing-complaint",
    ),
    case(_sns_envelope(_SES_DELAY), Kind.DELAYED, {}, id="ses-event-publishing-delivery-delay"),
    case(
        _sns_plain(_ses_bounce([_ANNA_551]), cte="base64"),
        Kind.FAILED,
        _SES_ANNA,
        id="ses-bounce-base64-body",
        **ORIGINAL_FACTS,
    ),
    case(
        _sns_plain(_ses_bounce([_ANNA_551])),
        Kind.FAILED,
        {
            "anna@example.org": {
                **_SES_ANNA["anna@example.org"],
                "remote_mta": OneOf(("", "192.0.2.25")),
            }
        },
        id="ses-bounce-reporting-mta-is-not-the-remote-mta",
    ),
    case(
        _sns_plain(_ses_bounce([_ANNA_551], mail=_MAIL_TRUNCATED)),
        Kind.FAILED,
        _SES_ANNA,
        id="ses-bounce-message-id-from-common-headers",
        original_message_id=ORIGINAL_ID,
    ),
]


ALL_CASES = MULTI_CASES + FIELD_CASES + TIME_CASES + SHAPE_CASES + ESP_CASES


def _matches(expected, got) -> bool:
    if isinstance(expected, OneOf):
        return got in expected
    if isinstance(expected, frozenset):
        return got in expected
    return got == expected


@pytest.mark.parametrize(("raw", "kind", "recipients", "top"), ALL_CASES)
def test_dsn_variant(raw: bytes, kind, recipients: dict[str, dict] | None, top: dict) -> None:
    result = parse_message(raw)
    problems: list[str] = []
    if not _matches(kind, result.kind):
        problems.append(f"kind: expected {kind}, got {result.kind} ({result.detail})")
    for name, value in top.items():
        got = getattr(result, name)
        if not _matches(value, got):
            problems.append(f"{name}: expected {value!r}, got {got!r}")
    if recipients is not None:
        got_addresses = [r.recipient for r in result.recipients]
        if sorted(got_addresses) != sorted(recipients):
            problems.append(f"recipients: expected {sorted(recipients)}, got {got_addresses}")
        by_address = {r.recipient: r for r in result.recipients}
        for address, fields in recipients.items():
            r = by_address.get(address)
            if r is None:
                continue
            for name, value in fields.items():
                if name == "diagnostic_contains":
                    if value not in r.diagnostic:
                        problems.append(f"{address} diagnostic: {value!r} not in {r.diagnostic!r}")
                    continue
                got = getattr(r, name)
                if not _matches(value, got):
                    problems.append(
                        f"{address} {name}: expected {value!r}, got {got!r} (rule {r.rule!r})"
                    )
    assert not problems, "\n".join(problems)


def test_case_count() -> None:
    assert len(ALL_CASES) >= 60
