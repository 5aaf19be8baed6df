"""More kinds of notices the parser misread, each written by hand.

From how these mail systems word their notices; example domains, made-up people. Each was read
wrongly before its rule:

* notices in Portuguese, Italian, Dutch, Polish, Czech, Turkish, Swedish, Norwegian, Finnish and
  Ukrainian, taken for no bounce at all;
* an old gateway's "Receiver not found", a reason nobody could act on;
* a resolver that only said "try again", read as a missing domain (hard: the address suppressed
  at once) where it is a DNS problem for now (soft);
* a local delivery command that exits 75 (EX_TEMPFAIL: "try me again") read as a permanent
  mailer error;
* the sender's own address, quoted before "Sender address rejected", taken for a recipient;
* the big providers' own sentences without a code beside them (Outlook, Gmail);
* a reply code stuck to a quoted address ("550-'ann@..."), taken as part of the address;
* "Maximum number of delivery attempts exceeded", a reason nobody could act on;
* recipients listed before the one reason they share: all but the last had no reason;
* Russian text in windows-1251 or KOI8-R that names no charset, read as Latin-1 gibberish;
* a provider's no-reply robot's failure notice marked "Auto-Submitted: auto-replied" and
  without a code, taken for a person's out-of-office answer;
* diagnostics whose words no rule knew ("mailbox name not allowed", "not our customer",
  recipient verification, a frozen mailbox, a protocol violation) and Outlook.com's published
  refusal codes for the sending IP (SC-, DY-, RP-00x; 5.7.606 "banned sending IP");
* the null reverse path written as "<MAILER-DAEMON>" or "<MAILER-DAEMON@host>", not known for
  the null sender it is;
* a relay's notice that names nobody and attaches the real bounce whole: the attachment's To,
  the platform's own bounce address, was taken for the failed recipient.
"""

# Bounce texts keep their real long lines and non-Latin letters.
# ruff: noqa: E501, RUF001

from __future__ import annotations

import pytest

from suppression.dsn import Kind, parse_message
from suppression.taxonomy import BounceType, Reason
from tests.dsn._builders import daemon_headers, dedent, dsn, original, text_message

R = Reason


def _only(raw: bytes) -> tuple[str, Reason, BounceType, str]:
    result = parse_message(raw)
    assert result.kind is Kind.FAILED, f"{result.kind}: {result.detail}"
    assert len(result.recipients) == 1, result.recipients
    (item,) = result.recipients
    return item.recipient, item.reason, item.type, item.rule


def _notice(subject: str, body: str, *, sender: str = "mailer-daemon@mx.example.net") -> bytes:
    return text_message(daemon_headers(subject, sender=sender, name=""), body)


LANGUAGES = {
    "portuguese": (
        _notice(
            "Mensagem não entregue",
            """
            Não foi possível entregar a mensagem para os seguintes destinatários:

            joana.silva@example.com.br
            Motivo: caixa postal cheia
            """,
        ),
        "joana.silva@example.com.br",
        R.MAILBOX_FULL,
    ),
    "portuguese, address gone": (
        _notice(
            "Falha na entrega da mensagem",
            """
            A sua mensagem não pôde ser entregue a marcos@example.pt.
            O endereço não existe.
            """,
        ),
        "marcos@example.pt",
        R.MAILBOX_UNKNOWN,
    ),
    "italian": (
        _notice(
            "Mancata consegna del messaggio",
            """
            Impossibile recapitare il messaggio ai seguenti destinatari:

            giulia.rossi@example.it
            L'utente non esiste.
            """,
        ),
        "giulia.rossi@example.it",
        R.MAILBOX_UNKNOWN,
    ),
    "dutch": (
        _notice(
            "Onbestelbaar: Les 3",
            """
            Uw bericht kon niet worden afgeleverd bij de volgende ontvanger:

            pieter@example.nl
            De mailbox is vol.
            """,
        ),
        "pieter@example.nl",
        R.MAILBOX_FULL,
    ),
    "polish": (
        _notice(
            "Wiadomość niedostarczona",
            """
            Nie można dostarczyć wiadomości do adresata:

            anna.nowak@example.pl
            Powód: adres nie istnieje
            """,
        ),
        "anna.nowak@example.pl",
        R.MAILBOX_UNKNOWN,
    ),
    "czech": (
        _notice(
            "Nedoručitelná zpráva",
            """
            Zprávu nelze doručit následujícímu příjemci:

            jan.novak@example.cz
            Schránka je plná.
            """,
        ),
        "jan.novak@example.cz",
        R.MAILBOX_FULL,
    ),
    "turkish": (
        _notice(
            "Ileti teslim edilemedi",
            """
            Mesajınız aşağıdaki alıcıya iletilemedi:

            ayse@example.com.tr
            Neden: posta kutusu dolu
            """,
        ),
        "ayse@example.com.tr",
        R.MAILBOX_FULL,
    ),
    "swedish": (
        _notice(
            "Olevererbart meddelande",
            """
            Meddelandet kunde inte levereras till följande mottagare:

            erik@example.se
            Adressen finns inte.
            """,
        ),
        "erik@example.se",
        R.MAILBOX_UNKNOWN,
    ),
    "norwegian": (
        _notice(
            "Melding ikke levert",
            """
            Meldingen kunne ikke leveres til:

            ingrid@example.no
            Postboksen er full.
            """,
        ),
        "ingrid@example.no",
        R.MAILBOX_FULL,
    ),
    "finnish": (
        _notice(
            "Viestin toimitus",
            """
            Viestiä ei voitu toimittaa vastaanottajalle mikko@example.fi.
            Osoitetta ei ole olemassa.
            """,
        ),
        "mikko@example.fi",
        R.MAILBOX_UNKNOWN,
    ),
    "ukrainian": (
        _notice(
            "Лист не доставлено",
            """
            Не вдалося доставити лист отримувачу:

            oksana@example.com.ua
            Причина: поштова скринька переповнена.
            """,
        ),
        "oksana@example.com.ua",
        R.MAILBOX_FULL,
    ),
}


@pytest.mark.parametrize("name", list(LANGUAGES))
def test_a_notice_in_another_language_is_a_bounce_with_its_reason(name: str) -> None:
    raw, address, reason = LANGUAGES[name]
    recipient, got, _, rule = _only(raw)
    assert (recipient, got) == (address, reason), rule


def test_a_gateway_that_says_receiver_not_found_means_the_mailbox() -> None:
    raw = _notice(
        "Undeliverable Message",
        """
        Receiver not found: pat.lee@gateway.example

        Your message could not be delivered as addressed.
        """,
        sender="postmaster@gateway.example",
    )
    assert _only(raw)[:3] == ("pat.lee@gateway.example", R.MAILBOX_UNKNOWN, BounceType.HARD)


def _postfix(said: str) -> bytes:
    """Postfix's notice around the lines it writes about a recipient (``said``, dedented)."""
    return _notice(
        "Undelivered Mail Returned to Sender",
        "This is the mail system at host mx.example.net.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients.\n\n" + dedent(said),
    )


NAME_SERVICE = """
<{address}>: Host or domain name not found. Name service error for
    name={domain} type=MX: Host not found{tail}
"""


def test_a_resolver_that_says_try_again_is_a_dns_problem_not_a_missing_domain() -> None:
    raw = _postfix(
        NAME_SERVICE.format(
            address="sam@flaky-dns.example", domain="flaky-dns.example", tail=", try again"
        )
    )
    assert _only(raw) == (
        "sam@flaky-dns.example",
        R.DNS_ERROR,
        BounceType.SOFT,
        "phrase:dns-try-again",
    )


def test_a_resolver_that_says_the_host_is_not_found_is_a_missing_domain() -> None:
    raw = _postfix(NAME_SERVICE.format(address="sam@gone.example", domain="gone.example", tail=""))
    assert _only(raw)[1:3] == (R.DOMAIN_UNKNOWN, BounceType.HARD)


def _report(address: str, diagnostic_code: str, *, human: str = "Delivery failed.") -> bytes:
    """An RFC 3464 report of one failed recipient under 5.0.0, a status that decides nothing."""
    return dsn(
        headers=daemon_headers("Delivery Status Notification (Failure)"),
        human=human,
        per_message="Reporting-MTA: dns; mx.example.net",
        per_recipient=[
            f"""
            Final-Recipient: rfc822; {address}
            Action: failed
            Status: 5.0.0
            Diagnostic-Code: {diagnostic_code}
            """
        ],
        original=original(address),
    )


def test_a_temporary_failure_in_name_resolution_stays_soft_in_a_report() -> None:
    raw = _report(
        "lee@resolver.example",
        "X-Postfix; delivery failed: Temporary failure in name resolution",
        human="Your message could not be delivered after several days.",
    )
    assert _only(raw)[:3] == ("lee@resolver.example", R.DNS_ERROR, BounceType.SOFT)


def test_a_delivery_command_that_asks_to_be_tried_again_is_soft() -> None:
    raw = _postfix(
        """
        <fay@lda.example>: Command died with status 75: "/usr/bin/procmail". Command output:
            procmail: Couldn't create "/var/mail/fay" Lock failure
        """
    )
    assert _only(raw) == (
        "fay@lda.example",
        R.SERVER_UNAVAILABLE,
        BounceType.SOFT,
        "phrase:lda-failure",
    )


def test_the_sender_address_named_in_a_refusal_is_no_recipient() -> None:
    # The notice's own headers name another address than the refused sender (a forwarded or
    # rewritten bounce), so only the words after the address tell it is the sender's.
    raw = _postfix(
        """
        <yan@rcpt.example>: host mx.rcpt.example[192.0.2.1] said: 553 5.1.8 <news@school.example>: Sender address rejected: Domain not found (in reply to RCPT TO command)
        """
    )
    assert _only(raw)[0] == "yan@rcpt.example"


def _outlook(address: str, words: str) -> bytes:
    return text_message(
        daemon_headers(
            "Undeliverable: Lesson 3", sender="postmaster@outlook.example", name="Microsoft Outlook"
        ),
        f"""
Delivery has failed to these recipients or groups:

{address}
{words}
""",
    )


def _gmail(heading: str, words: str) -> bytes:
    return text_message(
        daemon_headers(
            "Delivery Status Notification (Failure)", sender="mailer-daemon@googlemail.example"
        ),
        f"""
** {heading} **

{words}
""",
    )


# The big providers' own sentences, with no code beside them (a gateway that keeps only the
# human part, a notice forwarded as text): the words alone must give the reason.
PROVIDER_SENTENCES = {
    "outlook, address": (
        _outlook(
            "amy@o.example",
            "The email address you entered couldn't be found. Please check the recipient's email address and try to resend the message.",
        ),
        R.MAILBOX_UNKNOWN,
    ),
    "outlook, domain": (
        _outlook(
            "ben@nodomain.example",
            "The domain you attempted to contact doesn't exist. This could be because the domain name was misspelled.",
        ),
        R.DOMAIN_UNKNOWN,
    ),
    "outlook, no answer in time": (
        _outlook(
            "cy@o.example",
            "The message couldn't be delivered because the destination server didn't respond in time. Microsoft Exchange will not try to redeliver this message for you.",
        ),
        R.SERVER_UNAVAILABLE,
    ),
    "outlook, dns settings": (
        _outlook(
            "di@o.example",
            "Your message wasn't delivered because of a problem with the recipient's DNS settings.",
        ),
        R.DNS_ERROR,
    ),
    "gmail, out of storage": (
        _gmail(
            "Message not delivered",
            "Your message couldn't be delivered to ed@g.example because the recipient's inbox is out of storage space.",
        ),
        R.MAILBOX_FULL,
    ),
    "gmail, domain under 'address not found'": (
        _gmail(
            "Address not found",
            "Your message wasn't delivered to flo@nowhere.example because the domain nowhere.example couldn't be found. Check for typos or unnecessary spaces and try again.",
        ),
        R.DOMAIN_UNKNOWN,
    ),
}


@pytest.mark.parametrize("name", list(PROVIDER_SENTENCES))
def test_a_providers_own_sentence_gives_the_reason(name: str) -> None:
    raw, reason = PROVIDER_SENTENCES[name]
    assert _only(raw)[1] == reason


def test_the_senders_missing_domain_is_no_missing_recipient_domain() -> None:
    raw = _postfix(
        """
        <gus@rcpt.example>: host mx.rcpt.example[192.0.2.1] said: 550 Sender domain does not exist (in reply to MAIL FROM command)
        """
    )
    assert _only(raw)[1] is not R.DOMAIN_UNKNOWN


def test_a_reply_code_stuck_to_a_quoted_address_is_not_part_of_it() -> None:
    raw = _notice(
        "Undeliverable: Lesson 3",
        """
        The following message to <hal@corp.example> was undeliverable.
        The reason for the problem:
        5.1.0 - Unknown address error 550-'hal@corp.example... User unknown'
        """,
    )
    assert _only(raw)[:2] == ("hal@corp.example", R.MAILBOX_UNKNOWN)


def test_a_server_that_ran_out_of_attempts_gave_up_for_now() -> None:
    raw = _notice(
        "Undeliverable message",
        """
        I was unable to deliver your message to the following addresses:

        ida@slow.example
        Maximum number of delivery attempts exceeded
        """,
    )
    assert _only(raw)[1:3] == (R.SERVER_UNAVAILABLE, BounceType.SOFT)


def test_recipients_listed_before_one_reason_all_take_it() -> None:
    raw = _notice(
        "Delivery failure",
        """
        Delivery failed for the following recipient(s):
        jo@list.example
        kim@list.example

        Reason: No such user.
        """,
    )
    got = {r.recipient: r.reason for r in parse_message(raw).recipients}
    assert got == {"jo@list.example": R.MAILBOX_UNKNOWN, "kim@list.example": R.MAILBOX_UNKNOWN}


def test_recipients_with_reasons_of_their_own_keep_them() -> None:
    raw = _notice(
        "Delivery failure",
        """
        Delivery failed for the following recipient(s):

        lou@list.example
          Mailbox is full.

        max@list.example
          No such user.
        """,
    )
    got = {r.recipient: r.reason for r in parse_message(raw).recipients}
    assert got == {"lou@list.example": R.MAILBOX_FULL, "max@list.example": R.MAILBOX_UNKNOWN}


RUSSIAN_NOTICE = """
Ваше сообщение не может быть доставлено.

Адрес: {address}
Причина: почтовый ящик переполнен
"""


@pytest.mark.parametrize("codec", ["cp1251", "koi8-r"])
def test_russian_text_that_names_no_charset_is_read_in_its_codepage(codec: str) -> None:
    # Russian mail systems of the 2000s sent 8-bit windows-1251 or KOI8-R without a charset.
    raw = text_message(
        daemon_headers("Mail failure", sender="mailer-daemon@mx.example.ru"),
        RUSSIAN_NOTICE.format(address="vera@mail.example.ru"),
        charset=codec,
        mime=False,
    )
    assert _only(raw)[:2] == ("vera@mail.example.ru", R.MAILBOX_FULL)


def test_western_text_that_names_no_charset_stays_latin_1() -> None:
    raw = text_message(
        daemon_headers("Unzustellbar", sender="mailer-daemon@mx.example.de"),
        """
        Ihre Nachricht konnte nicht zugestellt werden.

        Empfänger: jörg@example.de
        Grund: Empfänger unbekannt. Grüße
        """,
        charset="latin-1",
        mime=False,
    )
    recipient, reason, _, _ = _only(raw)
    assert recipient.startswith("j") and recipient.endswith("rg@example.de")
    assert reason is R.MAILBOX_UNKNOWN


def _robot(sender: str, subject: str, body: str) -> bytes:
    return text_message(
        "Return-Path: <>\n"
        f"From: {sender}\n"
        "To: bounces+1234@mail.example.org\n"
        f"Subject: {subject}\n"
        "Date: Tue, 14 May 2024 09:01:00 +0000\n"
        "Message-ID: <robot-1@mx.example.ru>\n"
        "Auto-Submitted: auto-replied\n",
        body,
    )


def test_a_no_reply_robots_failure_notice_is_a_bounce_though_marked_auto_replied() -> None:
    # No code, no report, the RFC 3834 marker: from a person that is an out-of-office answer;
    # from a provider's no-reply robot it is the provider's notice.
    raw = _robot(
        "noreply@mail.example.ru",
        "Письмо не доставлено",
        "Ваше письмо не было доставлено адресату nina@mail.example.ru: адресат не найден.\n",
    )
    assert _only(raw)[:2] == ("nina@mail.example.ru", R.MAILBOX_UNKNOWN)


def test_a_no_reply_robots_acknowledgement_is_still_no_bounce() -> None:
    raw = _robot(
        "no-reply@helpdesk.example",
        "We received your request",
        "Thank you for writing to us. Your request has been received and will be answered soon.\n",
    )
    assert parse_message(raw).kind is not Kind.FAILED


# Diagnostics under a status that decides nothing (5.0.0): the words alone give the reason.
DIAGNOSTICS = {
    "553 Requested action not taken: mailbox name not allowed": R.MAILBOX_UNKNOWN,
    "550 Not our customer": R.MAILBOX_UNKNOWN,
    "550 Recipient address rejected: unverified address: host mx.example.net said: 550 no such user": R.MAILBOX_UNKNOWN,
    "550 Recipient verification failed": R.MAILBOX_UNKNOWN,
    "550 Mailbox is frozen": R.MAILBOX_UNKNOWN,
    "550 Protocol violation": R.REJECTED,
    "550 SC-001 Mail rejected by Outlook.com for policy reasons": R.SENDER_REPUTATION,
    "550 DY-001 Mail rejected by Outlook.com for policy reasons": R.SENDER_REPUTATION,
    "421 RP-001 The mail server IP connecting to Outlook.com has exceeded the rate limit allowed": R.SENDER_REPUTATION,
    "550 5.7.606 Access denied, banned sending IP [192.0.2.10]": R.SENDER_REPUTATION,
}


@pytest.mark.parametrize("diagnostic", list(DIAGNOSTICS))
def test_the_words_of_a_diagnostic_give_its_reason(diagnostic: str) -> None:
    raw = _report("uma@words.example", f"smtp; {diagnostic}")
    assert _only(raw)[1] == DIAGNOSTICS[diagnostic]


def _from_info(return_path: str) -> bytes:
    return text_message(
        f"Return-Path: {return_path}\n"
        "From: Support <info@provider.example>\n"
        "To: bounces+1234@mail.example.org\n"
        "Subject: Returned mail\n"
        "Date: Tue, 14 May 2024 09:01:00 +0000\n"
        "Message-ID: <rp-2@provider.example>\n",
        "[wes@provider.example] The recipient is unknown\n",
    )


@pytest.mark.parametrize("return_path", ["<>", "<MAILER-DAEMON>", "<MAILER-DAEMON@mx.example.net>"])
def test_the_null_sender_by_any_of_its_names_marks_a_mail_systems_notice(return_path: str) -> None:
    # From a provider's "info@", in words with no code: the null reverse path alone says it.
    assert _only(_from_info(return_path))[:2] == ("wes@provider.example", R.MAILBOX_UNKNOWN)


def test_a_persons_return_path_makes_no_mail_systems_notice() -> None:
    assert parse_message(_from_info("<info@provider.example>")).kind is not Kind.FAILED


def test_a_relays_notice_that_attaches_the_real_bounce_reads_the_attached_one() -> None:
    inner = _postfix(
        """
        <zoe@inner.example>: host mx.inner.example[192.0.2.1] said: 550 5.1.1 <zoe@inner.example>: Recipient address rejected: User unknown
        """
    ).decode()
    raw = (
        "Return-Path: <>\n"
        "From: Mail Relay <relay@gw.example>\n"
        "To: bounces+1@mail.example.org\n"
        "Subject: Returned mail\n"
        "Date: Tue, 14 May 2024 09:01:00 +0000\n"
        "Message-ID: <wrap-1@gw.example>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b1"\n'
        "\n"
        "--b1\n"
        "Content-Type: text/plain\n"
        "\n"
        "The attached message was returned to the relay.\n"
        "\n"
        "--b1\n"
        "Content-Type: message/rfc822\n"
        "\n"
        f"{inner}\n"
        "--b1--\n"
    ).encode()
    # Not the attachment's To (the platform's own bounce address): the recipient it names.
    assert _only(raw)[:2] == ("zoe@inner.example", R.MAILBOX_UNKNOWN)
