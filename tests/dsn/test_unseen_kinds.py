"""Kinds of mail the unseen corpus showed the parser misreading, each written by hand.

Free-text notices of older MTAs, gateways and webmail; Japanese carriers and a Chinese
provider; auto-reply markers on real bounces; delay words beside a permanent failure; an ESP's
"expired"; recipients behind an Exchange ``SMTP=`` prefix, a stray quote, in help text, or a
second one in a malformed report. Example domains, made-up people.
"""

# Bounce texts keep their real long lines and non-Latin letters.
# ruff: noqa: E501, RUF001

from __future__ import annotations

import pytest

from suppression.dsn import Kind, parse_message
from suppression.taxonomy import Reason
from tests.dsn._builders import (
    daemon_headers,
    dsn,
    headers_only,
    html_message,
    mixed,
    original,
    text_message,
)

R = Reason
MU = {R.MAILBOX_UNKNOWN}
EXPIRED = {R.SERVER_UNAVAILABLE, R.DNS_ERROR, R.DOMAIN_UNKNOWN}


def _check(raw: bytes, expected: dict[str, set[Reason]]) -> None:
    result = parse_message(raw)
    got = {r.recipient: (r.reason, r.rule) for r in result.recipients}
    assert result.kind is Kind.FAILED, f"{result.kind}: {result.detail}"
    assert set(got) == set(expected), got
    for address, reasons in expected.items():
        assert got[address][0] in reasons, (address, got[address])


# -------------------------------------------------------------- auto-reply marker on a bounce

RU_PROVIDER_NOTICE = mixed(
    daemon_headers(
        "Недоставленное сообщение",
        sender="mailer-daemon@mx.example.ru",
        extra="Auto-Submitted: auto-replied",
    ),
    """
    Здравствуйте!

    Ваше сообщение не было доставлено одному или нескольким получателям.

    ivan.petrov@example.ru
    Причина: такого адресата не существует.

    Это письмо создано автоматически, отвечать на него не нужно.
    """,
    original("ivan.petrov@example.ru"),
)

OLD_FREE_TEXT_NOTICE = text_message(
    daemon_headers("failure notice", extra="Auto-Submitted: auto-replied"),
    """
    Your message could not be delivered to the following recipient:

        bob.kramer@example.net

    Reason: no such user here

    --- Original message follows.
    """,
    tail=original("bob.kramer@example.net"),
)

# A responder's prose with the same marker stays an auto-reply: it comes from a person's mailbox.
RESPONDER_MAILBOX_FULL = text_message(
    """
    Return-Path: <>
    From: Carla Mendes <carla@example.org>
    To: bounces+1234@mail.example.org
    Subject: Re: Lesson 4 is ready
    Date: Tue, 14 May 2024 09:01:00 +0000
    Message-ID: <resp.1@example.org>
    Auto-Submitted: auto-replied
    """,
    """
    My mailbox is full at the moment. Please resend your message to carla.m@example.org later.
    """,
)


def test_a_mail_systems_notice_marked_auto_replied_is_still_a_bounce():
    _check(RU_PROVIDER_NOTICE, {"ivan.petrov@example.ru": MU})
    _check(OLD_FREE_TEXT_NOTICE, {"bob.kramer@example.net": MU})


def test_a_persons_responder_with_the_marker_is_no_bounce():
    assert parse_message(RESPONDER_MAILBOX_FULL).kind in (Kind.AUTO_REPLY, Kind.NOT_A_BOUNCE)


# ------------------------------------------------------------------ free-text formats

JP_CARRIER = text_message(
    daemon_headers(
        "Returned mail: see transcript for details",
        sender="Postmaster@mx.example.ne.jp",
        name="Mail Administrator",
    ),
    """
    以下のアドレスへのメール送信に失敗しました。

    宛先：hanako.yamada@docomo.example.ne.jp
    理由：宛先不明 (このアドレスは存在しません)

    ------ Original message follows ------
    """,
    tail=headers_only("hanako.yamada@docomo.example.ne.jp"),
    charset="iso-2022-jp",
    cte="7bit",
)

CN_PROVIDER = text_message(
    daemon_headers("系统退信", sender="postmaster@mail.example.cn", name="系统管理员"),
    """
    抱歉，您的邮件被退回来了……

    原邮件信息：
    收件人：wang.lei@example.cn

    退信原因：收件人不存在，请核对后重新发送。
    """,
    tail="",
)

QMAIL_NO_BRACKETS = text_message(
    daemon_headers("failure notice", sender="MAILER-DAEMON@mx.example.com", name=""),
    """
    Hi. This is the qmail-send program at mx.example.com.
    I'm afraid I wasn't able to deliver your message to the following addresses.
    This is a permanent error; I've given up. Sorry it didn't work out.

    dieter.k@example.com:
    Sorry, no mailbox here by that name. vpopmail (#5.1.1)

    --- Below this line is a copy of the message.

    """,
    tail=original("dieter.k@example.com"),
)

AOL_SCREEN_NAME = text_message(
    daemon_headers("Returned mail: User unknown", sender="MAILER-DAEMON@aol.example.com"),
    """
    The original message was received at Tue, 14 May 2024 05:00:00 -0400
    from mail.example.org [192.0.2.10]

       ----- The following addresses had permanent fatal errors -----
    joeuser77
        (reason: 550 MAILBOX NOT FOUND)

       ----- Transcript of session follows -----
    ... while talking to air-ma01.mail.aol.example.com.:
    >>> RCPT To:<joeuser77@aol.example.com>
    <<< 550 MAILBOX NOT FOUND
    550 joeuser77... User unknown
    """,
)

HTML_ONLY_WEBMAIL = html_message(
    daemon_headers("Failure Notice", sender="MAILER-DAEMON@webmail.example.com", name=""),
    """
    <html><body>
    <p>Sorry, we were unable to deliver your message to the following address.</p>
    <p><b>&lt;lucy.fox@example.com&gt;:</b><br>
    554: delivery error: dd This user doesn't have a example.com account (lucy.fox@example.com) [0] - mta7.mail.example.com</p>
    <p>Need help? Contact <a href="mailto:help@webmail.example.com">help@webmail.example.com</a></p>
    </body></html>
    """,
)


def test_a_japanese_carriers_notice_names_its_recipient():
    _check(JP_CARRIER, {"hanako.yamada@docomo.example.ne.jp": MU})


def test_a_chinese_providers_notice_names_its_recipient():
    _check(CN_PROVIDER, {"wang.lei@example.cn": MU})


def test_a_qmail_notice_without_angle_brackets_names_its_recipient():
    _check(QMAIL_NO_BRACKETS, {"dieter.k@example.com": MU})


def test_an_aol_notice_with_a_bare_screen_name_gives_the_full_address():
    _check(AOL_SCREEN_NAME, {"joeuser77@aol.example.com": MU})


def test_an_html_only_webmail_notice_is_read_and_its_help_address_ignored():
    _check(HTML_ONLY_WEBMAIL, {"lucy.fox@example.com": MU})


# ---------------------------------------------------------- permanent beside delay words

PERMANENT_WITH_RETRY_WORDS = text_message(
    daemon_headers(
        "Delivery Status Notification (Delay)",
        sender="postmaster@relay.example.net",
        name="Mail Delivery Subsystem",
    ),
    """
    This is an automatically generated Delivery Status Notification.

    Delivery to the following recipients has been delayed and will be retried:

        olga.n@example.net

    The remote server answered:
    550 5.1.1 <olga.n@example.net>: Recipient address rejected: User unknown in local recipient table
    """,
)


def test_a_permanent_user_unknown_is_no_delay_warning():
    _check(PERMANENT_WITH_RETRY_WORDS, {"olga.n@example.net": MU})


# ---------------------------------------------------------------- an ESP's "expired"

ESP_EXPIRED = dsn(
    headers=daemon_headers(
        "Delivery Status Notification (Failure)",
        sender="bounces@esp.example.com",
        name="Mail Delivery",
    ),
    human="The message could not be delivered before it expired.\n",
    per_message="Reporting-MTA: dns; out.esp.example.com",
    per_recipient=[
        "Final-Recipient: rfc822; pete.w@example.com\nAction: expired\nRemote-MTA: dns; mx.example.com\n"
        "Diagnostic-Code: smtp; message expired after 72 hours in the queue"
    ],
    original=original("pete.w@example.com"),
)


def test_an_esps_expired_action_is_a_failure_not_a_delivery():
    _check(ESP_EXPIRED, {"pete.w@example.com": EXPIRED})


# ------------------------------------------------------------------ recipient extraction

EXCHANGE_SMTP_PREFIX = text_message(
    daemon_headers(
        "Undeliverable: Lesson 4 is ready",
        sender="postmaster@exchange.example.com",
        name="System Administrator",
    ),
    """
    Your message did not reach some or all of the intended recipients.

          Subject:  Lesson 4 is ready
          Sent:     14/05/2024 09:00

    The following recipient(s) cannot be reached:

          'SMTP=greta.h@example.com' on 14/05/2024 09:00
                550 5.1.1 User unknown
    """,
)

STRAY_QUOTE = text_message(
    daemon_headers(
        "Undeliverable: Lesson 4 is ready",
        sender="postmaster@gw.example.com",
        name="Mail Administrator",
    ),
    """
    Delivery failed for the following recipient:

          'henrik.s@example.com

    Reason: 550 5.1.1 mailbox unavailable
    """,
)

MALFORMED_TWO_RECIPIENTS = dsn(
    headers=daemon_headers("Undelivered Mail Returned to Sender"),
    human="Your message could not be delivered to two recipients.\n",
    per_message="Reporting-MTA: dns; mx.example.net",
    per_recipient=[
        "Final-Recipient: rfc822; ina@example.net\nAction: failed\nStatus: 5.1.1\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <ina@example.net>: user unknown\n"
        "Final-Recipient: rfc822; jon@example.net\nAction: failed\nStatus: 5.1.1\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <jon@example.net>: user unknown"
    ],
    original=original("ina@example.net"),
)


def test_an_exchange_smtp_prefix_is_not_part_of_the_address():
    _check(EXCHANGE_SMTP_PREFIX, {"greta.h@example.com": MU})


def test_a_stray_leading_quote_is_not_part_of_the_address():
    _check(STRAY_QUOTE, {"henrik.s@example.com": MU})


def test_a_second_recipient_in_a_report_without_its_blank_line_is_kept():
    _check(MALFORMED_TWO_RECIPIENTS, {"ina@example.net": MU, "jon@example.net": MU})


@pytest.mark.parametrize("raw", [HTML_ONLY_WEBMAIL], ids=["html"])
def test_help_text_addresses_are_never_recipients(raw):
    result = parse_message(raw)
    assert all(not r.recipient.startswith("help@") for r in result.recipients)


AOL_SCREEN_NAME_ONLY = text_message(
    daemon_headers("Returned mail: User unknown", sender="MAILER-DAEMON@aol.example.com"),
    """
    Your mail to the following recipients could not be delivered because they are not
    accepting mail from news@mail.example.org:

        joeuser77

    Please check the screen name and try again.
    """,
)


def test_a_notice_naming_only_a_screen_name_gives_the_address_at_its_domain():
    result = parse_message(AOL_SCREEN_NAME_ONLY)

    assert result.kind is Kind.FAILED, result.detail
    assert [r.recipient for r in result.recipients] == ["joeuser77@aol.example.com"]


def test_a_persons_message_naming_a_bare_word_gets_no_made_up_address():
    raw = text_message(
        """
        From: Dana <dana@example.org>
        To: bounces+1234@mail.example.org
        Subject: Undelivered: could not be delivered
        Date: Tue, 14 May 2024 09:01:00 +0000
        Message-ID: <dana.1@example.org>
        """,
        """
        Hi, the following users could not be delivered to:

            marketing

        Can you check? 550 thanks
        """,
    )

    assert not any(r.recipient.startswith("marketing@") for r in parse_message(raw).recipients)


HELP_TEXT_ADDRESS = text_message(
    daemon_headers("Undeliverable message", sender="MAILER-DAEMON@gw.example.com"),
    """
    Your message could not be delivered to:

        kim.lee@example.com

    Reason: 550 5.1.1 no such user

    If you need assistance, please contact mailadmin@gw.example.com and
    include this notice. For questions write to it-desk@example.com.
    """,
)


def test_an_address_given_for_help_is_no_recipient():
    _check(HELP_TEXT_ADDRESS, {"kim.lee@example.com": MU})


RU_OLD_NOTICE = text_message(
    daemon_headers(
        "Возвращённое письмо",
        sender="mailer-daemon@mx.example.ru",
        name="Почтовая система",
        extra="Auto-Submitted: auto-replied",
    ),
    """
    Ваше письмо не было доставлено по следующему адресу:

    sergey.k@example.ru

    Почтовый ящик не существует.
    """,
)


def test_an_older_russian_notice_is_a_bounce_not_an_auto_reply():
    _check(RU_OLD_NOTICE, {"sergey.k@example.ru": MU})


LONG_MULTILINE_REPLY = text_message(
    daemon_headers("Mail delivery failed: returning message to sender"),
    """
    This message was created automatically by mail delivery software.

    A message that you sent could not be delivered to one or more of its
    recipients. This is a permanent error. The following address(es) failed:

      nora.b@example.com
        host mx.example.com [198.51.100.7]
        SMTP error from remote mail server after RCPT TO:<nora.b@example.com>:
        550-5.7.1 This message was not accepted.
        550-5.7.1 Our records show that the sending server
        550-5.7.1 has been used to send messages that our
        550-5.7.1 users did not want to receive. For more
        550-5.7.1 information about why this happened and
        550-5.7.1 what you can do about it, please visit our
        550-5.7.1 postmaster pages at https://postmaster.example.com
        550-5.7.1 and check the listing of the sending IP with
        550-5.7.1 the lookup form there; the sending IP 192.0.2.10
        550 5.7.1 is listed at bl.example.net
    """,
)


def test_a_long_multi_line_reply_is_kept_whole():
    result = parse_message(LONG_MULTILINE_REPLY)

    (item,) = result.recipients
    assert item.diagnostic.endswith("550 5.7.1 is listed at bl.example.net")
    assert item.reason is R.SENDER_REPUTATION


WARNING_SUBJECT_USER_UNKNOWN = text_message(
    daemon_headers("Mail System Warning", sender="MAILER-DAEMON@old.example.net"),
    """
    Your message was not delivered to the following recipient:

        paul.r@example.net

    Reason: user unknown
    """,
)


def test_a_warning_subject_over_a_final_user_unknown_is_a_failure():
    _check(WARNING_SUBJECT_USER_UNKNOWN, {"paul.r@example.net": MU})


def test_a_real_delay_warning_stays_a_delay():
    raw = text_message(
        daemon_headers("Warning: message delayed", sender="MAILER-DAEMON@old.example.net"),
        """
        This is a warning message only; you do not need to resend your message.
        Delivery to paul.r@example.net has been delayed and will be retried.
        """,
    )

    assert parse_message(raw).kind is Kind.DELAYED
