"""The parser on real bounces of each shape, asserting every normalized field."""

from __future__ import annotations

from datetime import UTC, datetime

from suppression.dsn import FailedRecipient, Kind, ParseResult, iter_messages, parse_message
from suppression.dsn.textutil import find_smtp_code
from suppression.taxonomy import BounceType, Reason
from tests.dsn._corpus import corpus_bytes


def _parse(name: str) -> ParseResult:
    return parse_message(corpus_bytes(name))


def test_rfc3464_report_with_two_recipients_from_postfix():
    result = _parse("lhost-postfix-02.eml")
    assert result.kind is Kind.FAILED
    assert result.bounce_message_id == "20140621183516.0A3541FB98@smtp.example.com"
    assert (result.original_message_id, result.school, result.stream) == ("", "", "")
    # No Last-Attempt-Date: the bounce's own Date, not the earlier Arrival-Date of the original.
    arrival = datetime(2014, 6, 21, 18, 35, 16, tzinfo=UTC)
    assert result.recipients == (
        FailedRecipient(
            recipient="filtered@example.co.jp",
            original_recipient="",
            reason=Reason.MAILBOX_UNKNOWN,
            type=BounceType.HARD,
            status="5.2.1",
            smtp_code="550",
            diagnostic="550 5.2.1 <filtered@example.co.jp>... User Unknown",
            action="failed",
            remote_mta="mx.example.co.jp",
            rule="status:5.2.1",
            occurred_at=arrival,
        ),
        FailedRecipient(
            recipient="userunknown@example.co.jp",
            original_recipient="",
            reason=Reason.MAILBOX_UNKNOWN,
            type=BounceType.HARD,
            status="5.1.1",
            smtp_code="550",
            diagnostic="550 5.1.1 <userunknown@example.co.jp>... User Unknown",
            action="failed",
            remote_mta="mx.example.co.jp",
            rule="status:5.1.1",
            occurred_at=arrival,
        ),
    )


def test_arf_abuse_report_is_a_complaint():
    result = _parse("arf-01.eml")
    assert result.kind is Kind.COMPLAINT
    assert result.bounce_message_id == "000000000000000.000000000000@x34.mx.example.net"
    [complaint] = result.recipients
    assert complaint.recipient == "redacted@example.net"
    assert complaint.original_recipient == ""
    assert complaint.reason is Reason.COMPLAINT
    assert complaint.type is BounceType.COMPLAINT
    assert (complaint.status, complaint.smtp_code, complaint.action) == ("", "", "")
    assert complaint.rule == "arf:abuse"
    assert complaint.feedback_type == "abuse"
    assert complaint.occurred_at == datetime(2009, 4, 29, tzinfo=UTC)
    assert complaint.diagnostic.startswith("Feedback-Type: abuse User-Agent: SMP-FBL")


def test_exim_text_bounce_with_two_recipients():
    result = _parse("lhost-exim-02.eml")
    assert result.kind is Kind.FAILED
    assert result.original_message_id == "E1X58pB-0004bW-2s@marutamachi.example.org"
    assert result.bounce_message_id == "E1X58pT-0004bZ-Co@marutamachi.example.org"
    date = datetime(2014, 7, 10, 7, 31, 43, tzinfo=UTC)
    first, second = result.recipients
    assert first == FailedRecipient(
        recipient="kijitora@example.jp",
        original_recipient="",
        reason=Reason.MAILBOX_UNKNOWN,
        type=BounceType.HARD,
        status="5.1.1",
        smtp_code="550",
        diagnostic="550 5.1.1 <kijitora@example.jp>... User Unknown",
        action="failed",
        remote_mta="mx.example.jp",
        rule="status:5.1.1",
        occurred_at=date,
    )
    assert (second.recipient, second.status, second.reason) == (
        "sabatora@example.jp",
        "5.2.1",
        Reason.MAILBOX_UNKNOWN,
    )


def test_qmail_generic_code_gives_way_to_the_phrase():
    result = _parse("lhost-qmail-01.eml")
    assert result.kind is Kind.FAILED
    assert result.bounce_message_id == ""
    assert result.original_message_id == "000000000.9999999999999.JavaMail.postmaster@mailhub"
    [failed] = result.recipients
    assert failed.recipient == "kijitora@example.ne.jp"
    assert failed.original_recipient == ""
    assert failed.reason is Reason.MAILBOX_UNKNOWN
    assert failed.type is BounceType.HARD
    assert (failed.status, failed.smtp_code) == ("5.5.0", "550")
    assert failed.rule == "phrase:user-unknown"
    assert failed.diagnostic.startswith("550 Unknown user kijitora@example.ne.jp . (#5.5.0)")
    assert failed.action == "failed"
    assert failed.remote_mta == ""
    assert failed.occurred_at == datetime(2013, 4, 23, 15, 0, tzinfo=UTC)


def test_office365_recipient_not_found():
    result = _parse("lhost-office365-13.eml")
    assert result.kind is Kind.FAILED
    [failed] = result.recipients
    assert failed.recipient == "kijitora-nyaan@neko.kyoto.example.jp"
    assert failed.reason is Reason.MAILBOX_UNKNOWN
    assert failed.type is BounceType.HARD
    assert (failed.status, failed.smtp_code) == ("5.1.10", "550")
    assert failed.rule == "phrase:user-unknown"
    assert failed.diagnostic == (
        "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
    )
    assert failed.occurred_at == datetime(2017, 4, 29, 23, 34, 45, tzinfo=UTC)


def test_vacation_reply_is_an_auto_reply():
    result = _parse("rfc3834-02.eml")
    assert result.kind is Kind.AUTO_REPLY
    assert result.recipients == ()
    assert result.bounce_message_id == "fb1b2d9ea3df46d9839a6dcb99410ebb@neko.nyaan.example.net"


_AUTO_REPLIED_NOTICE = """\
From: postmaster@mail.example.de
To: bounces@kwiga.example
Subject: email bounce notification
Auto-Submitted: auto-replied
Date: Sat, 04 Oct 2025 08:00:07 +0200

This message is to inform you that an email you sent was rejected.
{reply}
reject reason: Mailbox full
target mail address: pupil@example.de
"""


def test_auto_replied_prose_without_failure_fields_is_an_auto_reply():
    # RFC 3834's marker and prose alone: an auto-responder's words never count toward suppression.
    result = parse_message(_AUTO_REPLIED_NOTICE.format(reply="").encode())
    assert result.kind is Kind.AUTO_REPLY
    assert result.recipients == ()
    assert "Auto-Submitted" in result.detail


def test_auto_replied_notice_with_the_servers_reply_is_a_bounce():
    # Exim and Postfix mark real bounces auto-replied too; their reply code makes them failures.
    reply = "552 5.2.2 <pupil@example.de>: mailbox over quota"
    result = parse_message(_AUTO_REPLIED_NOTICE.format(reply=reply).encode())
    assert result.kind is Kind.FAILED
    [failed] = result.recipients
    assert (failed.recipient, failed.reason, failed.status) == (
        "pupil@example.de",
        Reason.MAILBOX_FULL,
        "5.2.2",
    )


def test_auto_replied_notice_naming_failed_recipients_is_a_bounce():
    raw = _AUTO_REPLIED_NOTICE.format(reply="").replace(
        "Auto-Submitted", "X-Failed-Recipients: pupil@example.de\nAuto-Submitted"
    )
    result = parse_message(raw.encode())
    assert result.kind is Kind.FAILED
    assert [r.reason for r in result.recipients] == [Reason.MAILBOX_FULL]


def test_delay_warning_is_not_a_failure():
    result = _parse("rfc3464-34.eml")
    assert result.kind is Kind.DELAYED
    assert result.recipients == ()
    assert result.original_message_id == "20170429233445.FFFFFFFF02@smtp.neko.example.org"


def test_delivery_report_is_not_a_failure():
    result = _parse("rfc3464-28.eml")
    assert result.kind is Kind.DELIVERED
    assert result.recipients == ()
    assert result.bounce_message_id == "20151025071802.CE7E412402D0@neko-222-2222.vs.example.ne.jp"


def test_ses_delivery_notification_is_not_a_failure():
    assert _parse("lhost-amazonses-13.eml").kind is Kind.DELIVERED


def test_ordinary_mail_is_not_a_bounce():
    raw = b"From: a@example.com\nTo: b@example.com\nSubject: hello\n\nSee you at 5.\n"
    result = parse_message(raw)
    assert result.kind is Kind.NOT_A_BOUNCE
    assert result.recipients == ()


# Synthetic messages: the platform's own headers on the attached original.

_DSN_WITH_ORIGINAL = b"""\
From: MAILER-DAEMON@mx.example.net
To: bounces@kwiga.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-1@mx.example.net>
Date: Mon, 03 Mar 2025 10:00:00 +0100
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

<Student@Example.org>: host mx.example.org said: 552 5.2.2 Mailbox full

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Arrival-Date: Mon, 03 Mar 2025 09:59:00 +0100

Final-Recipient: rfc822; Student@Example.org
Last-Attempt-Date: Mon, 03 Mar 2025 10:00:00 +0100
Original-Recipient: rfc822; old-student@example.org
Action: failed
Status: 5.2.2
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; 552 5.2.2 Mailbox full

--b1
Content-Type: %(ctype)s

Message-ID: <campaign-42@kwiga.example>
X-Kwiga-School: school-17
X-Kwiga-Stream: Campaign
From: school@kwiga.example
To: Student@Example.org
Subject: Lesson 3

--b1--
"""


def test_kwiga_headers_from_an_attached_original_message():
    raw = _DSN_WITH_ORIGINAL % {b"ctype": b"message/rfc822"}
    result = parse_message(raw)
    assert result.kind is Kind.FAILED
    assert result.original_message_id == "campaign-42@kwiga.example"
    assert (result.school, result.stream) == ("school-17", "campaign")
    assert result.bounce_message_id == "bounce-1@mx.example.net"
    [failed] = result.recipients
    assert failed == FailedRecipient(
        recipient="student@example.org",
        original_recipient="old-student@example.org",
        reason=Reason.MAILBOX_FULL,
        type=BounceType.SOFT,
        status="5.2.2",
        smtp_code="552",
        diagnostic="552 5.2.2 Mailbox full",
        action="failed",
        remote_mta="mx.example.org",
        rule="status:5.2.2",
        occurred_at=datetime(2025, 3, 3, 9, 0, tzinfo=UTC),
    )


def test_kwiga_headers_from_attached_rfc822_headers():
    result = parse_message(_DSN_WITH_ORIGINAL % {b"ctype": b"text/rfc822-headers"})
    assert (result.original_message_id, result.school, result.stream) == (
        "campaign-42@kwiga.example",
        "school-17",
        "campaign",
    )


def test_kwiga_headers_from_an_inline_copy_in_a_text_bounce():
    raw = b"""\
From: Mail Delivery System <Mailer-Daemon@mx.example.net>
To: bounces@kwiga.example
Subject: Mail delivery failed: returning message to sender
Date: Tue, 04 Mar 2025 12:00:00 +0000

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  nobody@example.org
    host mx.example.org [192.0.2.1]
    SMTP error from remote mail server after RCPT TO:<nobody@example.org>:
    550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown

------ This is a copy of the message, including all the headers. ------

Message-ID: <system-7@kwiga.example>
X-Kwiga-School: school-3
X-Kwiga-Stream: system
From: noreply@kwiga.example
To: nobody@example.org
Subject: Confirm your e-mail

Hello
"""
    result = parse_message(raw)
    assert result.kind is Kind.FAILED
    assert (result.original_message_id, result.school, result.stream) == (
        "system-7@kwiga.example",
        "school-3",
        "system",
    )
    [failed] = result.recipients
    assert (failed.recipient, failed.reason, failed.rule) == (
        "nobody@example.org",
        Reason.MAILBOX_UNKNOWN,
        "status:5.1.1",
    )
    assert failed.occurred_at == datetime(2025, 3, 4, 12, 0, tzinfo=UTC)


def test_size_limit_is_checked_before_parsing():
    result = parse_message(b"Subject: x\n\n" + b"a" * 2000, max_bytes=1000)
    assert result.kind is Kind.UNPARSEABLE
    assert "limit" in result.detail


def test_iter_messages_reads_files_directories_maildirs_and_mbox(tmp_path):
    one = b"From: a@example.com\nSubject: one\n\nbody\n"
    two = b"From: b@example.com\nSubject: two\n\nFrom here on\n"
    (tmp_path / "single.eml").write_bytes(one)
    mbox = tmp_path / "box.mbox"
    mbox.write_bytes(
        b"From a@example.com Mon Jan  1 00:00:00 2024\n" + one + b"\n"
        b"From b@example.com Mon Jan  1 00:00:01 2024\n" + two
    )
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1.host").write_bytes(one)
    (maildir / "cur" / "2.host:2,S").write_bytes(two)

    assert list(iter_messages(tmp_path / "single.eml")) == [(str(tmp_path / "single.eml"), one)]
    assert [name for name, _ in iter_messages(mbox)] == [f"{mbox}#1", f"{mbox}#2"]
    assert [raw for _, raw in iter_messages(mbox)][1] == two
    assert list(iter_messages(maildir)) == [
        (str(maildir / "cur" / "2.host:2,S"), two),
        (str(maildir / "new" / "1.host"), one),
    ]
    names = [name for name, _ in iter_messages(str(tmp_path))]
    assert str(tmp_path / "single.eml") in names
    assert f"{mbox}#2" in names


def test_a_temporary_status_never_yields_a_hard_reason():
    from suppression.dsn import classify

    deferred = (
        "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to user complaints"
    )
    assert classify("4.7.0", "421", deferred) == (Reason.SENDER_REPUTATION, "phrase:blocklist")
    assert classify("4.1.1", "450", "450 4.1.1 mailbox unavailable, try again")[0] == (
        Reason.SERVER_UNAVAILABLE
    )
    # The reporting MTA's generic 4.x.x loses to the server's own 5xx reply.
    reason, _ = classify("4.0.0", "", "554 Your mail is blocked by the recipient")
    assert reason == Reason.SENDER_BLOCKED


def test_control_characters_are_stripped_from_diagnostics():
    raw = _DSN_WITH_ORIGINAL % {b"ctype": b"message/rfc822"}
    raw = raw.replace(
        b"Diagnostic-Code: smtp; 552 5.2.2 Mailbox full",
        b"Diagnostic-Code: smtp; 552 5.2.2 Mail\x00box\x07 full",
    )
    [failed] = parse_message(raw).recipients
    assert failed.diagnostic == "552 5.2.2 Mailbox full"


def test_a_google_groups_refusal_in_any_language_is_rejected():
    # No code and the poster's own language; the help-centre link is the constant part.
    raw = b"""\
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: news@mail.example.org
Subject: Delivery Status Notification (Failure)
X-Failed-Recipients: teachers@googlegroups.com
Auto-Submitted: auto-replied
Content-Type: text/plain; charset=utf-8

Hola news@mail.example.org:

Puede que el grupo teachers@googlegroups.com no exista o que no tengas permiso para publicar.
Si tienes preguntas, visita https://groups.google.com/support/.
"""
    [failed] = parse_message(raw).recipients
    assert (failed.recipient, failed.reason, failed.rule) == (
        "teachers@googlegroups.com",
        Reason.REJECTED,
        "phrase:group-refused-post",
    )


def test_an_exim_alias_line_names_the_original_recipient_not_another_failure():
    raw = b"""\
From: Mail Delivery System <Mailer-Daemon@mx.example.net>
To: bounces@kwiga.example
Subject: Mail delivery failed: returning message to sender
Date: Tue, 04 Mar 2025 12:00:00 +0000

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  student.home@example.org
    (generated from student@school.example)
    SMTP error from remote mail server after RCPT TO:<student.home@example.org>:
    host mx.example.org [192.0.2.1]: 550 5.1.1 User unknown
"""
    [failed] = parse_message(raw).recipients
    assert (failed.recipient, failed.original_recipient) == (
        "student.home@example.org",
        "student@school.example",
    )
    assert (failed.status, failed.reason) == ("5.1.1", Reason.MAILBOX_UNKNOWN)


def test_a_quantity_is_not_read_as_a_reply_code():
    assert find_smtp_code("Mailbox quota: 500 MB, used 512 MB") == ""
    assert find_smtp_code("more than 450 messages per hour; 421 try again later") == "421"
    assert find_smtp_code("host mx said: 552 5.2.2 over quota") == "552"


def test_a_dmarc_failure_report_is_not_a_complaint():
    raw = b"""\
From: dmarc-reports@receiver.example
To: dmarc@mail.example.org
Subject: DMARC Forensic report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="b"

--b
Content-Type: text/plain

A message claiming to be from your domain failed DMARC.
--b
Content-Type: message/feedback-report

Feedback-Type: auth-failure
Auth-Failure: dmarc
Version: 1
Original-Rcpt-To: pupil@example.com

--b--
"""
    result = parse_message(raw)
    assert result.kind is Kind.NOT_A_BOUNCE
    assert result.recipients == ()
