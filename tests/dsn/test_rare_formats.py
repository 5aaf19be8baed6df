"""Rare and unusual bounce formats: does the parser generalize to mail it has never seen?

A second probe next to ``test_synthetic_bounces.py``: less common MTAs, servers and gateways,
recipients in odd places (only in the Subject, only in the returned message, folded, split by
quoted-printable, IDN, upper case), multi-recipient text bounces with a different reason each,
non-failures in unusual shapes (delays in several languages, relayed/expanded DSNs, read receipts,
recall notices, challenge-response, moderation) and complaints in non-standard forms.

Every message is hand-written from general knowledge of how each product lays out its reports
(example domains, made-up local parts). Each case names the kind a careful reader would give the
message and, for failures and complaints, the exact failed address(es) and the docs/design.md reason(s)
that fit the evidence (a set where docs/design.md calls more than one fair).
"""

# Bounce texts keep their real long lines, fullwidth punctuation and non-Latin letters.
# ruff: noqa: E501, RUF001

from __future__ import annotations

import zlib

import pytest

from suppression.dsn import Kind, parse_message
from suppression.taxonomy import Reason
from tests.dsn._builders import (
    BOUNCES,
    SENDER,
    dsn,
)
from tests.dsn._builders import (
    dedent as _dedent,
)
from tests.dsn._builders import (
    headers_only as _headers_only,
)
from tests.dsn._builders import (
    mixed as _mixed,
)
from tests.dsn._builders import (
    original as _original,
)
from tests.dsn._builders import (
    subj as _subj,
)
from tests.dsn._builders import (
    text_message as _text,
)

R = Reason
MU = frozenset({R.MAILBOX_UNKNOWN})
DU = frozenset({R.DOMAIN_UNKNOWN})
BLOCKED = frozenset({R.SENDER_BLOCKED, R.REJECTED})
REJ = frozenset({R.REJECTED, R.SENDER_BLOCKED})
# filtered by a recipient-side rule: rejected, sender_blocked and mailbox_unknown all fair.
FILTERED = frozenset({R.REJECTED, R.SENDER_BLOCKED, R.MAILBOX_UNKNOWN})
FULL = frozenset({R.MAILBOX_FULL})
BIG = frozenset({R.MESSAGE_TOO_LARGE})
SPAM = frozenset({R.SPAM_FILTERED})
# a content/attachment policy: spam_filtered (contenterror) or rejected (policy), sender_blocked fair.
CONTENT_POLICY = frozenset({R.SPAM_FILTERED, R.REJECTED, R.SENDER_BLOCKED})
EXPIRED = frozenset({R.SERVER_UNAVAILABLE, R.DNS_ERROR, R.DOMAIN_UNKNOWN})
DNS = frozenset({R.DNS_ERROR, R.SERVER_UNAVAILABLE, R.DOMAIN_UNKNOWN})
# a mail routing loop (5.4.6): a network/routing error or a mailer error.
LOOP = frozenset({R.DNS_ERROR, R.SERVER_UNAVAILABLE, R.DOMAIN_UNKNOWN, R.REJECTED})
SUSPEND = frozenset({R.MAILBOX_UNKNOWN, R.MAILBOX_FULL})
COMPLAINT = frozenset({R.COMPLAINT})
REPUTATION = frozenset({R.SENDER_REPUTATION})
# "blocked"/"blacklisted" without saying whose list: either side of the line is fair.
EITHER_SIDE = frozenset({R.SENDER_BLOCKED, R.SENDER_REPUTATION, R.REJECTED})
DEFERRED_REPUTATION = frozenset({R.SENDER_REPUTATION, R.SERVER_UNAVAILABLE})

NON_FAILURE = frozenset({Kind.NOT_A_BOUNCE, Kind.AUTO_REPLY})
RECEIPT = frozenset({Kind.NOT_A_BOUNCE, Kind.DELIVERED, Kind.AUTO_REPLY})


def _dsn(**kw) -> bytes:
    """An RFC 3464 (or RFC 6533 global) multipart/report, its notice dedented."""
    return dsn(boundary="=_dsn_1718000000_r4re", dedent_human=True, **kw)


def _arf(
    feedback: str,
    original: str,
    *,
    frm: str,
    human: str,
    subject: str = "Abuse Report",
    original_type: str = "message/rfc822",
) -> bytes:
    """An RFC 5965 feedback report."""
    boundary = "----=_arf_boundary_7f3a"
    return (
        f"From: {frm}\n"
        "To: fbl@mail.example.org\n"
        f"Subject: {subject}\n"
        "Date: Tue, 14 May 2024 09:30:00 +0000\n"
        f"Message-ID: <fbl.{zlib.crc32(feedback.encode()) % 99999}@fbl.example.net>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=feedback-report;\n"
        f'\tboundary="{boundary}"\n'
        "\n"
        f"--{boundary}\n"
        'Content-Type: text/plain; charset="US-ASCII"\n'
        "Content-Transfer-Encoding: 7bit\n"
        "\n"
        f"{_dedent(human)}\n"
        f"--{boundary}\n"
        "Content-Type: message/feedback-report\n"
        "\n"
        f"{_dedent(feedback)}\n"
        f"--{boundary}\n"
        f"Content-Type: {original_type}\n"
        "\n"
        f"{original}\n"
        f"--{boundary}--\n"
    ).encode()


def _hdr(
    frm: str,
    subject: str,
    *,
    mid: str,
    date: str = "Tue, 14 May 2024 09:00:10 +0000",
    to: str = BOUNCES,
    extra: str = "",
) -> str:
    """A bounce's own header block (not indented, ready for _text/_mixed)."""
    lines = [
        "Return-Path: <>",
        f"From: {frm}",
        f"To: {to}",
        f"Subject: {subject}",
        f"Date: {date}",
        f"Message-ID: <{mid}>",
    ]
    if extra:
        lines.append(_dedent(extra).rstrip("\n"))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Groupware and mail servers: GroupWise, Notes, old Exchange, SmarterMail, CommuniGate, ...
# --------------------------------------------------------------------------------------------

GROUPWISE_LOCAL_NAME = _mixed(
    _hdr(
        "Postmaster <postmaster@gw.example.com>",
        "Message status - undeliverable",
        mid="664325A8.GWDOM.GWPO.200.2000012.1.ab12.1@gw.example.com",
        extra="X-Mailer: GroupWise Internet Agent 18.4.1",
    ),
    """
    The message that you sent was undeliverable to the following:
    \tlukas.brandt (user not found)

    Possibly truncated original message follows:
    """,
    _original("lukas.brandt@example.com"),
)

GROUPWISE_FULL = _text(
    _hdr(
        "Postmaster <postmaster@gw.example.net>",
        "Message status - undeliverable",
        mid="664325A9.GWNET.GWPO.200.2000013.1.cd34.1@gw.example.net",
        extra="X-Mailer: GroupWise Internet Agent 8.0.3",
    ),
    """
    The message that you sent was undeliverable to the following:
    \tmarta.keller@example.net (Mailbox is full)

    Possibly truncated original message follows:

    """,
    tail=_original("marta.keller@example.net"),
)

NOTES_NO_ROUTE = _text(
    _hdr(
        "Postmaster@notes.example.com",
        "DELIVERY FAILURE: Router: No route found to domain nordic.example.net from server MAIL01/Example",
        mid="OF1A2B3C4D.5E6F7A8B-ON00258B1F.00301234@notes.example.com",
        extra="X-Mailer: Lotus Domino Release 8.5.3FP6",
    ),
    """
    Your message

      Subject: Lesson 4 is ready

    was not delivered to:

      nina@nordic.example.net

    because:

      Router: No route found to domain nordic.example.net from server MAIL01/Example. Check Server, Connection and Domain documents in Domino Directory.
    """,
)

NOTES_QUOTA = _mixed(
    _hdr(
        "Postmaster@domino.example.org",
        "DELIVERY FAILURE: Mail database quota exceeded",
        mid="OF9F8E7D6C.5B4A3928-ON00258B1F.00305678@domino.example.org",
        extra="X-Mailer: Lotus Notes Release 7.0.2",
    ),
    """
    Your message

      Subject: Lesson 4 is ready

    was not delivered to:

      olaf.berg@example.org

    because:

      Unable to deliver to olaf.berg@example.org: the recipient's mail database has exceeded its size quota
    """,
    _original("olaf.berg@example.org"),
)

EXCHANGE55_IMS = _text(
    _hdr(
        "System Administrator <postmaster@mx.example.com>",
        "Undeliverable: Lesson 4 is ready",
        mid="C1A2B3C4D5E6F708@MX01.corp.example.com",
        extra="X-MS-Embedded-Report: \nContent-Class: urn:content-classes:dsn",
    ),
    """
    Your message

      To:      'olga.ivanova@example.com'
      Subject: Lesson 4 is ready
      Sent:    Tue, 14 May 2024 09:00:00 +0000

    did not reach the following recipient(s):

    olga.ivanova@example.com on Tue, 14 May 2024 09:00:06 +0000
        The recipient name is not recognized
    \tThe MTS-ID of the original message is: c=us;a= ;p=example;l=MX01-240514090006Z-1234
        MSEXCH:IMS:Example:Site:MX01 0 (000C05A6) Unknown Recipient
    """,
)

EXCHANGE2003_FULL = _text(
    _hdr(
        "System Administrator <postmaster@corp.example.net>",
        "Undeliverable: Lesson 4 is ready",
        mid="D5E6F7A8B9C0D1E2@EXCH2003.corp.example.net",
    ),
    """
    Your message

      To:      petra.lang@example.net
      Subject: Lesson 4 is ready
      Sent:    Tue, 14 May 2024 09:00:00 +0000

    did not reach the following recipient(s):

    petra.lang@example.net on 14.05.2024 09:00
                The recipient's mailbox is full and can't accept messages now.  Microsoft Exchange will not try to redeliver this message for you.  Please try resending this message later, or contact the recipient directly.
                <EXCH2003.corp.example.net #5.2.2>
    """,
)

EXCHANGE2010_HASH_QUOTA = _text(
    _hdr(
        "Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@corp.example.org>",
        "Undeliverable: Lesson 4 is ready",
        mid="1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d@EX01.corp.example.org",
        extra="Content-Class: urn:content-classes:dsn",
    ),
    """
    Delivery has failed to these recipients or groups:

    quirin.hahn@example.net
    The recipient's mailbox is full and can't accept messages now. Please try resending this message later, or contact the recipient directly.


    Diagnostic information for administrators:

    Generating server: EX01.corp.example.org

    quirin.hahn@example.net
    #< #5.2.2 smtp;552 5.2.2 Mailbox quota exceeded for this recipient> #SMTP#

    Original message headers:

    """,
    tail=_headers_only("quirin.hahn@example.net"),
)

EXCHANGE2010_HASH_UNKNOWN = _dsn(
    headers="""
        From: postmaster@corp.example.org
        To: bounces+1234@mail.example.org
        Date: Tue, 14 May 2024 09:00:12 +0000
        Subject: Undeliverable: Lesson 4 is ready
        Message-ID: <2b3c4d5e-6f70-4b8c-9d0e-1f2a3b4c5d6e@EX02.corp.example.org>
        Auto-Submitted: auto-replied
        """,
    human="""
        Delivery has failed to these recipients or groups:

        Rudi Roth
        A problem occurred during the delivery of this message to this e-mail address. Try sending this message again. If the problem continues, please contact your helpdesk.


        Diagnostic information for administrators:

        Generating server: EX02.corp.example.org

        Rudi Roth <rudi.roth@example.net>
        #< #5.0.0 smtp; 5.1.0 - Unknown address error 550-'5.1.1 <rudi.roth@example.net>: Recipient address rejected: User unknown in local recipient table' (delivery attempts: 0)> #SMTP#
        """,
    per_message="""
        Reporting-MTA: dns;EX02.corp.example.org
        Received-From-MTA: dns;app1.mail.example.org
        Arrival-Date: Tue, 14 May 2024 09:00:00 +0000
        """,
    per_recipient=[
        """
        Final-Recipient: rfc822;rudi.roth@example.net
        Action: failed
        Status: 5.0.0
        Diagnostic-Code: smtp; 5.1.0 - Unknown address error 550-'5.1.1 <rudi.roth@example.net>: Recipient address rejected: User unknown in local recipient table' (delivery attempts: 0)
        """
    ],
    original=_headers_only("rudi.roth@example.net", to_header="Rudi Roth <rudi.roth@example.net>"),
    original_type="text/rfc822-headers",
)

SMARTERMAIL_UNKNOWN = _text(
    _hdr(
        "postmaster@mail.example.com",
        "Undeliverable: Lesson 4 is ready",
        mid="smartermail-0a1b2c3d4e5f@mail.example.com",
        extra="X-SmarterMail-Spam: none",
    ),
    """
    Delivery failed for the following recipients:

    Failed Recipient: ruth.sommer@example.com
    Reason: Remote host said: 550 5.1.1 No such user here [RCPT_TO]

    Original message follows.

    """,
    tail=_headers_only("ruth.sommer@example.com"),
)

COMMUNIGATE_QUOTA = _text(
    _hdr(
        "MAILER-DAEMON@cgp.example.com",
        "Undeliverable mail: Failed to deliver to '<ulf.meier@example.com>'",
        mid="auto-000012345678@cgp.example.com",
        extra="X-Mailer: CommuniGate Pro MTA 6.3.12",
    ),
    """
    Failed to deliver to '<ulf.meier@example.com>'
    LOCAL module(account ulf.meier@example.com) reports:
     account is full (disk quota exceeded)

    """,
    tail=_headers_only("ulf.meier@example.com"),
)

MAILENABLE_NO_DOMAIN = _text(
    _hdr(
        "MAILER-DAEMON@mail.example.com",
        "Message Delivery Failure",
        mid="ME-A1B2C3D4E5F6@mail.example.com",
        extra="X-Mailer: MailEnable Messaging Services",
    ),
    """
    MailEnable: Message could not be delivered to some recipients.
    The following recipient(s) could not be reached:

    \tRecipient: [SMTP:sara@lost.example.net]
    \tReason: The message could not be delivered because the domain name (lost.example.net) does not appear to be registered.

    Message headers follow:

    """,
    tail=_headers_only("sara@lost.example.net"),
)

KERIO_REMOTE_UNKNOWN = _text(
    _hdr(
        '"Mail Delivery Subsystem" <postmaster@kerio.example.com>',
        "Undelivered mail: Lesson 4 is ready",
        mid="kerio-20240514090013.7701@kerio.example.com",
        extra="X-Mailer: Kerio Connect 10.0.2",
    ),
    """
    Your message did not reach some or all of the intended recipients.

       Sent: Tue, 14 May 2024 09:00:00 +0000
       Subject: Lesson 4 is ready

    The following recipient(s) could not be reached:

    tim.vogel@example.com
       Error Type: SMTP
       Remote server (198.51.100.7) issued an error.
       Kerio Connect sent: RCPT TO:<tim.vogel@example.com>
       Remote server replied: 550 5.1.1 <tim.vogel@example.com>: Recipient address rejected: User unknown in virtual mailbox table
    """,
)

AXIGEN_QUOTA = _text(
    _hdr(
        '"Axigen Delivery Agent" <MAILER-DAEMON@axigen.example.com>',
        "Delivery failure notification: Lesson 4 is ready",
        mid="axigen.0014.1715677214@axigen.example.com",
        extra="X-Mailer: Axigen",
    ),
    """
    This is an automatically generated message from the Axigen mail server.

    Your message could not be delivered to one or more recipients:

      <vera.popescu@example.com>: 552 5.2.2 Mailbox quota exceeded (over quota)

    The error above was returned by the mail server of the recipient. This is a permanent error.
    """,
)

MERAK_SPAM = _text(
    _hdr(
        "postmaster@merak.example.com",
        "Undeliverable mail",
        mid="merak-0015-1715677215@merak.example.com",
        extra="X-Mailer: Merak 9.4.2",
    ),
    """
    This message was created automatically by mail delivery software (Merak).

    Delivery to the following recipients failed permanently:

        walt.harris@example.org

    Reason: Remote SMTP Server Returned: 554 5.7.1 Message rejected as spam by content filter

    ----- Original message headers -----
    """,
    tail=_headers_only("walt.harris@example.org"),
)

MDAEMON_LOCAL_QUOTA = _text(
    _hdr(
        "MDaemon@mail.example.net",
        "Message Delivery Failure - mailbox full",
        mid="MDAEMON-F202405140900.AA0016md5001000023456@mail.example.net",
        extra="X-MDDSN-Message: Yes\nX-MDaemon-Deliver-To: " + BOUNCES,
    ),
    """
    The attached message was not delivered to the following local recipient
    because the recipient's mailbox has exceeded its storage quota:

        xena.kurz@example.net

    Mailbox quota: 500 MB, currently used: 500 MB.

    The message has been removed from the queue on this server.
    """,
)

ARGOSOFT_HOST = _text(
    _hdr(
        "postmaster@argo.example.com",
        "Message Delivery Failure",
        mid="ARGO-0017-1715677217@argo.example.com",
        extra="X-Mailer: ArGoSoft Mail Server Pro for WinNT/2000/XP, Version 1.8 (1.8.9.4)",
    ),
    """
    The following recipients did not receive this message:

    <yuri@gone.example.net>

    Please reply to postmaster@argo.example.com
    if you feel this message to be in error.

    Error message: Host not found: gone.example.net
    """,
)

MIRAPOINT_UNKNOWN = _text(
    _hdr(
        "Mail Administrator <Postmaster@mira.example.com>",
        "Mail System Error - Returned Mail",
        mid="200405140900.MIR18@mira.example.com",
    ),
    """
    This Message was undeliverable due to the following reason:

    Each of the following recipients was rejected by a remote mail server.
    The reasons given by the server are included to help you determine why
    each recipient was rejected.

        Recipient: <zane.fox@example.com>
        Reason:    5.1.1 <zane.fox@example.com>... User unknown

    Please reply to Postmaster@mira.example.com
    if you feel this message to be in error.
    """,
)

MIRAPOINT_QUEUE_PERIOD = _text(
    _hdr(
        "Mail Administrator <Postmaster@mira.example.com>",
        "Mail System Error - Returned Mail",
        mid="200405190900.MIR19@mira.example.com",
        date="Sun, 19 May 2024 09:00:19 +0000",
    ),
    """
    This Message was undeliverable due to the following reason:

    Your message was not delivered because the destination computer was
    not reachable within the allowed queue period. The amount of time
    a message is queued before it is returned depends on local configura-
    tion parameters.

    Most likely there is a network problem that prevented delivery, but
    it is also possible that the computer is turned off, or does not
    have a mail system running right now.

    Your message was not delivered within 5 days:
    Host mx.slow.example.net is not responding.

    The following recipients did not receive this message:

         <abel@slow.example.net>

    Please reply to Postmaster@mira.example.com
    if you feel this message to be in error.
    """,
)

_POSTFIX_INTRO = """\
This is the mail system at host mx1.mail.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system
"""


def _postfix_text(lines: str, to: str) -> bytes:
    """A Postfix bounce without a delivery-status part (notify_classes / old versions)."""
    return _text(
        _hdr(
            "MAILER-DAEMON@mx1.mail.example.org (Mail Delivery System)",
            "Undelivered Mail Returned to Sender",
            mid=f"20240514090020.{zlib.crc32(lines.encode()) % 99999:05X}@mx1.mail.example.org",
        ),
        _POSTFIX_INTRO + "\n" + _dedent(lines) + "\n",
        tail=_original(to),
        charset="us-ascii",
        cte="7bit",
    )


def _postfix_dsn(
    addr: str,
    status: str,
    diag: str,
    human: str,
    *,
    remote: str = "",
    action: str = "failed",
    subject: str = "Undelivered Mail Returned to Sender",
) -> bytes:
    block = f"Final-Recipient: rfc822; {addr}\nOriginal-Recipient: rfc822;{addr}\nAction: {action}\nStatus: {status}\n"
    if remote:
        block += f"Remote-MTA: dns; {remote}\n"
    if diag:
        block += f"Diagnostic-Code: {diag}\n"
    return _dsn(
        headers=f"""
            Return-Path: <>
            Date: Tue, 14 May 2024 09:00:21 +0000 (UTC)
            From: MAILER-DAEMON@mx1.mail.example.org (Mail Delivery System)
            Subject: {subject}
            To: {BOUNCES}
            Auto-Submitted: auto-replied
            Message-Id: <20240514090021.{zlib.crc32(diag.encode()) % 99999:05X}@mx1.mail.example.org>
            """,
        human=_POSTFIX_INTRO + "\n" + human + "\n",
        per_message="""
            Reporting-MTA: dns; mx1.mail.example.org
            X-Postfix-Queue-ID: 3F1A21C0B2
            X-Postfix-Sender: rfc822; bounces+1234@mail.example.org
            Arrival-Date: Tue, 14 May 2024 09:00:00 +0000 (UTC)
            """,
        per_recipient=[block],
        original=_headers_only(addr),
        original_type="text/rfc822-headers",
    )


CYRUS_LMTP_QUOTA = _postfix_text(
    """
    <abby.cole@example.org>: host imap.example.org[private/lmtp] said: 452 4.2.2
        Over quota SESSIONID=<imap-12345-1715677200-1-987654321> (in reply to RCPT
        TO command)
    """,
    "abby.cole@example.org",
)

DOVECOT_LDA_QUOTA = _postfix_dsn(
    "bert.lund@example.org",
    "5.3.0",
    "x-unix; Quota exceeded (mailbox for user is full)",
    "<bert.lund@example.org>: permission denied. Command output: Quota exceeded\n    (mailbox for user is full)",
)

DOVECOT_LMTP_UNKNOWN = _postfix_text(
    """
    <cora.baum@example.org>: host mail.example.org[private/dovecot-lmtp] said:
        550 5.1.1 <cora.baum@example.org> User doesn't exist: cora.baum@example.org
        (in reply to RCPT TO command)
    """,
    "cora.baum@example.org",
)

POSTFIX_LOOPS_BACK = _postfix_dsn(
    "dirk@loop.example.org",
    "5.4.6",
    "X-Postfix; mail for loop.example.org loops back to myself",
    "<dirk@loop.example.org>: mail for loop.example.org loops back to myself",
)

POSTFIX_VIRTUAL_FILE_TOO_LARGE = _postfix_dsn(
    "dina.roth@example.org",
    "5.2.2",
    "x-unix; cannot update mailbox /var/mail/vhosts/example.org/dina.roth for user dina.roth. error writing message: File too large",
    "<dina.roth@example.org>: cannot update mailbox\n    /var/mail/vhosts/example.org/dina.roth for user dina.roth. error writing\n    message: File too large",
)


def _qmail(body: str, *, host: str = "mx.example.com") -> bytes:
    intro = (
        f"Hi. This is the qmail-send program at {host}.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
    )
    returned = _original("placeholder@example.invalid").replace(
        "To: placeholder@example.invalid", "To: undisclosed-recipients:;"
    )
    return _text(
        _hdr(
            f"MAILER-DAEMON@{host}",
            "failure notice",
            mid=f"{zlib.crc32(body.encode()) % 9999999}.qmail@{host}",
        ),
        "",
        tail=intro
        + _dedent(body)
        + "\n--- Below this line is a copy of the message.\n\n"
        + returned,
        charset="us-ascii",
        cte="7bit",
        mime=False,
    )


QMAIL_LDAP_DISABLED = _qmail(
    """
    <emil.graf@example.com>:
    Mailaddress is administrativly disabled. (LDAP-ERROR #5.2.1)
    """
)

QMAIL_LDAP_QUOTA = _qmail(
    """
    <fenja@example.com>:
    The users mailbox is over the allowed quota (hard). (#5.2.2)
    """
)

VPOPMAIL_NO_MAILBOX = _qmail(
    """
    <gero.wolf@example.net>:
    Sorry, no mailbox here by that name. vpopmail (#5.1.1)
    """,
    host="mail.example.net",
)

COURIER_TEXT_FULL = _text(
    _hdr(
        "Courier mail server at mx.example.com <@>",
        "NOTICE: mail delivery status.",
        mid="courier.000F4240.66432600.0000ABCD@mx.example.com",
    ),
    """
    This is a delivery status notification from mx.example.com,
    running the Courier mail server, version 1.1.8.

    The original message was received on Tue, 14 May 2024 09:00:00 +0000
    from app1.mail.example.org [192.0.2.10]

    ---------------------------------------------------------------------------

                               UNDELIVERABLE MAIL

    Your message to the following recipients cannot be delivered:

    <egon.fuchs@example.net>:
        mx.example.net [198.51.100.3]:
    >>> RCPT TO:<egon.fuchs@example.net>
    <<< 552 5.2.2 <egon.fuchs@example.net>: mailbox is full

    ---------------------------------------------------------------------------

    If your message was also sent to additional recipients, their delivery
    status is not included in this report.  You may or may not receive
    other delivery status notifications for additional recipients.
    """,
)

OPENSMTPD_FULL = _text(
    _hdr(
        "Mailer Daemon <MAILER-DAEMON@smtpd.example.org>",
        "Delivery status notification: error",
        mid="a1b2c3d4e5f60718@smtpd.example.org",
    ),
    """
    Hi!

    This is the MAILER-DAEMON, please DO NOT REPLY to this email.

    An error has occurred while attempting to deliver a message for
    the following list of recipients:

    fritz.adler@example.net: 552 5.2.2 Mailbox full

    Below is a copy of the original message:

    """,
    tail=_original("fritz.adler@example.net"),
)

SENDMAIL_V5 = _text(
    _hdr(
        "Mail Delivery Subsystem <MAILER-DAEMON@old.example.org>",
        "Returned mail: User unknown",
        mid="9405140900.AA01234@old.example.org",
        extra="X-Mailer: sendmail 5.65/1.35",
    ),
    """
       ----- Transcript of session follows -----
    While talking to mx.example.org:
    >>> RCPT To:<gus@example.org>
    <<< 550 <gus@example.org>... User unknown
    550 gus@example.org... User unknown

       ----- Unsent message follows -----
    """,
    tail=_original("gus@example.org"),
    mime=False,
)

SENDMAIL_V8_OLD_HOST = _text(
    _hdr(
        "Mail Delivery Subsystem <MAILER-DAEMON@relay.example.org>",
        "Returned mail: Host unknown (Name server: nowhere.example.jp: host not found)",
        mid="199805140900.JAA01234@relay.example.org",
    ),
    """
    The original message was received at Tue, 14 May 2024 09:00:00 GMT
    from app1.mail.example.org [192.0.2.10]

       ----- The following addresses had permanent fatal errors -----
    hiro@nowhere.example.jp

       ----- Transcript of session follows -----
    550 hiro@nowhere.example.jp... Host unknown (Name server: nowhere.example.jp: host not found)

       ----- Original message follows -----
    """,
    tail=_original("hiro@nowhere.example.jp"),
    mime=False,
)

MDAEMON_AND_SERVER_CASES = [
    pytest.param(
        GROUPWISE_LOCAL_NAME,
        Kind.FAILED,
        {"lukas.brandt@example.com": MU},
        id="groupwise-local-name-user-not-found",
    ),
    pytest.param(
        GROUPWISE_FULL, Kind.FAILED, {"marta.keller@example.net": FULL}, id="groupwise-mailbox-full"
    ),
    pytest.param(
        NOTES_NO_ROUTE,
        Kind.FAILED,
        {"nina@nordic.example.net": DNS},
        id="notes-no-route-to-domain",
    ),
    pytest.param(
        NOTES_QUOTA, Kind.FAILED, {"olaf.berg@example.org": FULL}, id="notes-mail-database-quota"
    ),
    pytest.param(
        EXCHANGE55_IMS,
        Kind.FAILED,
        {"olga.ivanova@example.com": MU},
        id="exchange55-ims-unknown-recipient",
    ),
    pytest.param(
        EXCHANGE2003_FULL,
        Kind.FAILED,
        {"petra.lang@example.net": FULL},
        id="exchange2003-text-mailbox-full",
    ),
    pytest.param(
        EXCHANGE2010_HASH_QUOTA,
        Kind.FAILED,
        {"quirin.hahn@example.net": FULL},
        id="exchange2010-hash-smtp-quota",
    ),
    pytest.param(
        EXCHANGE2010_HASH_UNKNOWN,
        Kind.FAILED,
        {"rudi.roth@example.net": MU},
        id="exchange2010-hash-unknown-address-error",
    ),
    pytest.param(
        SMARTERMAIL_UNKNOWN,
        Kind.FAILED,
        {"ruth.sommer@example.com": MU},
        id="smartermail-failed-recipient",
    ),
    pytest.param(
        COMMUNIGATE_QUOTA,
        Kind.FAILED,
        {"ulf.meier@example.com": FULL},
        id="communigate-local-quota",
    ),
    pytest.param(
        MAILENABLE_NO_DOMAIN,
        Kind.FAILED,
        {"sara@lost.example.net": DU},
        id="mailenable-domain-not-registered",
    ),
    pytest.param(
        KERIO_REMOTE_UNKNOWN,
        Kind.FAILED,
        {"tim.vogel@example.com": MU},
        id="kerio-remote-replied-unknown",
    ),
    pytest.param(AXIGEN_QUOTA, Kind.FAILED, {"vera.popescu@example.com": FULL}, id="axigen-quota"),
    pytest.param(MERAK_SPAM, Kind.FAILED, {"walt.harris@example.org": SPAM}, id="merak-spam"),
    pytest.param(
        MDAEMON_LOCAL_QUOTA, Kind.FAILED, {"xena.kurz@example.net": FULL}, id="mdaemon-local-quota"
    ),
    pytest.param(
        ARGOSOFT_HOST, Kind.FAILED, {"yuri@gone.example.net": DU}, id="argosoft-host-not-found"
    ),
    pytest.param(
        MIRAPOINT_UNKNOWN, Kind.FAILED, {"zane.fox@example.com": MU}, id="mirapoint-user-unknown"
    ),
    pytest.param(
        MIRAPOINT_QUEUE_PERIOD,
        Kind.FAILED,
        {"abel@slow.example.net": EXPIRED},
        id="mirapoint-queue-period",
    ),
    pytest.param(
        CYRUS_LMTP_QUOTA,
        Kind.FAILED,
        {"abby.cole@example.org": FULL},
        id="cyrus-lmtp-over-quota-text",
    ),
    pytest.param(
        DOVECOT_LDA_QUOTA,
        Kind.FAILED,
        {"bert.lund@example.org": FULL},
        id="dovecot-lda-quota-5.3.0",
    ),
    pytest.param(
        DOVECOT_LMTP_UNKNOWN,
        Kind.FAILED,
        {"cora.baum@example.org": MU},
        id="dovecot-lmtp-user-doesnt-exist",
    ),
    pytest.param(
        POSTFIX_LOOPS_BACK,
        Kind.FAILED,
        {"dirk@loop.example.org": LOOP},
        id="postfix-loops-back-to-myself",
    ),
    pytest.param(
        POSTFIX_VIRTUAL_FILE_TOO_LARGE,
        Kind.FAILED,
        {"dina.roth@example.org": FULL},
        id="postfix-virtual-file-too-large-5.2.2",
    ),
    pytest.param(
        QMAIL_LDAP_DISABLED,
        Kind.FAILED,
        {"emil.graf@example.com": SUSPEND},
        id="qmail-ldap-disabled",
    ),
    pytest.param(
        QMAIL_LDAP_QUOTA, Kind.FAILED, {"fenja@example.com": FULL}, id="qmail-ldap-over-quota"
    ),
    pytest.param(
        VPOPMAIL_NO_MAILBOX, Kind.FAILED, {"gero.wolf@example.net": MU}, id="vpopmail-no-mailbox"
    ),
    pytest.param(
        COURIER_TEXT_FULL,
        Kind.FAILED,
        {"egon.fuchs@example.net": FULL},
        id="courier-text-mailbox-full",
    ),
    pytest.param(
        OPENSMTPD_FULL, Kind.FAILED, {"fritz.adler@example.net": FULL}, id="opensmtpd-mailbox-full"
    ),
    pytest.param(SENDMAIL_V5, Kind.FAILED, {"gus@example.org": MU}, id="sendmail-v5-transcript"),
    pytest.param(
        SENDMAIL_V8_OLD_HOST,
        Kind.FAILED,
        {"hiro@nowhere.example.jp": DU},
        id="sendmail-v8-old-host-unknown",
    ),
]

# --------------------------------------------------------------------------------------------
# Filtering gateways: Postini, MessageLabs, MXLogic, SurfControl, InterScan, FortiMail, ...
# --------------------------------------------------------------------------------------------

POSTINI_UBE = _text(
    _hdr(
        "Mail Delivery Subsystem <MAILER-DAEMON@psmtp.example.com>",
        "Delivery Status Notification (Failure)",
        mid="20240514090022.POSTINI.0022@psmtp.example.com",
    ),
    """
    This is an automatically generated Delivery Status Notification

    Delivery to the following recipient failed permanently:

         ivo.novak@example.com

    Technical details of permanent failure:
    Message rejected by the message security service: 550 5.7.1 Message content rejected, UBE, id=12345-02-3 (Postini)

    ----- Original message -----

    """,
    tail=_headers_only("ivo.novak@example.com"),
)

MESSAGELABS_BLACKLISTED = _qmail(
    """
    <jack.ryan@example.com>:
    198.51.100.22 does not like recipient.
    Remote host said: 553-Sorry, your email address has been blacklisted.
    553-Please contact the administrator of example.com
    553 to have your address removed.
    Giving up on 198.51.100.22.
    """,
    host="server-7.tower-21.messagelabs.example.com",
)

MXLOGIC_SPAM = _text(
    _hdr(
        "MAILER-DAEMON@mx1.mxlogic.example.net",
        "Undeliverable mail: Lesson 4 is ready",
        mid="mxl-0024-1715677224@mx1.mxlogic.example.net",
    ),
    """
    Delivery to the following recipients failed.

           kai.lehmann@example.com

    Reason: 550 5.7.1 Message rejected: content classified as spam [MXL:spam score 98]
    """,
)

SURFCONTROL_ATTACHMENT = _text(
    _hdr(
        "SurfControl E-mail Filter <postmaster@filter.example.com>",
        "Message blocked: Lesson 4 is ready",
        mid="SC-0025-1715677225@filter.example.com",
    ),
    """
    The message you sent to lena.schulz@example.com was blocked by SurfControl E-mail Filter.

    Subject: Lesson 4 is ready

    Reason: the message contained an attachment type that is not allowed by company policy
    (Rule: Block executable attachments).

    The message has not been delivered.
    """,
)

INTERSCAN_TRANSCRIPT = _text(
    _hdr(
        "InterScan MSS for SMTP <postmaster@gw.example.com>",
        "Mail could not be delivered",
        mid="IMSS-0026-1715677226@gw.example.com",
    ),
    """
    ******** This is a system generated message, please do not reply. ********

    The following message could not be delivered to its recipients.

    Sent <<< RCPT TO:<mia.kraus@example.com>
    Received >>> 550 5.1.1 <mia.kraus@example.com>... User unknown

    Unable to deliver message to <mia.kraus@example.com>.
    """,
)

FORTIMAIL_VIRUS = _text(
    _hdr(
        "postmaster@fortimail.example.com",
        "Message rejected: virus detected",
        mid="FM-0027-1715677227@fortimail.example.com",
    ),
    """
    Your message to <moritz.beck@example.com> was not delivered.

    The FortiMail unit detected a virus in the message:
      File name: invoice.pdf.exe
      Virus name: W32/Agent.XYZ!tr

    The message has been rejected.
    """,
)

IRONPORT_UNKNOWN = _dsn(
    headers="""
        From: Mail Delivery System <MAILER-DAEMON@esa1.example.com>
        To: bounces+1234@mail.example.org
        Subject: Delivery Status Notification (Failure)
        Date: Tue, 14 May 2024 09:00:28 +0000
        Message-Id: <ironport.0028@esa1.example.com>
        """,
    human="""
        The following message to <nico.weber@example.com> was undeliverable.
        The reason for the problem:
        5.1.0 - Unknown address error 550-'5.1.1 <nico.weber@example.com>: Recipient address rejected: User unknown'
        """,
    per_message="""
        Reporting-MTA: dns; esa1.example.com
        Arrival-Date: Tue, 14 May 2024 09:00:01 +0000
        """,
    per_recipient=[
        """
        Final-Recipient: rfc822; nico.weber@example.com
        Action: failed
        Status: 5.1.0
        Remote-MTA: dns; mx.example.com
        Diagnostic-Code: smtp; 5.1.0 - Unknown address error 550-'5.1.1 <nico.weber@example.com>: Recipient address rejected: User unknown' (delivery attempts: 0)
        """
    ],
    original=_headers_only("nico.weber@example.com"),
    original_type="text/rfc822-headers",
)

IRONPORT_EXPIRED = _dsn(
    headers="""
        From: Mail Delivery System <MAILER-DAEMON@esa2.example.com>
        To: bounces+1234@mail.example.org
        Subject: Delivery Status Notification (Failure)
        Date: Sun, 19 May 2024 09:00:29 +0000
        Message-Id: <ironport.0029@esa2.example.com>
        """,
    human="""
        The following message to <oskar@slow.example.com> was undeliverable.
        The reason for the problem:
        5.4.7 - Delivery expired (message too old) 'timeout'
        """,
    per_message="""
        Reporting-MTA: dns; esa2.example.com
        Arrival-Date: Tue, 14 May 2024 09:00:01 +0000
        """,
    per_recipient=[
        """
        Final-Recipient: rfc822; oskar@slow.example.com
        Action: failed
        Status: 5.4.7
        Diagnostic-Code: smtp; 5.4.7 - Delivery expired (message too old) 'timeout' (delivery attempts: 27)
        """
    ],
    original=_headers_only("oskar@slow.example.com"),
    original_type="text/rfc822-headers",
)

PUREMESSAGE_SIZE = _text(
    _hdr(
        "PureMessage <postmaster@pm.example.com>",
        "Message rejected: Lesson 4 is ready",
        mid="pm-0030-1715677230@pm.example.com",
    ),
    """
    Your message to otto.brandt@example.com was rejected by the PureMessage
    policy on pm.example.com.

    Reason: the message size (18432 KB) exceeds the maximum allowed message
    size of 10240 KB.

    The message has not been delivered.
    """,
)

PROOFPOINT_DMARC = _postfix_dsn(
    "pauline@example.net",
    "5.7.1",
    "smtp; 550 5.7.1 Email rejected per DMARC policy for mail.example.org",
    "<pauline@example.net>: host mx0a.pphosted.example.net[198.51.100.31] said: 550\n    5.7.1 Email rejected per DMARC policy for mail.example.org (in reply to end\n    of DATA command)",
    remote="mx0a.pphosted.example.net",
)

MIMECAST_BLOCKED_SENDERS = _text(
    _hdr(
        "postmaster@example.com",
        "Mimecast Notification: Undeliverable Message",
        mid="mimecast-0032-1715677232@example.com",
    ),
    """
    Your message couldn't be delivered to the recipient(s) shown below:

      pia.roth@example.com

    Reason: 550 Rejected by header based Blocked Senders - block policy for Blocked Senders - https://community.mimecast.example.com/docs/DOC-1369#550 [AbCdEfGh.uk11]

    The message was not delivered. Mimecast Email Security.
    """,
)

BARRACUDA_DSN = _dsn(
    headers="""
        From: MAILER-DAEMON@barracuda.example.com (Mail Delivery System)
        To: bounces+1234@mail.example.org
        Subject: Undelivered Mail Returned to Sender
        Date: Tue, 14 May 2024 09:00:33 +0000
        Message-Id: <20240514090033.BARR0033@barracuda.example.com>
        """,
    human="""
        This is the mail system at host barracuda.example.com.

        I'm sorry to have to inform you that your message could not
        be delivered to one or more recipients. It's attached below.

        <quinn.hart@example.com>: host mail.example.com[198.51.100.33] said: 550
            permanent failure for one or more recipients (quinn.hart@example.com:blocked)
            (in reply to end of DATA command)
        """,
    per_message="""
        Reporting-MTA: dns; barracuda.example.com
        Arrival-Date: Tue, 14 May 2024 09:00:01 +0000
        """,
    per_recipient=[
        """
        Final-Recipient: rfc822; quinn.hart@example.com
        Action: failed
        Status: 5.0.0
        Remote-MTA: dns; mail.example.com
        Diagnostic-Code: smtp; 550 permanent failure for one or more recipients (quinn.hart@example.com:blocked)
        """
    ],
    original=_headers_only("quinn.hart@example.com"),
    original_type="text/rfc822-headers",
)

GATEWAY_CASES = [
    pytest.param(POSTINI_UBE, Kind.FAILED, {"ivo.novak@example.com": SPAM}, id="postini-ube"),
    pytest.param(
        MESSAGELABS_BLACKLISTED,
        Kind.FAILED,
        {"jack.ryan@example.com": EITHER_SIDE},
        id="messagelabs-qmail-blacklisted",
    ),
    pytest.param(MXLOGIC_SPAM, Kind.FAILED, {"kai.lehmann@example.com": SPAM}, id="mxlogic-spam"),
    pytest.param(
        SURFCONTROL_ATTACHMENT,
        Kind.FAILED,
        {"lena.schulz@example.com": CONTENT_POLICY},
        id="surfcontrol-attachment-rule",
    ),
    pytest.param(
        INTERSCAN_TRANSCRIPT,
        Kind.FAILED,
        {"mia.kraus@example.com": MU},
        id="interscan-rcpt-transcript",
    ),
    pytest.param(
        FORTIMAIL_VIRUS, Kind.FAILED, {"moritz.beck@example.com": SPAM}, id="fortimail-virus"
    ),
    pytest.param(
        IRONPORT_UNKNOWN,
        Kind.FAILED,
        {"nico.weber@example.com": MU},
        id="ironport-unknown-address-error-5.1.0",
    ),
    pytest.param(
        IRONPORT_EXPIRED,
        Kind.FAILED,
        {"oskar@slow.example.com": EXPIRED},
        id="ironport-delivery-expired",
    ),
    pytest.param(
        PUREMESSAGE_SIZE, Kind.FAILED, {"otto.brandt@example.com": BIG}, id="puremessage-size-limit"
    ),
    pytest.param(
        PROOFPOINT_DMARC, Kind.FAILED, {"pauline@example.net": REPUTATION}, id="proofpoint-dmarc"
    ),
    pytest.param(
        MIMECAST_BLOCKED_SENDERS,
        Kind.FAILED,
        {"pia.roth@example.com": BLOCKED},
        id="mimecast-text-blocked-senders",
    ),
    pytest.param(
        BARRACUDA_DSN,
        Kind.FAILED,
        {"quinn.hart@example.com": CONTENT_POLICY},
        id="barracuda-dsn-blocked",
    ),
]

# --------------------------------------------------------------------------------------------
# Providers: Google Workspace/Groups, Yahoo Japan, Japanese carriers, Chinese, Korean, ESPs
# --------------------------------------------------------------------------------------------

GOOGLE_GROUPS_NO_PERMISSION = _text(
    _hdr(
        "Mail Delivery Subsystem <mailer-daemon@googlemail.example.com>",
        "Delivery Status Notification (Failure)",
        mid="5f0e1d2c.050a0220.0034.abcd@mx.google.example.com",
        extra="X-Failed-Recipients: teachers@groups.example.com\nAuto-Submitted: auto-replied",
    ),
    """
    ** Message blocked **

    Your message to teachers@groups.example.com has been blocked. See technical details below for more information.

    The response was:

    We're writing to let you know that the group you tried to contact (teachers) may not exist, or you may not have permission to post messages to the group. A few more details on why you weren't able to post:

     * You might have spelled or formatted the group name incorrectly.
     * The owner of the group may have removed this group.
     * You may need to join the group before receiving permission to post.
     * This group may not be open to posting.
    """,
)

GOOGLE_WORKSPACE_TIMEOUT = _text(
    _hdr(
        "Mail Delivery Subsystem <mailer-daemon@googlemail.example.com>",
        "Delivery Status Notification (Failure)",
        mid="6a1b2c3d.050a0220.0035.ef01@mx.google.example.com",
        date="Thu, 16 May 2024 09:00:35 +0000",
        extra="X-Failed-Recipients: sami.korhonen@slow.example.net\nAuto-Submitted: auto-replied",
    ),
    """
    ** Message not delivered **

    There was a problem delivering your message to sami.korhonen@slow.example.net. See the technical details below.

    The response was:

    The recipient server did not accept our requests to connect. Learn more at https://support.google.example.com/mail/answer/7720 [mx.slow.example.net. 198.51.100.5: timed out]
    """,
)

YAHOO_JAPAN_FULL = _text(
    _hdr(
        "MAILER-DAEMON@mail.yahoo.example.co.jp",
        "failure notice",
        mid="20240514180036.yj0036@mail.yahoo.example.co.jp",
        date="Tue, 14 May 2024 18:00:36 +0900",
    ),
    """
    Sorry, we were unable to deliver your message to the following address.

    <taro.yamada@yahoo.example.co.jp>:
    Mailbox is full: retry timeout exceeded. (#5.2.2)

    --- Below this line is a copy of the message.

    """,
    tail=_headers_only("taro.yamada@yahoo.example.co.jp"),
)

DOCOMO_SJIS_UNKNOWN = _text(
    _hdr(
        "Mail Delivery Subsystem <MAILER-DAEMON@docomo.example.ne.jp>",
        _subj("メール配信エラー", "iso-2022-jp"),
        mid="201405141800.dcm0037@docomo.example.ne.jp",
        date="Tue, 14 May 2024 18:00:37 +0900",
    ),
    """
    以下の宛先へのメール送信に失敗しました。

    宛先：ichiro.suzuki@docomo.example.ne.jp
    理由：宛先不明（存在しないメールアドレスです）

    ------ 元のメッセージ ------
    From: Kwiga School <news@mail.example.org>
    Subject: Lesson 4 is ready
    """,
    charset="shift_jis",
)

AU_RECEPTION_REFUSED = _text(
    _hdr(
        "MAILER-DAEMON@ezweb.example.ne.jp",
        _subj("メール送信エラー", "iso-2022-jp"),
        mid="201405141800.au0038@ezweb.example.ne.jp",
        date="Tue, 14 May 2024 18:00:38 +0900",
    ),
    """
    お客様が送信されたメールは、受信者の迷惑メールフィルター設定により受信拒否されました。

    宛先：kenji.sato@ezweb.example.ne.jp
    """,
    charset="iso-2022-jp",
    cte="7bit",
)

QQ_FULL = _text(
    _hdr(
        '"Mail Delivery System" <postmaster@qq.example.com>',
        _subj("退信通知：Lesson 4 is ready"),
        mid="qq-0039-1715677239@qq.example.com",
        date="Tue, 14 May 2024 17:00:39 +0800",
    ),
    """
    此邮件是由系统自动发出的，请不要直接回复。

    很抱歉，您发送的邮件被退回，以下是该邮件的相关信息：

        被退回的邮件主题：Lesson 4 is ready
        收件人地址：lulu.wang@qq.example.com
        退回原因：收件人的邮箱空间已满，无法接收新邮件。
    """,
    cte="base64",
)

NETEASE_GBK_UNKNOWN = _text(
    _hdr(
        "Postmaster <Postmaster@163.example.com>",
        _subj("系统退信", "gb2312"),
        mid="163-0040-1715677240@163.example.com",
        date="Tue, 14 May 2024 17:00:40 +0800",
    ),
    """
    您好！

    您发送的邮件未能成功投递到以下收件人：

        meimei.li@163.example.com

    退信原因：收件人不存在（用户名不存在或已被注销）。

    请检查收件人地址是否正确。
    """,
    charset="gbk",
    cte="base64",
)

NAVER_EUCKR_UNKNOWN = _text(
    _hdr(
        "MAILER-DAEMON@naver.example.com",
        _subj("메일 전송 실패 안내", "euc-kr"),
        mid="naver-0041-1715677241@naver.example.com",
        date="Tue, 14 May 2024 18:00:41 +0900",
    ),
    """
    보내신 메일이 다음 수신자에게 전송되지 못했습니다.

    받는 사람: minsu.kim@naver.example.com
    실패 사유: 받는 사람의 메일 주소가 존재하지 않습니다.

    메일 주소를 확인하신 후 다시 보내 주십시오.
    """,
    charset="euc-kr",
)

DAUM_FULL = _text(
    _hdr(
        "MAILER-DAEMON@daum.example.net",
        _subj("[메일 발송 실패] Lesson 4 is ready"),
        mid="daum-0042-1715677242@daum.example.net",
        date="Tue, 14 May 2024 18:00:42 +0900",
    ),
    """
    메일이 발송되지 않았습니다.

    수신자: jiwoo.park@daum.example.net
    실패 사유: 수신자의 메일함 용량이 초과되어 메일을 받을 수 없습니다.
    """,
    cte="quoted-printable",
)

SES_FULL_EMAIL = _dsn(
    headers="""
        From: MAILER-DAEMON@amazonses.example.com
        To: bounces+1234@mail.example.org
        Subject: Delivery Status Notification (Failure)
        Date: Tue, 14 May 2024 09:00:43 +0000
        Message-ID: <0100018f7a1b2c3d-0043@email.amazonses.example.com>
        X-SES-Outgoing: 2024.05.14-54.240.0.43
        """,
    human="""
        An error occurred while trying to deliver the mail to the following recipients:
        nora.weiss@example.com
        """,
    per_message="""
        Reporting-MTA: dns; a8-43.smtp-out.amazonses.example.com
        """,
    per_recipient=[
        """
        Final-Recipient: rfc822; nora.weiss@example.com
        Action: failed
        Status: 5.0.0
        Remote-MTA: dns; mx.example.com
        Diagnostic-Code: smtp; 552-5.2.2 The email account that you tried to reach is over quota and inactive.
        """
    ],
    original=_original("nora.weiss@example.com"),
)

MAILGUN_NOTICE = _text(
    _hdr(
        '"Mailgun" <notifications@mailgun.example.net>',
        "[Mailgun] Permanent failure for rhea.stone@example.com",
        mid="mg-notice-0044@mailgun.example.net",
        to="ops@mail.example.org",
    ),
    """
    A message sent through mg.mail.example.org could not be delivered.

    Recipient: rhea.stone@example.com
    Event: failed (permanent)
    Reason: bounce
    Delivery status: 550 5.1.1 The email account that you tried to reach does not exist.
    Message-Id: 20240514090000.1234@mail.example.org
    Sender: bounces+1234@mail.example.org
    """,
)

SENDGRID_FORWARDED = _text(
    _hdr(
        "SendGrid <no-reply@sendgrid.example.net>",
        "Bounce: Lesson 4 is ready",
        mid="sg-bounce-0045@sendgrid.example.net",
        to="ops@mail.example.org",
    ),
    """
    The following message bounced and was forwarded to you by your bounce forwarding setting.

    Email: sven.olsen@example.com
    Status: 5.2.2
    Reason: 552 5.2.2 <sven.olsen@example.com>: Mailbox full
    Type: bounce
    From: news@mail.example.org
    Subject: Lesson 4 is ready
    """,
)

POSTMARK_HARD = _text(
    _hdr(
        "Postmark <support@postmark.example.com>",
        "Hard bounce: Lesson 4 is ready",
        mid="pm-bounce-0046@postmark.example.com",
        to="ops@mail.example.org",
    ),
    """
    A message you sent to silke.hahn@example.com has bounced.

    Bounce type: HardBounce
    Description: The server was unable to deliver your message (ex: unknown user, mailbox not found).
    Details: smtp;550 5.1.1 The email account that you tried to reach does not exist.
    Sent from: news@mail.example.org
    """,
)

PROVIDER_CASES = [
    pytest.param(
        GOOGLE_GROUPS_NO_PERMISSION,
        Kind.FAILED,
        {"teachers@groups.example.com": FILTERED},
        id="google-groups-no-permission",
    ),
    pytest.param(
        GOOGLE_WORKSPACE_TIMEOUT,
        Kind.FAILED,
        {"sami.korhonen@slow.example.net": EXPIRED},
        id="google-workspace-conn-timeout",
    ),
    pytest.param(
        YAHOO_JAPAN_FULL,
        Kind.FAILED,
        {"taro.yamada@yahoo.example.co.jp": FULL},
        id="yahoo-japan-full",
    ),
    pytest.param(
        DOCOMO_SJIS_UNKNOWN,
        Kind.FAILED,
        {"ichiro.suzuki@docomo.example.ne.jp": MU},
        id="docomo-shiftjis-unknown",
    ),
    pytest.param(
        AU_RECEPTION_REFUSED,
        Kind.FAILED,
        {"kenji.sato@ezweb.example.ne.jp": FILTERED},
        id="au-jis-reception-refused",
    ),
    pytest.param(
        QQ_FULL, Kind.FAILED, {"lulu.wang@qq.example.com": FULL}, id="qq-chinese-b64-full"
    ),
    pytest.param(
        NETEASE_GBK_UNKNOWN,
        Kind.FAILED,
        {"meimei.li@163.example.com": MU},
        id="163-gbk-b64-unknown",
    ),
    pytest.param(
        NAVER_EUCKR_UNKNOWN,
        Kind.FAILED,
        {"minsu.kim@naver.example.com": MU},
        id="naver-euckr-unknown",
    ),
    pytest.param(
        DAUM_FULL,
        Kind.FAILED,
        {"jiwoo.park@daum.example.net": FULL},
        id="daum-korean-qp-full",
    ),
    pytest.param(
        SES_FULL_EMAIL,
        Kind.FAILED,
        {"nora.weiss@example.com": FULL},
        id="ses-bounce-email-over-quota-5.0.0",
    ),
    pytest.param(
        MAILGUN_NOTICE, Kind.FAILED, {"rhea.stone@example.com": MU}, id="mailgun-failure-notice"
    ),
    pytest.param(
        SENDGRID_FORWARDED,
        Kind.FAILED,
        {"sven.olsen@example.com": FULL},
        id="sendgrid-forwarded-bounce",
    ),
    pytest.param(
        POSTMARK_HARD,
        Kind.FAILED,
        {"silke.hahn@example.com": MU},
        id="postmark-hard-bounce",
    ),
]

# --------------------------------------------------------------------------------------------
# Odd recipient placement
# --------------------------------------------------------------------------------------------

SUBJECT_ONLY_NOTICE = _text(
    _hdr(
        "MAILER-DAEMON@mx.example.net",
        "failure notice for tara.berg@example.net",
        mid="fn-0050-1715677250@mx.example.net",
    ),
    f"""
    Your message from {SENDER} could not be delivered.

    The recipient's server said: 550 No such user here

    This is a permanent error.
    """,
)

SUBJECT_ONLY_FULL = _text(
    _hdr(
        "Mail Delivery System <postmaster@mx.example.com>",
        "Delivery failure to uwe.koch@example.com",
        mid="df-0051-1715677251@mx.example.com",
    ),
    """
    Delivery of your message failed permanently.

    Reason: 552 5.2.2 Mailbox quota exceeded

    No further attempts will be made.
    """,
)

ONLY_IN_ATTACHED_ORIGINAL = _mixed(
    _hdr(
        "Mail Delivery System <MAILER-DAEMON@gw.example.org>",
        "Returned mail",
        mid="rm-0052-1715677252@gw.example.org",
    ),
    """
    This message could not be delivered to one recipient.

    The remote server answered: 550 5.1.1 Recipient address rejected: User unknown

    The returned message is attached.
    """,
    _original("vera.lind@example.org"),
)

DISPLAY_NAME_ANGLE = _text(
    _hdr(
        "Mail Delivery Subsystem <MAILER-DAEMON@relay.example.com>",
        "Delivery Status Notification (Failure)",
        mid="dn-0053-1715677253@relay.example.com",
    ),
    """
    Delivery to the following recipient failed permanently:

        "Wendy Wu" <wendy.wu@example.com>

    Reason: 550 5.1.1 No such user
    """,
)

RCPT_TRANSCRIPT_ONLY = _text(
    _hdr(
        "Mail Delivery System <MAILER-DAEMON@out.example.org>",
        "Mail delivery failed",
        mid="rt-0054-1715677254@out.example.org",
    ),
    """
    The mail server reported the following error while delivering your message:

    >>> MAIL FROM:<bounces+1234@mail.example.org>
    <<< 250 2.1.0 Sender OK
    >>> RCPT TO:<xavi.ruiz@example.net>
    <<< 550 5.1.1 No such user here

    Your message was not delivered.
    """,
)

FOLDED_FINAL_RECIPIENT = _dsn(
    headers="""
        From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.com>
        To: bounces+1234@mail.example.org
        Subject: Returned mail: see transcript for details
        Date: Tue, 14 May 2024 09:00:55 +0000
        Message-Id: <202405140900.44E90tAb0055@mx.example.com>
        Auto-Submitted: auto-generated (failure)
        """,
    human="""
        The original message was received at Tue, 14 May 2024 09:00:00 GMT
        from app1.mail.example.org [192.0.2.10]

           ----- The following addresses had permanent fatal errors -----
        (reason: 550 5.1.1 User unknown)
        """,
    per_message="""
        Reporting-MTA: dns; mx.example.com
        Received-From-MTA: DNS; app1.mail.example.org
        Arrival-Date: Tue, 14 May 2024 09:00:00 GMT
        """,
    per_recipient=[
        """
        Original-Recipient: rfc822;
        \tyasmin.long-surname-for-testing@department.example.com
        Final-Recipient: RFC822;
        \tyasmin.long-surname-for-testing@department.example.com
        Action: failed
        Status: 5.1.1
        Remote-MTA: DNS; mx.department.example.com
        Diagnostic-Code: SMTP; 550 5.1.1
        \t<yasmin.long-surname-for-testing@department.example.com>... User unknown
        """
    ],
    original=_headers_only("yasmin.long-surname-for-testing@department.example.com"),
    original_type="text/rfc822-headers",
)

QP_SOFT_BREAK = (
    _hdr(
        "Mail Delivery System <MAILER-DAEMON@mx.example.com>",
        "Undeliverable message",
        mid="qp-0056-1715677256@mx.example.com",
    )
    + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n\n"
    "Your message could not be delivered to the following recipient: yolanda.vanden=\n"
    "berg@example.com =E2=80=94 the remote server said: 550 5.1.1 mailbox unkno=\n"
    "wn.\n\n"
    "This is a permanent error. Please check the address and try again.\n"
).encode("ascii")

PERCENT_HACK = _text(
    _hdr(
        "Mail Delivery Subsystem <MAILER-DAEMON@relay.example.com>",
        "Returned mail: User unknown",
        mid="ph-0057-1715677257@relay.example.com",
    ),
    """
       ----- The following addresses had permanent fatal errors -----
    <zack%example.net@relay.example.com>

       ----- Transcript of session follows -----
    550 5.1.1 <zack%example.net@relay.example.com>... User unknown

       ----- Original message follows -----
    """,
    tail=_original("zack%example.net@relay.example.com"),
)

IDN_GLOBAL_DSN = _dsn(
    headers="""
        From: MAILER-DAEMON@mx.xn--bcher-kva.example (Mail Delivery System)
        To: bounces+1234@mail.example.org
        Subject: Undelivered Mail Returned to Sender
        Date: Tue, 14 May 2024 09:00:58 +0000
        Message-Id: <20240514090058.IDN0058@mx.xn--bcher-kva.example>
        """,
    human="""
        This is the mail system at host mx.bücher.example.

        <anna@bücher.example>: unknown user: "anna"
        """,
    human_type="text/plain; charset=utf-8",
    per_message="""
        Reporting-MTA: dns; mx.bücher.example
        """,
    per_recipient=[
        """
        Final-Recipient: utf-8; anna@bücher.example
        Original-Recipient: utf-8; anna@bücher.example
        Action: failed
        Status: 5.1.1
        Diagnostic-Code: X-Postfix; unknown user: "anna"
        """
    ],
    original=_headers_only("anna@xn--bcher-kva.example"),
    report_type="global-delivery-status",
    status_type="message/global-delivery-status",
    original_type="message/global-headers",
)

IDN_TEXT_HOST_NOT_FOUND = _text(
    _hdr(
        "Mail Delivery System <Mailer-Daemon@mx.example.org>",
        "Mail delivery failed: returning message to sender",
        mid="E1s6pQt-0059Ab-4b@mx.example.org",
    ),
    """
    This message was created automatically by mail delivery software.

    A message that you sent could not be delivered to one or more of its
    recipients. This is a permanent error. The following address(es) failed:

      joerg@müller.example
        Unrouteable address: host müller.example not found (NXDOMAIN)
    """,
)

UPPERCASE_DSN = _postfix_dsn(
    "Carl.Meyer@Example.COM",
    "5.1.1",
    "smtp; 550 5.1.1 <Carl.Meyer@Example.COM>: Recipient address rejected: User unknown",
    "<Carl.Meyer@Example.COM>: host mx.example.com[198.51.100.60] said: 550 5.1.1\n    <Carl.Meyer@Example.COM>: Recipient address rejected: User unknown (in reply\n    to RCPT TO command)",
    remote="mx.example.com",
)

PLUS_TAG = _text(
    _hdr(
        "Mail Delivery System <MAILER-DAEMON@mx.example.org>",
        "Undeliverable: Lesson 4 is ready",
        mid="pt-0061-1715677261@mx.example.org",
    ),
    """
    Your message to dora+courses@example.org could not be delivered.

    dora+courses@example.org: 550 5.1.1 unknown or illegal alias: dora+courses@example.org
    """,
)

MULTI_POSTFIX_TEXT = _postfix_text(
    """
    <al.brandt@example.com>: host mx.example.com[198.51.100.1] said: 550 5.1.1
        <al.brandt@example.com>: Recipient address rejected: User unknown in
        virtual mailbox table (in reply to RCPT TO command)

    <bea.frank@example.net>: host mx.example.net[198.51.100.2] said: 552 5.2.2
        <bea.frank@example.net>: Mailbox full (in reply to RCPT TO command)

    <cem@nowhere.example.org>: Host or domain name not found. Name service error
        for name=nowhere.example.org type=MX: Host not found
    """,
    "al.brandt@example.com",
)

MULTI_QMAIL = _qmail(
    """
    <dan.fischer@example.com>:
    198.51.100.4 does not like recipient.
    Remote host said: 550 5.1.1 <dan.fischer@example.com>... User unknown
    Giving up on 198.51.100.4.

    <eva.gross@example.com>:
    198.51.100.4 does not like recipient.
    Remote host said: 552 5.2.2 <eva.gross@example.com>... Mailbox full
    Giving up on 198.51.100.4.

    <finn@nowhere.example.net>:
    Sorry, I couldn't find any host named nowhere.example.net. (#5.1.2)
    """,
    host="mx.mail.example.org",
)

MULTI_EXCHANGE2003 = _text(
    _hdr(
        "System Administrator <postmaster@corp.example.com>",
        "Undeliverable: Lesson 4 is ready",
        mid="E6F7A8B9C0D1E2F3@EXCH2003.corp.example.com",
    ),
    """
    Your message

      To:      gina.moser@example.com; hugo.baumann@example.com
      Subject: Lesson 4 is ready
      Sent:    Tue, 14 May 2024 09:00:00 +0000

    did not reach the following recipient(s):

    gina.moser@example.com on 14.05.2024 09:00
                The e-mail account does not exist at the organization this message was sent to.  Check the e-mail address, or contact the recipient directly to find out the correct address.
                <EXCH2003.corp.example.com #5.1.1>

    hugo.baumann@example.com on 14.05.2024 09:00
                The recipient's mailbox is full and can't accept messages now.  Microsoft Exchange will not try to redeliver this message for you.  Please try resending this message later, or contact the recipient directly.
                <EXCH2003.corp.example.com #5.2.2>
    """,
)

OWN_ADDRESSES_MENTIONED = _text(
    _hdr(
        "Mail Delivery System <MAILER-DAEMON@mx.example.net>",
        "Mail delivery failed",
        mid="oa-0065-1715677265@mx.example.net",
        extra="Cc: postmaster@mail.example.org\nReply-To: postmaster@example.net",
    ),
    f"""
    Hello {BOUNCES},

    We were unable to deliver your message (from {SENDER}, reply-to
    support@mail.example.org) to the following address:

        ilse.brun@example.net
        550 5.1.1 User unknown

    If you believe this is in error, contact postmaster@example.net or
    abuse@example.net. A copy of this notice was sent to postmaster@mail.example.org.

    ----- Original message headers -----
    From: Kwiga School <{SENDER}>
    Reply-To: support@mail.example.org
    To: ilse.brun@example.net
    Subject: Lesson 4 is ready
    """,
)

PLACEMENT_CASES = [
    pytest.param(
        SUBJECT_ONLY_NOTICE,
        Kind.FAILED,
        {"tara.berg@example.net": MU},
        id="subject-only-failure-notice-for",
    ),
    pytest.param(
        SUBJECT_ONLY_FULL,
        Kind.FAILED,
        {"uwe.koch@example.com": FULL},
        id="subject-only-delivery-failure-to",
    ),
    pytest.param(
        ONLY_IN_ATTACHED_ORIGINAL,
        Kind.FAILED,
        {"vera.lind@example.org": MU},
        id="only-in-attached-original-to",
    ),
    pytest.param(
        DISPLAY_NAME_ANGLE,
        Kind.FAILED,
        {"wendy.wu@example.com": MU},
        id="display-name-angle-brackets",
    ),
    pytest.param(
        RCPT_TRANSCRIPT_ONLY,
        Kind.FAILED,
        {"xavi.ruiz@example.net": MU},
        id="rcpt-to-transcript-only",
    ),
    pytest.param(
        FOLDED_FINAL_RECIPIENT,
        Kind.FAILED,
        {"yasmin.long-surname-for-testing@department.example.com": MU},
        id="dsn-folded-final-recipient",
    ),
    pytest.param(
        QP_SOFT_BREAK,
        Kind.FAILED,
        {"yolanda.vandenberg@example.com": MU},
        id="qp-soft-break-in-address",
    ),
    pytest.param(
        PERCENT_HACK,
        Kind.FAILED,
        {"zack%example.net@relay.example.com": MU},
        id="percent-hack-address",
    ),
    pytest.param(
        IDN_GLOBAL_DSN,
        Kind.FAILED,
        {"anna@xn--bcher-kva.example": MU},
        id="idn-global-delivery-status-utf8",
    ),
    pytest.param(
        IDN_TEXT_HOST_NOT_FOUND,
        Kind.FAILED,
        {"joerg@xn--mller-kva.example": DU},
        id="idn-text-host-not-found",
    ),
    pytest.param(
        UPPERCASE_DSN,
        Kind.FAILED,
        {"carl.meyer@example.com": MU},
        id="uppercase-address-normalized",
    ),
    pytest.param(PLUS_TAG, Kind.FAILED, {"dora+courses@example.org": MU}, id="plus-tag-address"),
    pytest.param(
        MULTI_POSTFIX_TEXT,
        Kind.FAILED,
        {"al.brandt@example.com": MU, "bea.frank@example.net": FULL, "cem@nowhere.example.org": DU},
        id="multi-postfix-text-three-reasons",
    ),
    pytest.param(
        MULTI_QMAIL,
        Kind.FAILED,
        {
            "dan.fischer@example.com": MU,
            "eva.gross@example.com": FULL,
            "finn@nowhere.example.net": DU,
        },
        id="multi-qmail-three-reasons",
    ),
    pytest.param(
        MULTI_EXCHANGE2003,
        Kind.FAILED,
        {"gina.moser@example.com": MU, "hugo.baumann@example.com": FULL},
        id="multi-exchange2003-two-reasons",
    ),
    pytest.param(
        OWN_ADDRESSES_MENTIONED,
        Kind.FAILED,
        {"ilse.brun@example.net": MU},
        id="own-sender-and-postmasters-not-recipients",
    ),
]

# --------------------------------------------------------------------------------------------
# Non-failures in unusual shapes
# --------------------------------------------------------------------------------------------

DELAY_JAPANESE = _text(
    _hdr(
        "MAILER-DAEMON@mx.example.jp",
        _subj("【警告】メール配信遅延のお知らせ"),
        mid="delay-0070-1715677270@mx.example.jp",
        date="Tue, 14 May 2024 22:00:10 +0900",
    ),
    """
    このメッセージはシステムから自動送信されています。

    次の宛先へのメール配信が遅延しています。

        宛先：yuki.tanaka@example.jp
        理由：相手先サーバーに接続できません (Connection timed out)

    配信は引き続き試行されます。このメッセージに返信したり、メールを再送したりする必要はありません。
    5日以内に配信できなかった場合は、改めてエラーメールでお知らせします。
    """,
)

DELAY_GERMAN = _text(
    _hdr(
        "Mail Delivery System <MAILER-DAEMON@mx.example.de>",
        _subj("Warnung: Zustellung verzögert"),
        mid="delay-0071-1715677271@mx.example.de",
        date="Tue, 14 May 2024 13:00:11 +0200",
    ),
    """
    Dies ist eine automatisch erstellte Benachrichtigung über den Zustellstatus.

    DIES IST NUR EINE WARNUNG. SIE MÜSSEN DIE NACHRICHT NICHT ERNEUT SENDEN.

    Die Zustellung an folgende Empfänger wurde verzögert:

        jan.hoffmann@example.de

    Grund: 451 4.7.1 Greylisting in Aktion, bitte später erneut versuchen

    Der Server versucht weiterhin, die Nachricht zuzustellen. Falls die Zustellung
    innerhalb von 5 Tagen nicht gelingt, erhalten Sie eine weitere Benachrichtigung.
    """,
)

DELAY_RUSSIAN = _text(
    _hdr(
        "Mail Delivery System <MAILER-DAEMON@mx.example.ru>",
        _subj("Задержка доставки сообщения"),
        mid="delay-0072-1715677272@mx.example.ru",
        date="Tue, 14 May 2024 16:00:12 +0300",
    ),
    """
    Это автоматическое уведомление почтовой системы.

    Ваше сообщение до сих пор не доставлено следующим получателям:

        kirill.orlov@example.ru

    Причина: сервер получателя временно недоступен (421 4.7.0 Try again later)

    Это только предупреждение, повторно отправлять письмо не нужно.
    Попытки доставки будут продолжаться ещё 4 дня.
    """,
    cte="base64",
)

RELAYED_DSN = _postfix_dsn(
    "lars.holm@example.net",
    "2.0.0",
    "smtp; 250 2.0.0 Ok: queued as 4VdZ2y1bcd",
    "<lars.holm@example.net>: delivery via mx.example.net[198.51.100.70]:25: 250 2.0.0\n    Ok: queued as 4VdZ2y1bcd",
    remote="mx.example.net",
    action="relayed",
    subject="Successful Mail Delivery Report",
).replace(
    b"I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients. It's attached below.",
    b"Your message was successfully relayed to the following recipients,\nbut the requested delivery status notifications may not be generated\nby the destination.",
)

EXPANDED_DSN = _postfix_dsn(
    "teachers@lists.example.net",
    "2.0.0",
    "",
    "<teachers@lists.example.net>: alias expanded",
    action="expanded",
    subject="Successful Mail Delivery Report",
).replace(
    b"I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients. It's attached below.",
    b"Your message was successfully delivered to the destination(s)\nlisted below. If the message was delivered to mailbox you will\nreceive no further notifications. Otherwise you may still receive\nnotifications of mail delivery errors from other systems.",
)

OUTLOOK_READ_TEXT = _text(
    f"""
    From: Mona Keller <mona.keller@example.com>
    To: Kwiga School <{SENDER}>
    Subject: Read: Lesson 4 is ready
    Date: Tue, 14 May 2024 10:15:00 +0000
    Message-ID: <read.0075@example.com>
    Thread-Topic: Lesson 4 is ready
    """,
    """
    Your message

      To: Mona Keller
      Subject: Lesson 4 is ready
      Sent: Tuesday, May 14, 2024 9:00:00 AM (UTC+00:00) Coordinated Universal Time

    was read on Tuesday, May 14, 2024 10:15:00 AM (UTC+00:00) Coordinated Universal Time.
    """,
)

MDN_DELETED_UNREAD = _text(
    f"""
    From: Nils Dahl <nils.dahl@example.org>
    To: {SENDER}
    Subject: Not read: Lesson 4 is ready
    Date: Tue, 21 May 2024 10:16:00 +0000
    Message-ID: <notread.0076@example.org>
    """,
    """
    Your message

      To: Nils Dahl
      Subject: Lesson 4 is ready
      Sent: Tuesday, May 14, 2024 9:00:00 AM (UTC+00:00) Coordinated Universal Time

    was deleted without being read on Tuesday, May 21, 2024 10:16:00 AM (UTC+00:00) Coordinated Universal Time.
    """,
)

RECALL_REQUEST = _text(
    f"""
    From: Petra Lang <petra.lang@example.net>
    To: Kwiga School <{SENDER}>
    Subject: Recall: Question about lesson 4
    Date: Tue, 14 May 2024 11:00:00 +0000
    Message-ID: <recall.0077@example.net>
    Thread-Topic: Question about lesson 4
    Content-Class: urn:content-classes:recallmessage
    """,
    """
    Petra Lang would like to recall the message, "Question about lesson 4".
    """,
)

RECALL_FAILURE_REPORT = _text(
    _hdr(
        "Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@corp.example.org>",
        "Message Recall Failure: Lesson 4 is ready",
        mid="recallreport.0078@EX01.corp.example.org",
        to=SENDER,
    ),
    """
    Your message

      To: Otto Brandt
      Subject: Lesson 4 is ready
      Sent: 14.05.2024 09:00

    could not be recalled on 14.05.2024 11:05 because the recipient has already read it.
    """,
)

CHALLENGE_RESPONSE = _text(
    f"""
    From: "Quentin Roy" <quentin.roy@example.com>
    To: {SENDER}
    Subject: Re: Lesson 4 is ready [Verification Required]
    Date: Tue, 14 May 2024 09:01:00 +0000
    Message-ID: <cr.0079@challenge.example.com>
    """,
    """
    Hello,

    I apologize for this automatic reply to your email. To control spam, I now
    allow incoming messages only from senders I have approved beforehand.

    Please verify you are human by clicking the link below. After you complete
    the short form, your message will be delivered to my inbox:

      https://verify.challenge.example.com/v/8f3a2b1c

    Your message will not be delivered until you complete this verification.
    """,
)

MAILMAN_MODERATION = _text(
    f"""
    From: teachers-owner@lists.example.org
    To: {SENDER}
    Subject: Your message to Teachers awaits moderator approval
    Date: Tue, 14 May 2024 09:01:10 +0000
    Message-ID: <mailman.80.1715677270.1234.teachers@lists.example.org>
    Precedence: bulk
    X-List-Administrivia: yes
    """,
    """
    Your mail to 'Teachers' with the subject

        Lesson 4 is ready

    Is being held until the list moderator can review it for approval.

    The reason it is being held:

        Post by non-member to a members-only list

    Either the message will get posted to the list, or you will receive
    notification of the moderator's decision.  If you would like to cancel
    this posting, please visit the following URL:

        https://lists.example.org/mailman/confirm/teachers/0a1b2c3d4e5f
    """,
)

GOOGLE_GROUPS_PENDING = _text(
    f"""
    From: teachers+noreply@groups.example.com
    To: {SENDER}
    Subject: Your message is pending approval: Lesson 4 is ready
    Date: Tue, 14 May 2024 09:01:20 +0000
    Message-ID: <pending.0081@groups.example.com>
    """,
    """
    Your message to teachers@groups.example.com is pending approval. A group
    manager will review it and decide whether it is posted to the group.

    You will not receive another notification if it is approved or rejected.
    """,
)


def _ooo(frm: str, subject: str, body: str, *, charset: str = "utf-8") -> bytes:
    """An out-of-office reply without Auto-Submitted, X-Autoreply or Precedence headers."""
    return _text(
        f"""
        From: {frm}
        To: Kwiga School <{SENDER}>
        Subject: {_subj(subject, charset)}
        Date: Tue, 14 May 2024 09:02:00 +0000
        Message-ID: <ooo.{zlib.crc32(frm.encode()) % 99999}@example.net>
        In-Reply-To: <20240514090000.1@mail.example.org>
        """,
        body,
        charset=charset,
    )


OOO_CASES = [
    pytest.param(
        _ooo(
            "Giulia Rossi <giulia.rossi@example.it>",
            "Risposta automatica: Lesson 4 is ready",
            """
            Buongiorno,
            sono fuori ufficio fino al 27 maggio con accesso limitato alla posta.
            Per urgenze scrivere a segreteria@example.it.
            """,
        ),
        Kind.AUTO_REPLY,
        {},
        id="ooo-italian",
    ),
    pytest.param(
        _ooo(
            "Sanne de Vries <sanne@example.nl>",
            "Automatisch antwoord: Lesson 4 is ready",
            """
            Bedankt voor uw bericht. Ik ben afwezig tot en met 27 mei en heb
            beperkt toegang tot mijn e-mail.
            """,
        ),
        Kind.AUTO_REPLY,
        {},
        id="ooo-dutch",
    ),
    pytest.param(
        _ooo(
            "Tomasz Nowak <tomasz.nowak@example.pl>",
            "Odpowiedź automatyczna: Lesson 4 is ready",
            """
            Dzień dobry, jestem na urlopie do 27 maja. Odpowiem po powrocie.
            """,
        ),
        Kind.AUTO_REPLY,
        {},
        id="ooo-polish",
    ),
    pytest.param(
        _ooo(
            "Joao Silva <joao.silva@example.com.br>",
            "Resposta automática: Lesson 4 is ready",
            """
            Olá! Estou de férias até 27 de maio, com acesso limitado ao e-mail.
            """,
        ),
        Kind.AUTO_REPLY,
        {},
        id="ooo-portuguese",
    ),
    pytest.param(
        _ooo(
            "Оксана Коваль <oksana@example.com.ua>",
            "Автоматична відповідь: Lesson 4 is ready",
            """
            Добрий день! Я у відпустці до 27 травня. Відповім після повернення.
            """,
        ),
        Kind.AUTO_REPLY,
        {},
        id="ooo-ukrainian",
    ),
    pytest.param(
        _ooo(
            "Wang Fang <wang.fang@example.cn>",
            "自动回复: Lesson 4 is ready",
            """
            您好，我正在休假，5月27日返回。如有急事请联系 office@example.cn。
            """,
        ),
        Kind.AUTO_REPLY,
        {},
        id="ooo-chinese",
    ),
    pytest.param(
        _ooo(
            "Lee Jiyoung <jiyoung@example.kr>",
            "자동 회신: Lesson 4 is ready",
            """
            안녕하세요. 5월 27일까지 휴가 중입니다. 복귀 후 답변드리겠습니다.
            """,
        ),
        Kind.AUTO_REPLY,
        {},
        id="ooo-korean",
    ),
    pytest.param(
        _ooo(
            "Ayse Yilmaz <ayse@example.com.tr>",
            "Otomatik yanıt: Lesson 4 is ready",
            """
            Merhaba, 27 Mayıs tarihine kadar izindeyim. Döndüğümde yanıt vereceğim.
            """,
        ),
        Kind.AUTO_REPLY,
        {},
        id="ooo-turkish",
    ),
    pytest.param(
        _ooo(
            "Erik Lund <erik.lund@example.se>",
            "Automatiskt svar: Lesson 4 is ready",
            """
            Hej! Jag är på semester till och med 27 maj och läser inte min e-post.
            """,
        ),
        Kind.AUTO_REPLY,
        {},
        id="ooo-swedish",
    ),
    pytest.param(
        _ooo(
            "Jana Dvorakova <jana.d@example.cz>",
            "Automatická odpověď: Lesson 4 is ready",
            """
            Dobrý den, do 27. května jsem na dovolené. Odpovím po návratu.
            """,
        ),
        Kind.AUTO_REPLY,
        {},
        id="ooo-czech",
    ),
]

NON_FAILURE_CASES = [
    pytest.param(
        DELAY_JAPANESE,
        Kind.DELAYED,
        {},
        id="delay-japanese-text",
    ),
    pytest.param(DELAY_GERMAN, Kind.DELAYED, {}, id="delay-german-text"),
    pytest.param(DELAY_RUSSIAN, Kind.DELAYED, {}, id="delay-russian-b64"),
    pytest.param(RELAYED_DSN, Kind.DELIVERED, {}, id="relayed-to-non-dsn-aware"),
    pytest.param(EXPANDED_DSN, Kind.DELIVERED, {}, id="expanded-alias"),
    pytest.param(OUTLOOK_READ_TEXT, RECEIPT, {}, id="outlook-read-receipt-text"),
    pytest.param(MDN_DELETED_UNREAD, RECEIPT, {}, id="outlook-not-read-deleted"),
    pytest.param(RECALL_REQUEST, NON_FAILURE, {}, id="outlook-recall-request"),
    pytest.param(RECALL_FAILURE_REPORT, NON_FAILURE, {}, id="outlook-recall-failure-report"),
    pytest.param(CHALLENGE_RESPONSE, NON_FAILURE, {}, id="challenge-response-verify-human"),
    pytest.param(MAILMAN_MODERATION, NON_FAILURE, {}, id="mailman-awaits-moderator-approval"),
    pytest.param(GOOGLE_GROUPS_PENDING, NON_FAILURE, {}, id="google-groups-pending-approval"),
    *OOO_CASES,
]

# --------------------------------------------------------------------------------------------
# Complaints
# --------------------------------------------------------------------------------------------

ARF_YAHOO = _arf(
    """
    Feedback-Type: abuse
    User-Agent: Yahoo!-Mail-Feedback/2.0
    Version: 0.1
    Original-Mail-From: <bounces+1234@mail.example.org>
    Original-Rcpt-To: lotta.berg@yahoo.example.com
    Received-Date: Tue, 14 May 2024 09:00:02 +0000
    Reported-Domain: mail.example.org
    Authentication-Results: mta1000.mail.yahoo.example.com  from=mail.example.org; domainkeys=neutral (no sig);  from=mail.example.org; dkim=pass (ok)
    """,
    _original("lotta.berg@yahoo.example.com"),
    frm="feedback@arf.mail.yahoo.example.com",
    subject="FW: Lesson 4 is ready",
    human="""
    This is an email abuse report for an email message received from IP 192.0.2.10 on Tue, 14 May 2024 09:00:02 +0000.
    For more information about this format please see http://www.mipassoc.example.org/arf/.
    """,
)

ARF_AOL_UPPERCASE_TO = _arf(
    """
    Feedback-Type: abuse
    User-Agent: AOL SComp
    Version: 0.1
    Received-Date: Tue, 14 May 2024 09:00:03 +0000
    Source-IP: 192.0.2.10
    Reported-Domain: mail.example.org
    """,
    _original(
        "MAREK.Nowak@aol.example.com", to_header='"Marek Nowak" <MAREK.Nowak@aol.example.com>'
    ),
    frm="scomp@aol.example.net",
    subject="Email Feedback Report for IP 192.0.2.10",
    human="""
    This is an email abuse report for an email message received from IP 192.0.2.10 on Tue, 14 May 2024 09:00:03 +0000.
    """,
)

COMCAST_NON_ARF = _mixed(
    """
    From: Comcast Feedback Loop <feedbackloop@comcast.example.net>
    To: fbl@mail.example.org
    Subject: Comcast Spam Complaint
    Date: Tue, 14 May 2024 09:30:04 +0000
    Message-ID: <fbl.0092@comcast.example.net>
    """,
    """
    This is a Comcast customer complaint. A Comcast subscriber reported the
    attached message as spam (clicked "This is spam").

    Sending IP: 192.0.2.10
    Please remove the subscriber from your mailing list.
    """,
    _original("nils.berg@comcast.example.net"),
)

JMRP_HMXMR = _arf(
    """
    Feedback-Type: abuse
    User-Agent: Hotmail FBL
    Version: 0.1
    Received-Date: Tue, 14 May 2024 09:00:05 +0000
    Source-IP: 192.0.2.10
    Original-Mail-From: <bounces+1234@mail.example.org>
    """,
    _original("undisclosed@invalid", to_header="undisclosed-recipients:;").replace(
        "X-Kwiga-School: 1234\n",
        "X-Kwiga-School: 1234\nX-HmXmrOriginalRecipient: <olivia.grant@hotmail.example.com>\n",
    ),
    frm="staff@hotmail.example.com",
    subject="complaint about message from 192.0.2.10",
    human="""
    This is an email abuse report for an email message received from IP 192.0.2.10 on Tue, 14 May 2024 09:00:05 +0000.
    """,
)

ARF_REDACTED = _arf(
    """
    Feedback-Type: abuse
    User-Agent: ExampleFBL/3.1
    Version: 1
    Original-Mail-From: <bounces+1234@mail.example.org>
    Arrival-Date: Tue, 14 May 2024 09:00:06 +0000
    Source-IP: 192.0.2.10
    Reported-Domain: mail.example.org
    """,
    _original("redacted@invalid", to_header="[redacted]"),
    frm="fbl@isp.example.net",
    human="""
    A user of our service reported the attached message as spam. The recipient
    address has been redacted for privacy.
    """,
)

SES_COMPLAINT = _arf(
    """
    Feedback-Type: abuse
    User-Agent: Amazon SES Feedback Forwarding
    Version: 1
    Original-Mail-From: <bounces+1234@mail.example.org>
    Original-Rcpt-To: <petra.vogt@example.net>
    Arrival-Date: Tue, 14 May 2024 09:00:07 +0000
    Reported-Domain: mail.example.org
    """,
    _headers_only("petra.vogt@example.net"),
    frm="complaints@email-abuse.amazonses.example.com",
    subject="Complaint: Lesson 4 is ready",
    human="""
    A recipient of a message you sent through Amazon SES marked it as spam.
    """,
    original_type="text/rfc822-headers",
)

ARF_AUTH_FAILURE = _arf(
    """
    Feedback-Type: auth-failure
    User-Agent: ExampleDMARC/1.0
    Version: 1
    Original-Mail-From: <bounces+1234@mail.example.org>
    Original-Rcpt-To: <rolf.engel@example.com>
    Arrival-Date: Tue, 14 May 2024 09:00:08 +0000
    Source-IP: 203.0.113.99
    Reported-Domain: mail.example.org
    Auth-Failure: dmarc
    Authentication-Results: mx.example.com; dmarc=fail (p=reject) header.from=mail.example.org
    Identity-Alignment: dkim, spf
    """,
    _headers_only("rolf.engel@example.com"),
    frm="dmarc-forensic@example.com",
    subject="DMARC failure report for mail.example.org",
    human="""
    This is an authentication failure report (RFC 6591) for an email message
    claiming to be from mail.example.org that failed DMARC evaluation.
    """,
    original_type="text/rfc822-headers",
)

COMPLAINT_CASES = [
    pytest.param(
        ARF_YAHOO, Kind.COMPLAINT, {"lotta.berg@yahoo.example.com": COMPLAINT}, id="arf-yahoo"
    ),
    pytest.param(
        ARF_AOL_UPPERCASE_TO,
        Kind.COMPLAINT,
        {"marek.nowak@aol.example.com": COMPLAINT},
        id="arf-aol-uppercase-display-name-to",
    ),
    pytest.param(
        COMCAST_NON_ARF,
        Kind.COMPLAINT,
        {"nils.berg@comcast.example.net": COMPLAINT},
        id="comcast-non-arf-complaint",
    ),
    pytest.param(
        JMRP_HMXMR,
        Kind.COMPLAINT,
        {"olivia.grant@hotmail.example.com": COMPLAINT},
        id="jmrp-x-hmxmr-original-recipient",
    ),
    pytest.param(
        ARF_REDACTED,
        frozenset({Kind.UNPARSEABLE, Kind.COMPLAINT, Kind.NOT_A_BOUNCE}),
        {},
        id="arf-redacted-recipient",
    ),
    pytest.param(
        SES_COMPLAINT, Kind.COMPLAINT, {"petra.vogt@example.net": COMPLAINT}, id="ses-complaint-arf"
    ),
    pytest.param(
        ARF_AUTH_FAILURE,
        frozenset({Kind.NOT_A_BOUNCE, Kind.UNPARSEABLE}),
        {},
        id="arf-auth-failure-is-not-a-complaint",
    ),
]

CASES = [
    *MDAEMON_AND_SERVER_CASES,
    *GATEWAY_CASES,
    *PROVIDER_CASES,
    *PLACEMENT_CASES,
    *NON_FAILURE_CASES,
    *COMPLAINT_CASES,
]


@pytest.mark.parametrize(("raw", "kind", "expected"), CASES)
def test_rare_format(raw: bytes, kind, expected: dict[str, frozenset[Reason]]) -> None:
    result = parse_message(raw)
    got = [
        (r.recipient, r.reason.value, r.status, r.smtp_code, r.rule, r.diagnostic[:90])
        for r in result.recipients
    ]
    kinds = kind if isinstance(kind, frozenset) else frozenset({kind})
    assert result.kind in kinds, f"kind {result.kind} ({result.detail}); recipients {got}"
    if result.kind not in (Kind.FAILED, Kind.COMPLAINT):
        return
    by_address = {r.recipient: r for r in result.recipients}
    assert set(by_address) == set(expected), f"recipients {got}"
    for address, reasons in expected.items():
        r = by_address[address]
        assert r.reason in reasons, (
            f"{address}: reason {r.reason} by rule {r.rule!r} "
            f"(status {r.status!r}, smtp {r.smtp_code!r}), expected one of "
            f"{sorted(x.value for x in reasons)}; diagnostic {r.diagnostic[:160]!r}"
        )


def test_the_case_list_has_unique_ids() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
