"""Hand-written rejection texts on both sides of the sender_reputation line, and words that must
beat a wrong specific code.

Each text paraphrases what the provider publishes on its postmaster or help pages (example IPs
and domains). ``sender_reputation`` is the platform refused (its IP or domain listed, its
SPF/DKIM/DMARC, its reputation or volume): soft, never the address's fault. ``sender_blocked``
is the recipient, or their server for them, refusing this sender.
"""

# Diagnostics keep their real long lines and Cyrillic letters.
# ruff: noqa: E501

from __future__ import annotations

import pytest

from suppression.api.classify import classify_event
from suppression.dsn import Kind, parse_message
from suppression.dsn.classify import classify
from suppression.taxonomy import BounceType, Reason, bounce_type_for, suppresses_address
from tests.dsn._builders import daemon_headers, dsn, original

R = Reason
SR = R.SENDER_REPUTATION
SB = R.SENDER_BLOCKED

PLATFORM_REFUSED = [
    # Gmail
    (
        "5.7.1",
        "550",
        "550-5.7.1 [192.0.2.10] Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. Please visit https://support.google.com/mail/?p=UnsolicitedIPError",
        {SR, R.SPAM_FILTERED},
        "gmail-unsolicited-ip",
    ),
    (
        "5.7.26",
        "550",
        "550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM.",
        {SR},
        "gmail-5.7.26",
    ),
    (
        "4.7.28",
        "421",
        "421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your DKIM domain. To protect our users from spam, mail sent from your domain has been temporarily rate limited.",
        {SR},
        "gmail-4.7.28",
    ),
    (
        "5.7.23",
        "550",
        "550 5.7.23 The message was rejected because of Sender Policy Framework violation",
        {SR},
        "spf-5.7.23",
    ),
    # Outlook / Microsoft 365
    (
        "5.7.1",
        "550",
        "550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",
        {SR},
        "outlook-s3150",
    ),
    (
        "5.7.515",
        "550",
        "550 5.7.515 Access denied, sending domain mail.example.org doesn't meet the required authentication level.",
        {SR},
        "m365-5.7.515",
    ),
    (
        "4.7.650",
        "451",
        "451 4.7.650 The mail server [192.0.2.10] has been temporarily rate limited due to IP reputation.",
        {SR},
        "outlook-4.7.650",
    ),
    # Yahoo
    (
        "4.7.0",
        "421",
        "421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
        {SR},
        "yahoo-tss04",
    ),
    (
        "5.7.9",
        "550",
        "550 5.7.9 This mail has been blocked because the sender is unauthenticated. Yahoo requires all senders to authenticate with either SPF or DKIM.",
        {SR},
        "yahoo-unauthenticated",
    ),
    # mail.ru, Yandex, ukr.net
    (
        "",
        "550",
        "550 spam message rejected. Please visit https://help.mail.ru/notspam-support/id?c=... or report details to abuse@corp.mail.ru. Error code: ... IP: 192.0.2.10.",
        {SR, R.SPAM_FILTERED},
        "mailru-spam-ip",
    ),
    (
        "",
        "550",
        "550 Message was not accepted -- invalid mailbox. Local mailbox is unavailable: your IP 192.0.2.10 is in black list",
        {SR},
        "mailru-ip-black-list",
    ),
    (
        "",
        "421",
        "421 Sorry, too many messages from your IP 192.0.2.10. Try again later.",
        {SR},
        "yandex-too-many-from-ip",
    ),
    (
        "5.7.1",
        "554",
        "554 5.7.1 [2] Message rejected under suspicion of SPAM; https://ya.cc/1IrBc",
        {R.SPAM_FILTERED, SR},
        "yandex-suspicion-of-spam",
    ),
    (
        "",
        "550",
        "550 Адрес отправителя 192.0.2.10 находится в черном списке",
        {SR},
        "ukrnet-black-list-ru",
    ),
    # Blocklists
    (
        "5.7.1",
        "554",
        "554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.10",
        {SR},
        "spamhaus-zen",
    ),
    (
        "",
        "554",
        "554 Service unavailable; Client host [192.0.2.10] blocked using Barracuda Reputation; http://www.barracudanetworks.com/reputation/?ip=192.0.2.10",
        {SR},
        "barracuda",
    ),
    (
        "5.7.1",
        "550",
        "550 5.7.1 Mail from 192.0.2.10 refused - see http://www.spamcop.net/bl.shtml?192.0.2.10",
        {SR},
        "spamcop",
    ),
    ("", "550", "550 Your IP 192.0.2.10 is listed at dnsbl-1.uceprotect.net", {SR}, "uceprotect"),
]

RECIPIENT_REFUSED = [
    (
        "5.7.1",
        "550",
        "550 5.7.1 The recipient has blocked messages from this sender",
        {SB},
        "recipient-blocked-sender",
    ),
    (
        "5.7.1",
        "550",
        "550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized. The sender is on the recipient's block list",
        {SB},
        "m365-recipient-block-list",
    ),
    (
        "",
        "550",
        "550 Message rejected: sender not in the recipient's allow list",
        {SB},
        "allow-list",
    ),
    ("", "550", "550 Отправитель заблокирован получателем", {SB}, "recipient-blocked-ru"),
    ("", "550", "550 Ваше письмо заблокировано пользователем", {SB}, "ukrnet-user-blocked"),
]


@pytest.mark.parametrize(
    ("status", "smtp", "text", "allowed"),
    [pytest.param(*case[:4], id=case[4]) for case in PLATFORM_REFUSED + RECIPIENT_REFUSED],
)
def test_a_refusal_names_the_side_it_blames(status, smtp, text, allowed):
    reason, rule = classify(status, smtp, text)

    assert reason in allowed, f"{reason} by {rule}"


@pytest.mark.parametrize(
    ("status", "smtp", "text"), [pytest.param(*case[:3], id=case[4]) for case in PLATFORM_REFUSED]
)
def test_the_platform_refused_never_suppresses_the_address(status, smtp, text):
    reason, _ = classify(status, smtp, text)

    assert bounce_type_for(reason, status, smtp) is BounceType.SOFT
    if reason is SR:
        assert not suppresses_address(reason)


def test_the_api_classifies_the_same_line():
    listed = classify_event("5.7.1", "554", PLATFORM_REFUSED[14][2])
    blocked = classify_event("5.7.1", "550", RECIPIENT_REFUSED[0][2])

    assert listed == (SR, "dsn:phrase:blocklist")
    assert blocked[0] is SB


# Words specific enough to beat a wrong permanent hard code: the address must not be suppressed.
WORDS_OVER_CODES = [
    (
        "5.1.1",
        "552",
        "552 5.1.1 <ann@example.net>... Message size exceeds fixed maximum message size (10485760)",
        R.MESSAGE_TOO_LARGE,
        "5.1.1-size-limit",
    ),
    (
        "5.1.1",
        "550",
        "550 5.1.1 <ann@example.net>: mailbox is full, over quota",
        R.MAILBOX_FULL,
        "5.1.1-over-quota",
    ),
    (
        "5.2.1",
        "550",
        "550 5.2.1 disk quota exceeded for user ann",
        R.MAILBOX_FULL,
        "5.2.1-disk-quota",
    ),
    (
        "5.1.1",
        "550",
        "550 5.1.1 You have exceeded the maximum of 100 recipients per hour allowed",
        SR,
        "5.1.1-per-hour-limit",
    ),
    (
        "5.1.1",
        "550",
        "550 5.1.1 Message refused as bulk mail from an unsubscribed list",
        R.SPAM_FILTERED,
        "5.1.1-bulk",
    ),
    (
        "5.2.1",
        "554",
        "554 5.2.1 mass mailing is not accepted by this server",
        R.SPAM_FILTERED,
        "5.2.1-mass-mail",
    ),
    (
        "5.1.1",
        "550",
        "550 5.1.1 procmail: Couldn't create lockfile /var/mail/ann.lock",
        R.SERVER_UNAVAILABLE,
        "5.1.1-procmail-lock",
    ),
    (
        "5.2.1",
        "550",
        "550 5.2.1 maildrop: error writing to mailbox: No space left on device",
        R.SERVER_UNAVAILABLE,
        "5.2.1-maildrop-write",
    ),
]


@pytest.mark.parametrize(
    ("status", "smtp", "text", "expected"),
    [pytest.param(*case[:4], id=case[4]) for case in WORDS_OVER_CODES],
)
def test_specific_words_beat_a_wrong_hard_code_and_say_so(status, smtp, text, expected):
    reason, rule = classify(status, smtp, text)

    assert reason is expected
    assert rule.endswith(f"+over:{status}")
    assert bounce_type_for(reason, status, smtp) is BounceType.SOFT


def test_a_right_code_with_ordinary_words_still_decides():
    assert classify("5.1.1", "550", "550 5.1.1 user unknown") == (
        R.MAILBOX_UNKNOWN,
        "status:5.1.1",
    )
    # A full mailbox reported 5.2.2 stays a full mailbox whatever the size words say.
    assert classify("5.2.2", "552", "552 5.2.2 mailbox full, message too large")[0] is (
        R.MAILBOX_FULL
    )


UNKNOWN_WORDING = [
    (
        "5.4.6",
        "554",
        "554 5.4.6 Too many hops 26 (25 max): from <news@mail.example.org> via mx.example.net",
        R.DNS_ERROR,
        "hop-count",
    ),
    (
        "5.0.0",
        "554",
        "554 5.0.0 mail for example.net loops back to myself",
        R.DNS_ERROR,
        "loops-back",
    ),
    ("5.0.0", "550", "550 5.0.0 Mail loop detected", R.DNS_ERROR, "loop-detected"),
    (
        "5.0.0",
        "554",
        "554 5.0.0 Message contains 8-bit characters but the server does not support 8BITMIME",
        R.SPAM_FILTERED,
        "8bit",
    ),
    (
        "5.0.0",
        "550",
        "550 5.0.0 Message is not RFC 2045 compliant: invalid MIME structure",
        R.SPAM_FILTERED,
        "mime-conformance",
    ),
    (
        "5.0.0",
        "554",
        "554 5.0.0 Message contains bare LF characters and was refused",
        R.SPAM_FILTERED,
        "bare-lf",
    ),
    (
        "5.5.0",
        "550",
        "550 5.5.0 Domain example.net is not reachable",
        R.DNS_ERROR,
        "5.5.0-domain-unreachable",
    ),
    ("", "550", "550 Unroutable address", R.DOMAIN_UNKNOWN, "unroutable"),
]


@pytest.mark.parametrize(
    ("status", "smtp", "text", "expected"),
    [pytest.param(*case[:4], id=case[4]) for case in UNKNOWN_WORDING],
)
def test_wording_no_rule_knew_gets_a_reason(status, smtp, text, expected):
    reason, rule = classify(status, smtp, text)

    assert reason is expected, rule


def test_a_whole_report_keeps_the_rule_that_let_the_words_win():
    to = "ann@example.net"
    raw = dsn(
        headers=daemon_headers("Undelivered Mail Returned to Sender"),
        human="This is the mail system at host mx.example.net.\n\nYour message could not be delivered.\n",
        per_message="Reporting-MTA: dns; mx.example.net",
        per_recipient=[
            f"Final-Recipient: rfc822; {to}\nAction: failed\nStatus: 5.1.1\n"
            "Diagnostic-Code: smtp; 552 5.1.1 Message size exceeds fixed maximum message size"
        ],
        original=original(to),
    )

    result = parse_message(raw)

    assert result.kind is Kind.FAILED
    (item,) = result.recipients
    assert (item.recipient, item.reason, item.type) == (to, R.MESSAGE_TOO_LARGE, BounceType.SOFT)
    assert item.rule == "phrase:message-too-large+over:5.1.1"


def test_a_doubled_dkim_signature_header_is_the_messages_form_not_our_authentication():
    reason, rule = classify("", "554", "554 Transaction failed: Duplicate header 'DKIM-Signature'.")

    assert reason is R.REJECTED, rule
    assert classify("5.7.1", "550", "550 5.7.1 DKIM signature verification failed")[0] is SR
