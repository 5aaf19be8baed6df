"""Mail that reaches the bounce mailbox but is not a delivery failure, and true bounces near that line.

The platform's envelope sender (the bounce mailbox) also receives spam and phishing dressed up as
bounces, people's replies and forwards, newsletters, ticket acknowledgements, list-server notices,
quarantine digests, DMARC/TLS reports, provider account notices and so on. A message wrongly read
as ``failed`` or ``complaint`` suppresses real people's addresses platform-wide, so every case
below names the kinds a careful reader would accept:

* ``NOT`` — plainly not a bounce.
* ``NOT_OR_UNPARSEABLE`` — an imitation of a bounce (phishing) or a person quoting/forwarding one
  with a question: "a bounce naming nobody" is a fair answer too, a failure is not. docs/design.md:
  nothing is lost when a message is not counted, and support should see it.
* ``AUTO`` / ``AUTO_OR_NOT`` — automatic replies (vacation, ticket acknowledgements, challenges).
* ``DELAYED`` / ``DELIVERED`` / ``RECEIPT`` — warnings, success reports, read receipts.

The last group are genuine bounces that look unlike the usual ones (forwarded by a script, echoed
"Re:" subjects, non-daemon senders, HTML with links, JSON): they must stay ``failed`` with exactly
the failed recipients, so that the guard holds on both sides.

Every message is hand-written (example domains, made-up people).
"""

# Messages keep their real long lines, fullwidth punctuation and non-Latin letters.
# ruff: noqa: E501, RUF001

from __future__ import annotations

import base64
import gzip
import io
import json
import textwrap
import zipfile
import zlib

import pytest

from suppression.dsn import Kind, parse_message
from suppression.taxonomy import Reason
from tests.dsn._builders import indent as _indent
from tests.dsn._builders import plain as _m

R = Reason
NOT = frozenset({Kind.NOT_A_BOUNCE})
NOT_OR_UNPARSEABLE = frozenset({Kind.NOT_A_BOUNCE, Kind.UNPARSEABLE})
AUTO = frozenset({Kind.AUTO_REPLY})
AUTO_OR_NOT = frozenset({Kind.AUTO_REPLY, Kind.NOT_A_BOUNCE})
# held for verification or moderation: not a failure; "delayed" is a fair reading too.
HELD = frozenset({Kind.AUTO_REPLY, Kind.NOT_A_BOUNCE, Kind.DELAYED})
DELAYED = frozenset({Kind.DELAYED})
DELIVERED = frozenset({Kind.DELIVERED})
RECEIPT = frozenset({Kind.NOT_A_BOUNCE, Kind.DELIVERED})
FAILED = frozenset({Kind.FAILED})

MU = frozenset({R.MAILBOX_UNKNOWN})
FULL = frozenset({R.MAILBOX_FULL})
SPAM = frozenset({R.SPAM_FILTERED})

BOUNCES = "bounces+1234@mail.example.org"


def _b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii")


def _b64text(text: str) -> str:
    return _b64(textwrap.dedent(text).lstrip("\n").encode("utf-8"))


def _zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 5, 15, 0, 0, 0)), data)
    return buffer.getvalue()


# ============================================================================================
# Phishing and spam dressed as bounces
# ============================================================================================

PHISH_RELEASE_PENDING_HTML = _m(
    """
    Return-Path: <info@mailservice-notify.example.net>
    Received: from mailservice-notify.example.net (unknown [203.0.113.77])
    \tby mx1.mail.example.org (Postfix) with ESMTP id 4Vq1Zx2k3m
    \tfor <bounces+1234@mail.example.org>; Wed, 15 May 2024 03:12:44 +0000 (UTC)
    From: "Mail Delivery Subsystem" <mailer-daemon@mailservice-notify.example.net>
    To: bounces+1234@mail.example.org
    Subject: Mail Delivery Failure: 4 incoming messages for bounces+1234@mail.example.org
    Date: Wed, 15 May 2024 05:12:40 +0200
    Message-ID: <a81c2f.4471@mailservice-notify.example.net>
    MIME-Version: 1.0
    Content-Type: text/html; charset="utf-8"
    Content-Transfer-Encoding: 7bit

    <html><body style="font-family:Arial">
    <p><b>mail.example.org</b> Mail Server</p>
    <p>Dear bounces+1234@mail.example.org,</p>
    <p>4 incoming messages could not be delivered to your inbox due to a system delay on our server on 5/15/2024.</p>
    <p>Delivery failed: the messages are on hold pending your confirmation.</p>
    <p><a href="https://mailservice-notify.example.net/release?u=bounces%2B1234%40mail.example.org" style="background:#0078d4;color:#fff;padding:8px">Release pending messages to inbox</a></p>
    <p>Note: messages not released within 24 hours will be deleted permanently.</p>
    <p>&copy; 2024 mail.example.org Email Administrator</p>
    </body></html>
    """
)

# Spoofs our own postmaster, carries a fake "550 5.1.1" inside an HTML table, links out.
PHISH_FAKE_550_HTML = _m(
    """
    Return-Path: <w3bmail@compromised-shop.example.com>
    Received: from compromised-shop.example.com (compromised-shop.example.com [198.51.100.201])
    \tby mx1.mail.example.org (Postfix) with ESMTP id 4Vq2AbCdEf
    \tfor <bounces+1234@mail.example.org>; Wed, 15 May 2024 07:40:02 +0000 (UTC)
    From: "postmaster@mail.example.org" <w3bmail@compromised-shop.example.com>
    To: bounces+1234@mail.example.org
    Subject: Undelivered Mail Returned to Sender
    Date: Wed, 15 May 2024 07:40:00 +0000
    Message-ID: <20240515074000.77a1@compromised-shop.example.com>
    MIME-Version: 1.0
    Content-Type: text/html; charset="iso-8859-1"

    <html><body>
    <p>This is the mail system at host mail.example.org.</p>
    <p>Your message could not be delivered to one or more recipients.</p>
    <table border="0">
    <tr><td><b>Recipient:</b></td><td>finance@mail.example.org</td></tr>
    <tr><td><b>Reason:</b></td><td>550 5.1.1 Mailbox verification required. Messages to this mailbox are suspended until the owner verifies the account.</td></tr>
    </table>
    <p>To restore delivery and resend your 3 undelivered messages, <a href="https://verify-mailbox.example.net/owa/?email=bounces%2B1234%40mail.example.org">VERIFY YOUR MAILBOX</a> within 24 hours.</p>
    <p>Mail System Administrator</p>
    </body></html>
    """
)

# "Email delivery failed: release your pending messages" with a table of senders.
PHISH_PENDING_SENDERS = _m(
    """
    Return-Path: <admin@mail-quarantine-center.example.net>
    From: "Email Administrator" <admin@mail-quarantine-center.example.net>
    To: bounces+1234@mail.example.org
    Subject: Email delivery failed: release your 3 pending messages
    Date: Wed, 15 May 2024 09:01:13 +0000
    Message-ID: <c0ffee.3391@mail-quarantine-center.example.net>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Message delivery failure for bounces+1234@mail.example.org

    The following incoming messages could not be delivered to your mailbox and are
    being held on the server:

      Sender                            Subject                          Date
      payments@billing.example.com      Invoice INV-20931 overdue        5/14/2024
      olena.hr@example.com              Updated salary schedule          5/14/2024
      share-noreply@files.example.net   Shared document "Q2 plan.pdf"    5/15/2024

    Click below to release the messages to your inbox:
    https://mail-quarantine-center.example.net/release?id=88213

    Messages that are not released within 48 hours will be deleted.

    mail.example.org Email Administrator
    """
)

PHISH_MAILBOX_FULL_UPGRADE = _m(
    """
    Return-Path: <helpdesk@it-support-center.example.net>
    From: "IT Helpdesk" <helpdesk@it-support-center.example.net>
    To: bounces+1234@mail.example.org
    Subject: Your mailbox is full - action required
    Date: Thu, 16 May 2024 06:20:00 +0000
    Message-ID: <quota.5512@it-support-center.example.net>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Dear user,

    Your mailbox bounces+1234@mail.example.org has exceeded its storage limit of 2 GB
    (2.1 GB used). You will not be able to send or receive new messages, and incoming
    messages will be returned to the sender.

    To increase your mailbox quota for free, click here:
    http://it-support-center.example.net/upgrade?user=bounces

    Thank you,
    IT Helpdesk
    """
)

PHISH_RU_DAEMON = _m(
    """
    Return-Path: <noreply@pochta-service.example.net>
    From: =?utf-8?b?0J/QvtGH0YLQvtCy0LDRjyDRgdC70YPQttCx0LA=?= <mailer-daemon@pochta-service.example.net>
    To: bounces+1234@mail.example.org
    Subject: =?utf-8?b?0J7RiNC40LHQutCwINC00L7RgdGC0LDQstC60Lg6INCy0LDRiCDQv9C+0YfRgtC+0LLRi9C5INGP0YnQuNC6INC/0LXRgNC10L/QvtC70L3QtdC9?=
    Date: Thu, 16 May 2024 08:00:00 +0300
    Message-ID: <ru.8812@pochta-service.example.net>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8
    Content-Transfer-Encoding: 8bit

    Уважаемый пользователь bounces+1234@mail.example.org!

    Ваш почтовый ящик переполнен. 7 входящих писем не доставлены и ожидают на сервере.
    Чтобы получить письма, подтвердите учётную запись по ссылке:
    https://pochta-service.example.net/confirm?id=7731

    Если вы не подтвердите учётную запись в течение 24 часов, письма будут удалены.

    Техподдержка: support@pochta-service.example.net
    """
)

# A fake Outlook NDR whose "undelivered message" is an HTML attachment with a login form.
PHISH_FAKE_OUTLOOK_NDR = _m(
    """
    Return-Path: <bounce-7721@outlook-mailsecure.example.net>
    From: Microsoft Outlook <postmaster@outlook-mailsecure.example.net>
    To: bounces+1234@mail.example.org
    Subject: Undeliverable: Payment advice - remittance copy
    Date: Thu, 16 May 2024 10:14:00 +0000
    Message-ID: <ndr.77219@outlook-mailsecure.example.net>
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="----=_NextPart_001"

    ------=_NextPart_001
    Content-Type: text/html; charset="utf-8"

    <html><body>
    <p><b>Delivery has failed to these recipients or groups:</b></p>
    <p><a href="mailto:accounts.payable@mail.example.org">accounts.payable@mail.example.org</a><br>
    The recipient's mailbox is full and can't accept messages now. Please try resending this message later.</p>
    <p>View the undelivered message in the attached document and sign in to resend it.</p>
    </body></html>

    ------=_NextPart_001
    Content-Type: text/html; name="Undelivered_Message.htm"
    Content-Disposition: attachment; filename="Undelivered_Message.htm"

    <html><head><title>Outlook Web App</title></head><body>
    <form action="https://outlook-mailsecure.example.net/owa/login.php" method="post">
    <p>Sign in to view your undelivered message</p>
    Email: <input name="u" value="bounces+1234@mail.example.org"> Password: <input type="password" name="p">
    <input type="submit" value="Sign in">
    </form>
    <script>document.forms[0].u.focus();</script>
    </body></html>

    ------=_NextPart_001--
    """
)

# A resend phish sent with a null envelope sender, so it arrives with Return-Path: <>.
PHISH_NULL_SENDER_RESEND = _m(
    """
    Return-Path: <>
    Received: from [203.0.113.9] (unknown [203.0.113.9])
    \tby mx1.mail.example.org (Postfix) with ESMTP id 4Vq9QrStUv
    \tfor <bounces+1234@mail.example.org>; Thu, 16 May 2024 11:02:10 +0000 (UTC)
    From: Mail Delivery System <no-reply@mailer-notice.example.net>
    To: bounces+1234@mail.example.org
    Subject: Message delivery failed: RE: Updated contract
    Date: Thu, 16 May 2024 11:02:08 +0000
    Message-ID: <md.55102@mailer-notice.example.net>
    MIME-Version: 1.0
    Content-Type: multipart/alternative; boundary="alt-9c1"

    --alt-9c1
    Content-Type: text/plain; charset=utf-8

    Your message to ceo@partner.example.com was not delivered.
    Error: 552 5.2.2 Recipient mailbox full.
    The message is stored in your secure outbox. Resend now:
    https://mailer-notice.example.net/resend?m=55102

    --alt-9c1
    Content-Type: text/html; charset=utf-8

    <html><body><p>Your message to <b>ceo@partner.example.com</b> was not delivered.</p>
    <p style="color:#b00">Error: 552 5.2.2 Recipient mailbox full.</p>
    <p>The message is stored in your secure outbox. <a href="https://mailer-notice.example.net/resend?m=55102">Resend now</a></p>
    </body></html>

    --alt-9c1--
    """
)

SPAM_DELIVERABILITY_PITCH = _m(
    """
    Return-Path: <jake@inboxboost.example.com>
    From: Jake from InboxBoost <jake@inboxboost.example.com>
    To: bounces+1234@mail.example.org
    Subject: mail.example.org: 18% of your emails bounce - free audit
    Date: Thu, 16 May 2024 13:30:00 +0000
    Message-ID: <outreach.91@inboxboost.example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8
    List-Unsubscribe: <mailto:unsubscribe@inboxboost.example.com>

    Hi there,

    I ran a quick check on mail.example.org and noticed that a good part of your
    campaigns are not delivered: we found addresses on your public signup forms such as
    olga.k@example.com that fail with "550 5.1.1 user unknown".

    Our list-cleaning tool removes invalid addresses before you send, so your sender
    reputation stays clean. Want a free audit? Book 15 minutes here:
    https://inboxboost.example.com/book

    Cheers,
    Jake
    Reply STOP to opt out.
    """
)

PHISH_PARCEL_FEE = _m(
    """
    Return-Path: <notice@parcel-track-info.example.net>
    From: "Parcel Delivery Service" <notice@parcel-track-info.example.net>
    To: bounces+1234@mail.example.org
    Subject: Undelivered parcel notice #PK-44710
    Date: Fri, 17 May 2024 07:45:00 +0000
    Message-ID: <pk44710@parcel-track-info.example.net>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Dear customer,

    Your parcel PK-44710 could not be delivered on 14/05/2024 because the customs
    fee (1.99 EUR) has not been paid.

    Pay the fee to schedule a new delivery: https://parcel-track-info.example.net/pay/PK-44710

    Parcels not claimed within 3 days are returned to the sender.

    Questions? help@parcel-track-info.example.net
    """
)

PHISHING_CASES = [
    pytest.param(
        PHISH_RELEASE_PENDING_HTML,
        NOT_OR_UNPARSEABLE,
        {},
        id="phish-release-pending-html-daemon-from",
    ),
    pytest.param(
        PHISH_FAKE_550_HTML,
        NOT_OR_UNPARSEABLE,
        {},
        id="phish-spoofed-postmaster-fake-550-in-html",
        marks=pytest.mark.xfail(
            reason="known limit: a phish with a bounce subject, bounce words and a 550 5.1.1 line reads as a bounce",
            strict=True,
        ),
    ),
    pytest.param(
        PHISH_PENDING_SENDERS,
        NOT_OR_UNPARSEABLE,
        {},
        id="phish-release-pending-table-of-senders",
    ),
    pytest.param(PHISH_MAILBOX_FULL_UPGRADE, NOT, {}, id="phish-mailbox-full-upgrade"),
    pytest.param(
        PHISH_RU_DAEMON,
        NOT_OR_UNPARSEABLE,
        {},
        id="phish-russian-daemon-mailbox-overfull",
    ),
    pytest.param(
        PHISH_FAKE_OUTLOOK_NDR,
        NOT_OR_UNPARSEABLE,
        {},
        id="phish-fake-outlook-ndr-html-attachment",
        marks=pytest.mark.xfail(
            reason="known limit: From postmaster@ (a daemon's address) plus bounce words: indistinguishable from a real NDR",
            strict=True,
        ),
    ),
    pytest.param(
        PHISH_NULL_SENDER_RESEND,
        NOT_OR_UNPARSEABLE,
        {},
        id="phish-null-sender-resend-fake-552",
        marks=pytest.mark.xfail(
            reason="known limit: a null Return-Path, a delivery system's name and a 552 5.2.2: every mark of a real bounce",
            strict=True,
        ),
    ),
    pytest.param(
        SPAM_DELIVERABILITY_PITCH,
        NOT,
        {},
        id="spam-deliverability-vendor-pitch",
    ),
    pytest.param(
        PHISH_PARCEL_FEE,
        NOT,
        {},
        id="phish-undelivered-parcel-fee",
    ),
]


# ============================================================================================
# People: replies, questions, forwards of a bounce
# ============================================================================================

REPLY_QUOTES_FRAGMENT = _m(
    """
    From: Olena Shevchuk <olena.shevchuk@example.com>
    To: bounces+1234@mail.example.org
    Subject: Re: Undelivered Mail Returned to Sender
    Date: Tue, 14 May 2024 14:02:11 +0300
    Message-ID: <CAF3x9q@mail.example.com>
    In-Reply-To: <20240514090005.3F1A21C0B2@mx1.mail.example.org>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Hello,

    I got this after registering my colleague for the course. Her address is correct,
    she uses it every day:

    > <iryna.b@example.net>: host mx.example.net[198.51.100.25] said: 550 5.1.1
    >     <iryna.b@example.net>: Recipient address rejected: User unknown

    Could you please check on your side? Thank you!
    Olena
    """
)

PERSON_ASKS_ABOUT_COLLEAGUE = _m(
    """
    From: Tetiana Melnyk <t.melnyk@example.com>
    To: bounces+1234@mail.example.org
    Subject: Mail delivery problem
    Date: Wed, 15 May 2024 10:15:00 +0300
    Message-ID: <5f1a.tm@example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Hello,

    since Monday your course emails are not delivered to my colleague maria.p@example.com.
    She checked the spam folder, nothing there. My own address works fine.
    Could you check why?

    Best regards,
    Tetiana
    """
)

REPLY_TO_CAMPAIGN = _m(
    """
    From: Anna Koval <anna.koval@example.net>
    To: Kwiga School <news@mail.example.org>
    Subject: Re: Lesson 4 is ready
    Date: Tue, 14 May 2024 11:00:00 +0200
    Message-ID: <r4.ak@example.net>
    In-Reply-To: <20240514090000.1111@mail.example.org>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Hi! The video link in this letter is broken, and the previous lesson email could not
    be delivered to my work address anna.work@example.net (your site said so in my account).
    Can you resend it to this address instead?

    On Tue, 14 May 2024 at 09:00, Kwiga School <news@mail.example.org> wrote:
    > Hello! Your next lesson is ready. Open the course to continue.
    """
)

# Italian Outlook replies with "R:", which is not in any English reply-prefix list.
ITALIAN_REPLY_R = _m(
    """
    From: Giulia Rossi <giulia.rossi@example.it>
    To: bounces+1234@mail.example.org
    Subject: R: Messaggio non recapitabile
    Date: Wed, 15 May 2024 09:30:00 +0200
    Message-ID: <it.r.77@example.it>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Buongiorno,

    ho ricevuto il vostro avviso: il messaggio per marco.bianchi@example.it risulta non
    recapitabile? Eppure l'indirizzo è corretto, Marco lo usa ogni giorno.
    Potete verificare?

    Grazie,
    Giulia
    """
)

# A student forwards the bounce of HIS OWN mail (to a school's teacher) with a question.
STUDENT_FORWARDS_OWN_BOUNCE = _m(
    """
    From: Bohdan Koval <bohdan.koval@example.com>
    To: bounces+1234@mail.example.org
    Subject: Fwd: Undelivered Mail Returned to Sender
    Date: Tue, 14 May 2024 12:20:00 +0300
    Message-ID: <CAB0hdan.fwd@mail.example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Hi, I tried to reply to your lesson email from my work account and got this.
    Why? Is my work address blocked?

    ---------- Forwarded message ---------
    From: Mail Delivery System <MAILER-DAEMON@mx.work.example.com>
    Date: Tue, 14 May 2024 at 12:10
    Subject: Undelivered Mail Returned to Sender
    To: <bohdan@work.example.com>


    This is the mail system at host mx.work.example.com.

    I'm sorry to have to inform you that your message could not
    be delivered to one or more recipients. It's attached below.

    <teacher@school.example.net>: host mx.school.example.net[198.51.100.40] said:
        550 5.7.1 <teacher@school.example.net>: Recipient address rejected: Access
        denied (in reply to RCPT TO command)
    """
)

COLLEAGUE_FW_WHY_BOUNCE = _m(
    """
    From: Andrii Bondar <andrii.bondar@mail.example.org>
    To: bounces+1234@mail.example.org
    Subject: FW: why did my mail bounce?
    Date: Tue, 14 May 2024 13:05:00 +0300
    Message-ID: <DB9PR.ab.fw@mail.example.org>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Hi team, a school owner (school 1234) forwarded me this. She insists that
    maria.k@example.com is a real student who opened lesson 3 last week.
    Before we suppress it, can someone check whether this is temporary on their side?

    Andrii

    -----Original Message-----
    From: Nataliia Ivanova <n.ivanova@school.example.net>
    Sent: Tuesday, May 14, 2024 12:30 PM
    To: support@mail.example.org
    Subject: why did my mail bounce?

    Hello, my student did not get lesson 4, I got this bounce notice in my dashboard:

    <maria.k@example.com>: host mx.example.com[198.51.100.7] said: 550 5.1.1
    <maria.k@example.com>: Recipient address rejected: User unknown in virtual mailbox table

    Please help!
    Nataliia
    """
)

# German "WG:" (weitergeleitet) of a full Exchange NDR, with a question on top.
GERMAN_WG_UNZUSTELLBAR = _m(
    """
    From: Jonas Weber <j.weber@schule.example.de>
    To: bounces+1234@mail.example.org
    Subject: WG: Unzustellbar: Lektion 4 ist bereit
    Date: Tue, 14 May 2024 15:40:00 +0200
    Message-ID: <AM0PR.jw.wg@schule.example.de>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Hallo, diese Meldung habe ich bekommen, als ich die Lektion an einen Schüler
    weitergeleitet habe. Die Adresse stimmt aber. Können Sie das prüfen?

    Viele Grüße
    Jonas Weber

    -----Ursprüngliche Nachricht-----
    Von: Microsoft Outlook <postmaster@schule.example.de>
    Gesendet: Dienstag, 14. Mai 2024 15:31
    An: Jonas Weber <j.weber@schule.example.de>
    Betreff: Unzustellbar: Lektion 4 ist bereit

    Ihre Nachricht hat lukas.schmidt@example.de nicht erreicht.

    lukas.schmidt wurde bei example.de nicht gefunden.

    Diagnoseinformationen für Administratoren:
    Generierender Server: FR2P281MB0001.example.de
    lukas.schmidt@example.de
    Remoteserver hat '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup' zurückgegeben.
    """
)

COLLEAGUE_FWD_INVOICE_NOT_DELIVERED = _m(
    """
    From: Svitlana Hnatiuk <s.hnatiuk@mail.example.org>
    To: bounces+1234@mail.example.org
    Subject: Fwd: Invoice 2291 not delivered
    Date: Wed, 15 May 2024 16:10:00 +0300
    Message-ID: <fwd.inv.2291@mail.example.org>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    FYI - the client says our invoice email was never delivered. Wrong mailbox?

    ---------- Forwarded message ---------
    From: Kateryna Lysenko <k.lysenko@client.example.com>
    Date: Wed, 15 May 2024 at 15:55
    Subject: Invoice 2291 not delivered
    To: <billing@mail.example.org>

    Hello, we never received invoice 2291, it was not delivered to us.
    Could you resend it to accounting@client.example.com?
    Thanks, Kateryna
    """
)

CONTACT_FORM_NOTIFICATION = _m(
    """
    From: WordPress <wordpress@school.example.net>
    To: bounces+1234@mail.example.org
    Subject: [Piano School] New contact form submission
    Date: Wed, 15 May 2024 17:00:00 +0000
    Message-ID: <wp.cf7.8812@school.example.net>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Name: Iryna Savchenko
    Email: iryna.s@example.com
    Message: Hi, I never got the lesson emails, they seem to be not delivered to my
    inbox at all. Could you check my address? Thank you.

    --
    This e-mail was sent from a contact form on Piano School (https://school.example.net)
    """
)

# A school owner uses Outlook's "forward as attachment" on a bounce of her own mail.
OWNER_FORWARDS_BOUNCE_AS_ATTACHMENT = _m(
    """
    From: Nataliia Ivanova <n.ivanova@school.example.net>
    To: bounces+1234@mail.example.org
    Subject: FW: Undeliverable: Timetable for June
    Date: Tue, 14 May 2024 17:20:00 +0300
    Message-ID: <VI1PR.ni.fwatt@school.example.net>
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="fwatt-1"

    --fwatt-1
    Content-Type: text/plain; charset=utf-8

    Hello, I sent our June timetable from my Outlook and got the attached message back.
    Is something wrong with my student's address? Please advise.

    Nataliia

    --fwatt-1
    Content-Type: message/rfc822

    From: Microsoft Outlook <postmaster@school.example.net>
    To: Nataliia Ivanova <n.ivanova@school.example.net>
    Subject: Undeliverable: Timetable for June
    Date: Tue, 14 May 2024 17:10:00 +0300
    Message-ID: <ndr.timetable@school.example.net>
    MIME-Version: 1.0
    Content-Type: multipart/report; report-type=delivery-status; boundary="ndr-inner"

    --ndr-inner
    Content-Type: text/plain; charset=us-ascii

    Your message to sofiia.m@example.com couldn't be delivered.

    --ndr-inner
    Content-Type: message/delivery-status

    Reporting-MTA: dns; school.example.net

    Final-Recipient: rfc822; sofiia.m@example.com
    Action: failed
    Status: 5.1.1
    Diagnostic-Code: smtp; 550 5.1.1 <sofiia.m@example.com>: Recipient address rejected: User unknown

    --ndr-inner--

    --fwatt-1--
    """
)

# A partner's security team reports a phishing mail that abuses our brand (not our mail).
BRAND_SPOOF_REPORT_FROM_PARTNER = _m(
    """
    From: Security Team <security@partner.example.com>
    To: bounces+1234@mail.example.org
    Subject: Phishing using your brand
    Date: Wed, 15 May 2024 12:00:00 +0000
    Message-ID: <sec.report.4471@partner.example.com>
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="spoof-4471"

    --spoof-4471
    Content-Type: text/plain; charset=utf-8

    Hello,

    several of our users have reported the attached message as spam. It pretends to come
    from your platform and links to a fake login page. Please have it taken down.

    Partner Example Security Team

    --spoof-4471
    Content-Type: message/rfc822

    From: "Kwiga Support" <support@kwiga-login.example.net>
    To: o.melnyk@partner.example.com
    Subject: Your course access expires today
    Date: Wed, 15 May 2024 08:00:00 +0000
    Message-ID: <phish.99@kwiga-login.example.net>

    Sign in to keep access: https://kwiga-login.example.net/

    --spoof-4471--
    """
)


PEOPLE_CASES = [
    pytest.param(
        REPLY_QUOTES_FRAGMENT, NOT_OR_UNPARSEABLE, {}, id="reply-re-quotes-one-bounce-line"
    ),
    pytest.param(
        PERSON_ASKS_ABOUT_COLLEAGUE,
        NOT,
        {},
        id="person-asks-why-colleague-gets-nothing",
    ),
    pytest.param(REPLY_TO_CAMPAIGN, NOT, {}, id="reply-to-campaign-mentions-undelivered"),
    pytest.param(ITALIAN_REPLY_R, NOT_OR_UNPARSEABLE, {}, id="italian-reply-R-non-recapitabile"),
    pytest.param(
        STUDENT_FORWARDS_OWN_BOUNCE,
        NOT_OR_UNPARSEABLE,
        {},
        id="student-fwd-bounce-of-his-own-mail",
    ),
    pytest.param(
        COLLEAGUE_FW_WHY_BOUNCE, NOT_OR_UNPARSEABLE, {}, id="colleague-fw-why-did-my-mail-bounce"
    ),
    pytest.param(
        GERMAN_WG_UNZUSTELLBAR,
        NOT_OR_UNPARSEABLE,
        {},
        id="german-wg-forward-of-exchange-ndr",
    ),
    pytest.param(
        COLLEAGUE_FWD_INVOICE_NOT_DELIVERED,
        NOT,
        {},
        id="colleague-fwd-invoice-not-delivered",
    ),
    pytest.param(CONTACT_FORM_NOTIFICATION, NOT, {}, id="contact-form-submission-not-delivered"),
    pytest.param(
        OWNER_FORWARDS_BOUNCE_AS_ATTACHMENT,
        NOT_OR_UNPARSEABLE,
        {},
        id="owner-forwards-bounce-as-attachment",
    ),
    pytest.param(
        BRAND_SPOOF_REPORT_FROM_PARTNER,
        NOT,
        {},
        id="partner-reports-brand-spoof-as-spam",
    ),
]


# ============================================================================================
# Automatic replies: vacation, ticket systems, challenge-response
# ============================================================================================

OOO_AUTO_SUBMITTED = _m(
    """
    From: Petra Novak <petra.novak@example.com>
    To: bounces+1234@mail.example.org
    Subject: Automatic reply: Lesson 4 is ready
    Date: Tue, 14 May 2024 09:00:31 +0000
    Message-ID: <ooo.pn.1@example.com>
    Auto-Submitted: auto-replied
    X-Auto-Response-Suppress: All
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    I'm out of the office until 20 May with limited access to email.
    For urgent matters please contact my colleague jan.dvorak@example.com.
    """
)

LEFT_COMPANY_X_AUTORESPOND = _m(
    """
    From: old.name@example.net
    To: bounces+1234@mail.example.org
    Subject: Message not delivered: Lesson 4 is ready
    Date: Tue, 14 May 2024 09:00:40 +0000
    Message-ID: <autorespond.551@example.net>
    X-Autorespond: Lesson 4 is ready
    Precedence: auto_reply
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Thank you for your email. This address is no longer in use and is not read by anyone.
    Please update your records and write to my new address: new.name@example.net
    """
)

OOO_SUBJECT_ONLY_BILINGUAL = _m(
    """
    From: Katrin Vogel <k.vogel@example.de>
    To: bounces+1234@mail.example.org
    Subject: Out of Office: Lesson 4 is ready
    Date: Tue, 14 May 2024 09:00:45 +0000
    Message-ID: <ooo.kv@example.de>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Vielen Dank für Ihre Nachricht. Ich bin bis einschließlich 24.05. nicht im Büro.
    Ihre E-Mail wird nicht weitergeleitet. In dringenden Fällen: info@example.de

    Thank you for your message. I am out of the office until 24 May.
    Your email will not be forwarded. For urgent matters: info@example.de
    """
)

RU_AUTOREPLY = _m(
    """
    From: Ирина Соколова <i.sokolova@example.ru>
    To: bounces+1234@mail.example.org
    Subject: =?utf-8?b?0JDQstGC0L7QvtGC0LLQtdGCOiDQo9GA0L7QuiA0INCz0L7RgtC+0LI=?=
    Date: Tue, 14 May 2024 12:01:00 +0300
    Message-ID: <auto.is@example.ru>
    Auto-Submitted: auto-replied
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8
    Content-Transfer-Encoding: 8bit

    Здравствуйте! Я в отпуске до 27 мая, письма не читаю.
    По срочным вопросам пишите коллеге: a.petrov@example.ru
    """
)

UNATTENDED_MAILBOX_REPLY = _m(
    """
    From: Example Shop <noreply@shop.example.com>
    To: bounces+1234@mail.example.org
    Subject: Your email could not be delivered
    Date: Tue, 14 May 2024 09:01:00 +0000
    Message-ID: <unattended.9@shop.example.com>
    Auto-Submitted: auto-replied
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    This is an automated message. This mailbox is unattended, so your email could not be
    delivered to a person. Please contact us through https://shop.example.com/help instead.
    """
)

TICKET_ACK = _m(
    """
    From: Example Support <support@helpdesk.example.com>
    To: bounces+1234@mail.example.org
    Subject: [Ticket #48213] We received your request
    Date: Tue, 14 May 2024 09:02:00 +0000
    Message-ID: <ticket.48213.ack@helpdesk.example.com>
    Auto-Submitted: auto-generated
    X-Auto-Response-Suppress: All
    Precedence: bulk
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Hello,

    Thank you for contacting Example Support. Your request has been received and
    ticket #48213 has been created. An agent will reply within one business day.

    To add information, reply to this email and keep the ticket number in the subject.

    Example Support Team
    """
)

# The ticket system echoes the requester's subject and summary, which speak of non-delivery.
TICKET_ACK_UNDELIVERED_SUBJECT = _m(
    """
    From: Help Center <help@desk.example.net>
    To: bounces+1234@mail.example.org
    Subject: [#55102] Re: Undelivered course materials
    Date: Wed, 15 May 2024 08:00:00 +0000
    Message-ID: <zd.55102.1@desk.example.net>
    Precedence: bulk
    X-Auto-Response-Suppress: OOF, AutoReply
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    ##- Please type your reply above this line -##

    Your request (#55102) has been received and is being reviewed by our support staff.

    Summary of your request:
    "Since Monday the course emails are not delivered to anna.p@example.com."

    To add additional comments, reply to this email.

    Help Center
    """
)

CHALLENGE_AUTO_SUBMITTED = _m(
    """
    From: "Spam Shield" <verify@challenge.example.net>
    To: bounces+1234@mail.example.org
    Subject: Please confirm your message to dmytro@example.net
    Date: Tue, 14 May 2024 09:03:00 +0000
    Message-ID: <cr.8f31@challenge.example.net>
    Auto-Submitted: auto-replied
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Hello,

    You recently sent a message to dmytro@example.net. To protect against spam,
    dmytro@example.net uses a challenge-response system, and your message has not been
    delivered yet.

    Please click the link below once to confirm that you are a real person; your message
    will then be delivered: https://challenge.example.net/c/8f31

    If you do not confirm within 7 days, your message will be deleted.
    """
)

CHALLENGE_NOT_DELIVERED_SUBJECT = _m(
    """
    From: "Mail Guard" <mailguard@example.net>
    To: bounces+1234@mail.example.org
    Subject: [Verification required] Your message to dmytro@example.net was not delivered yet
    Date: Tue, 14 May 2024 09:03:30 +0000
    Message-ID: <mg.2231@example.net>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Your message "Lesson 4 is ready" to dmytro@example.net is held because the recipient
    only accepts mail from approved senders. It has not been delivered yet.

    Approve yourself as a sender here: https://example.net/mailguard/approve?id=2231

    Unconfirmed messages are deleted after 5 days.
    """
)

ABUSE_DESK_ACK = _m(
    """
    From: Abuse Desk <abuse@hosting.example.net>
    To: bounces+1234@mail.example.org
    Subject: Re: Spam from 198.51.100.23 [AB-2291]
    Date: Thu, 16 May 2024 10:00:00 +0000
    Message-ID: <ab2291.ack@hosting.example.net>
    Auto-Submitted: auto-replied
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Thank you for your report. We received your abuse report and assigned it the
    reference AB-2291. Our team reviews every report; we do not always reply individually.

    Hosting Example Abuse Team
    """
)

# The abuse desk acknowledges OUR spam complaint and attaches the spam we reported, which was
# addressed to a team mailbox of ours.
ABUSE_DESK_ACK_WITH_REPORTED_MESSAGE = _m(
    """
    From: Abuse Desk <abuse@hosting.example.net>
    To: bounces+1234@mail.example.org
    Subject: [AB-2300] Your report has been received
    Date: Thu, 16 May 2024 10:30:00 +0000
    Message-ID: <ab2300.ack@hosting.example.net>
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="ab-2300"

    --ab-2300
    Content-Type: text/plain; charset=utf-8

    Thank you. Your spam complaint about 198.51.100.23 has been received and assigned
    the reference AB-2300. A copy of the reported message is attached for your records.

    --ab-2300
    Content-Type: message/rfc822

    From: "Crypto Profit" <win@spammer.example.com>
    To: olga.team@mail.example.org
    Subject: You have 1 BTC waiting
    Date: Wed, 15 May 2024 22:10:00 +0000
    Message-ID: <spam.1@spammer.example.com>

    Claim now!

    --ab-2300--
    """
)

AUTH_VERIFIER_REPLY = _m(
    """
    From: check-auth@verifier.example.net
    To: bounces+1234@mail.example.org
    Subject: Authentication Report
    Date: Thu, 16 May 2024 11:00:00 +0000
    Message-ID: <auth.report.7710@verifier.example.net>
    Auto-Submitted: auto-replied
    MIME-Version: 1.0
    Content-Type: text/plain; charset=us-ascii

    This message is an automatic response from the authentication verifier service.
    The service checked the message you sent and reports the results below.

    ==========================================================
    Summary of Results
    ==========================================================
    SPF check:          fail
    "iprev" check:      pass
    DKIM check:         pass
    SpamAssassin check: ham

    ==========================================================
    Details:
    ==========================================================
    SPF check details:
    Result:         fail (not permitted)
    ID(s) verified: smtp.mailfrom=bounces+1234@mail.example.org
    DNS record(s):
        mail.example.org. SPF (no records)
        mail.example.org. 300 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"

    DKIM check details:
    Result:         pass (matches From: news@mail.example.org)
    ID(s) verified: header.d=mail.example.org
    """
)

AUTO_CASES = [
    pytest.param(OOO_AUTO_SUBMITTED, AUTO, {}, id="ooo-auto-submitted"),
    pytest.param(
        LEFT_COMPANY_X_AUTORESPOND, AUTO_OR_NOT, {}, id="left-company-autorespond-names-new-address"
    ),
    pytest.param(OOO_SUBJECT_ONLY_BILINGUAL, AUTO, {}, id="ooo-subject-only-german-english"),
    pytest.param(RU_AUTOREPLY, AUTO, {}, id="ooo-russian-avtootvet"),
    pytest.param(
        UNATTENDED_MAILBOX_REPLY,
        AUTO_OR_NOT,
        {},
        id="unattended-mailbox-could-not-be-delivered-to-a-person",
    ),
    pytest.param(TICKET_ACK, AUTO_OR_NOT, {}, id="ticket-ack-auto-generated"),
    pytest.param(
        TICKET_ACK_UNDELIVERED_SUBJECT,
        AUTO_OR_NOT,
        {},
        id="ticket-ack-echoes-undelivered-subject",
    ),
    pytest.param(CHALLENGE_AUTO_SUBMITTED, HELD, {}, id="challenge-response-auto-submitted"),
    pytest.param(
        CHALLENGE_NOT_DELIVERED_SUBJECT,
        HELD,
        {},
        id="challenge-response-not-delivered-yet-subject",
    ),
    pytest.param(ABUSE_DESK_ACK, AUTO_OR_NOT, {}, id="abuse-desk-ack"),
    pytest.param(
        ABUSE_DESK_ACK_WITH_REPORTED_MESSAGE,
        AUTO_OR_NOT,
        {},
        id="abuse-desk-ack-attaches-reported-spam",
    ),
    pytest.param(AUTH_VERIFIER_REPLY, AUTO_OR_NOT, {}, id="spf-dkim-verifier-auto-reply"),
]


# ============================================================================================
# Receipts, recalls
# ============================================================================================

MDN_DELETED_UNREAD = _m(
    """
    From: Serhii Lytvyn <s.lytvyn@example.com>
    To: bounces+1234@mail.example.org
    Subject: Not read: Lesson 4 is ready
    Date: Fri, 17 May 2024 08:00:00 +0300
    Message-ID: <mdn.notread.12@example.com>
    MIME-Version: 1.0
    Content-Type: multipart/report; report-type=disposition-notification;
    \tboundary="----=_mdn_12"

    ------=_mdn_12
    Content-Type: text/plain; charset=utf-8

    Your message

      To:      s.lytvyn@example.com
      Subject: Lesson 4 is ready
      Sent:    Tuesday, 14 May 2024 09:00:00 +0000

    was deleted without being read on Friday, 17 May 2024 08:00:00 +0300.

    ------=_mdn_12
    Content-Type: message/disposition-notification

    Reporting-UA: mail.example.com; Microsoft Exchange Server
    Final-Recipient: rfc822;s.lytvyn@example.com
    Original-Message-ID: <20240514090000.4411@mail.example.org>
    Disposition: automatic-action/MDN-sent-automatically; deleted

    ------=_mdn_12--
    """
)

# Exchange 2003-style delivery receipt: "System Administrator", text only.
EXCHANGE_DELIVERED_RECEIPT_TEXT = _m(
    """
    From: System Administrator <postmaster@example.com>
    To: bounces+1234@mail.example.org
    Subject: Delivered: Lesson 4 is ready
    Date: Tue, 14 May 2024 09:00:09 +0000
    Message-ID: <receipt.5501@example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=us-ascii

    Your message

      Subject:  Lesson 4 is ready
      Sent:     14/05/2024 09:00

    was delivered to the following recipient(s):

           anna.p@example.com on 14/05/2024 09:00
    """
)

RECALL_REQUEST = _m(
    """
    From: Petro Danylenko <petro.d@example.com>
    To: bounces+1234@mail.example.org
    Subject: Recall: Lesson 4 question
    Date: Tue, 14 May 2024 16:00:00 +0300
    Message-ID: <recall.pd.1@example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Petro Danylenko would like to recall the message, "Lesson 4 question".
    """
)

RECALL_FAILURE_REPORT = _m(
    """
    From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.com>
    To: bounces+1234@mail.example.org
    Subject: Message Recall Failure: Invoice 2291
    Date: Tue, 14 May 2024 16:05:00 +0000
    Message-ID: <recall.report.2291@example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Your message

    To: anna.p@example.com
    Subject: Invoice 2291
    Sent: 14/05/2024 15:58

    could not be recalled. The recipient anna.p@example.com had already read the message
    before the recall request was processed.
    """
)

RECEIPT_CASES = [
    pytest.param(MDN_DELETED_UNREAD, RECEIPT, {}, id="mdn-deleted-without-being-read"),
    pytest.param(
        EXCHANGE_DELIVERED_RECEIPT_TEXT,
        RECEIPT,
        {},
        id="exchange2003-text-delivered-receipt",
    ),
    pytest.param(RECALL_REQUEST, NOT, {}, id="outlook-recall-request"),
    pytest.param(RECALL_FAILURE_REPORT, NOT, {}, id="outlook-recall-failure-report"),
]


# ============================================================================================
# Mailing lists
# ============================================================================================

LIST_CONFIRM_SUBSCRIPTION = _m(
    """
    From: teachers-news-request@lists.example.net
    To: bounces+1234@mail.example.org
    Subject: teachers-news: confirm 3f9a1c0e8d7b6a5c4b3a2918f7e6d5c4b3a29180
    Date: Mon, 13 May 2024 20:00:00 +0000
    Message-ID: <mailman.12.1715630400.2291.teachers-news@lists.example.net>
    Precedence: bulk
    Auto-Submitted: auto-generated
    MIME-Version: 1.0
    Content-Type: text/plain; charset=us-ascii

    Mailing list subscription confirmation notice for mailing list teachers-news

    We have received a request from 203.0.113.50 for subscription of your email
    address, "bounces+1234@mail.example.org", to the teachers-news@lists.example.net
    mailing list. To confirm that you want to be added to this mailing list, simply
    reply to this message, keeping the Subject: header intact.

    If you do not wish to be subscribed to this list, please simply disregard this
    message. If you think you are being maliciously subscribed to the list, or have
    any other questions, send them to teachers-news-owner@lists.example.net.
    """
)

LIST_MEMBERSHIP_DISABLED = _m(
    """
    From: teachers-news-bounces@lists.example.net
    To: bounces+1234@mail.example.org
    Subject: Your teachers-news membership has been disabled
    Date: Tue, 14 May 2024 06:00:00 +0000
    Message-ID: <mailman.3.1715666400.2291.teachers-news@lists.example.net>
    Precedence: bulk
    MIME-Version: 1.0
    Content-Type: text/plain; charset=us-ascii

    Your membership in the mailing list teachers-news has been disabled due
    to excessive bounces The last bounce received from you was dated
    13-May-2024.  You will not get any more messages from this list until
    you re-enable your membership.  You will receive 3 more reminders like
    this before your membership in the list is deleted.

    To re-enable your membership, you can simply respond to this message
    (leaving the Subject: line intact), or visit the confirmation page at

        https://lists.example.net/mailman/confirm/teachers-news/4b7c91aa

    You can also visit your membership page at

        https://lists.example.net/mailman/options/teachers-news/bounces%2B1234%40mail.example.org

    On your membership page, you can change various delivery options such
    as your email address and whether you get digests or not.

    If you have any questions or problems, you can contact the list owner
    at

        teachers-news-owner@lists.example.net
    """
)

# Mailman 3 words it differently, and names the address it could not deliver to.
LIST_MM3_DISABLED_QUOTES_BOUNCE = _m(
    """
    From: teachers-news-owner@lists.example.net
    To: bounces@mail.example.org
    Subject: Your subscription for teachers-news@lists.example.net has been disabled
    Date: Tue, 14 May 2024 06:00:00 +0000
    Message-ID: <171566640012.2291.mm3@lists.example.net>
    Precedence: list
    Auto-Submitted: auto-generated
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Your subscription has been disabled on the teachers-news@lists.example.net mailing
    list because it has received a number of bounces indicating that there may be a
    problem delivering messages to bounces@mail.example.org. You may want to check with
    your mail administrator for more help.

    The last bounce we received said:

        bounces@mail.example.org: 552 5.2.2 Mailbox full

    If you have any questions or problems, you can contact the list owner at

        teachers-news-owner@lists.example.net
    """
)

LIST_PROBE = _m(
    """
    From: teachers-news-bounces+bounces=mail.example.org@lists.example.net
    To: bounces+1234@mail.example.org
    Subject: teachers-news mailing list probe message
    Date: Tue, 14 May 2024 06:30:00 +0000
    Message-ID: <mailman.probe.91@lists.example.net>
    Precedence: bulk
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="===============probe91=="

    --===============probe91==
    Content-Type: text/plain; charset=us-ascii

    This is a probe message.  You can ignore this message.

    The teachers-news mailing list has received a number of bounces from
    you, indicating that there may be a problem delivering messages to
    bounces+1234@mail.example.org.  A sample is attached below.  Please
    examine this message to make sure there are no problems with your
    email address.  You may want to check with your mail administrator for
    more help.

    If you have any questions or problems, you can contact the list owner
    at

        teachers-news-owner@lists.example.net

    --===============probe91==
    Content-Type: message/rfc822

    From: Lina Moroz <lina.moroz@example.com>
    To: teachers-news@lists.example.net
    Subject: [teachers-news] Spring workshop
    Date: Sun, 12 May 2024 10:00:00 +0000
    Message-ID: <lm.2024.05@example.com>

    See you all at the workshop!

    --===============probe91==--
    """
)

LIST_HELD_FOR_MODERATION = _m(
    """
    From: teachers-bounces@lists.example.net
    To: bounces+1234@mail.example.org
    Subject: Your message to Teachers awaits moderator approval
    Date: Tue, 14 May 2024 09:00:20 +0000
    Message-ID: <mailman.hold.77@lists.example.net>
    Precedence: bulk
    MIME-Version: 1.0
    Content-Type: text/plain; charset=us-ascii

    Your mail to 'Teachers' with the subject

        Lesson 4 is ready

    Is being held until the list moderator can review it for approval.

    The reason it is being held:

        Post by non-member to a members-only list

    Either the message will get posted to the list, or you will receive
    notification of the moderator's decision.  If you would like to cancel
    this posting, please visit the following URL:

        https://lists.example.net/mailman/confirm/teachers/88aa21
    """
)

# A list post (first message of a thread, no "Re:") with MTA log lines in it.
LIST_POST_ABOUT_BOUNCES = _m(
    """
    From: Roman Tkachenko <roman.t@example.com>
    To: mail-admins@lists.example.net
    Subject: [mail-admins] bounces with 550 5.1.1 User unknown for valid users after migration
    Date: Wed, 15 May 2024 19:00:00 +0000
    Message-ID: <rt.migration.1@example.com>
    List-Id: Mail admins <mail-admins.lists.example.net>
    List-Post: <mailto:mail-admins@lists.example.net>
    Precedence: list
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Hi all,

    after moving our mailboxes to the new cluster, some senders get bounces for
    users that definitely exist. From the log:

    May 15 18:40:02 mx1 postfix/smtp[1234]: 3F1A21C0B2: to=<lena.z@example.com>, relay=mx.example.com[198.51.100.5]:25, status=bounced (host mx.example.com said: 550 5.1.1 <lena.z@example.com>: Recipient address rejected: User unknown in virtual mailbox table)

    lena.z@example.com logs in every day. Any idea what could cause this?

    Roman
    _______________________________________________
    mail-admins mailing list
    mail-admins@lists.example.net
    """
)

LIST_CASES = [
    pytest.param(LIST_CONFIRM_SUBSCRIPTION, AUTO_OR_NOT, {}, id="list-confirm-subscription"),
    pytest.param(
        LIST_MEMBERSHIP_DISABLED, NOT, {}, id="list-membership-disabled-excessive-bounces"
    ),
    pytest.param(
        LIST_MM3_DISABLED_QUOTES_BOUNCE, NOT, {}, id="list-mm3-disabled-quotes-our-bounce"
    ),
    pytest.param(LIST_PROBE, NOT, {}, id="list-probe-message"),
    pytest.param(LIST_HELD_FOR_MODERATION, HELD, {}, id="list-held-for-moderation"),
    pytest.param(
        LIST_POST_ABOUT_BOUNCES,
        NOT,
        {},
        id="list-post-with-bounce-log-line",
    ),
]


# ============================================================================================
# Newsletters, shops, parcels, business "undelivered"
# ============================================================================================

NEWSLETTER_MULTILINGUAL_DELIVERY = _m(
    """
    From: Example Books <news@books.example.com>
    To: bounces+1234@mail.example.org
    Subject: =?utf-8?b?RnJlZSBkZWxpdmVyeSB0aGlzIHdlZWtlbmQgfCDQkdC10LfQutC+0YjRgtC+0LLQvdCwINC00L7RgdGC0LDQstC60LAgfCBMaXZyYWlzb24gZ3JhdHVpdGU=?=
    Date: Fri, 17 May 2024 06:00:00 +0000
    Message-ID: <nl.2024-20@books.example.com>
    List-Unsubscribe: <https://books.example.com/unsubscribe?u=88>
    Precedence: bulk
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    EN: Free delivery on every order this weekend. Delivery failed last time? Our new
    courier partner delivers in 24 hours.
    UA: Безкоштовна доставка всіх замовлень цими вихідними.
    FR: Livraison gratuite ce week-end sur toutes les commandes.
    DE: Kostenlose Lieferung und schnelle Zustellung am Wochenende.

    Questions? hello@books.example.com
    Unsubscribe: https://books.example.com/unsubscribe?u=88
    """
)

NEWSLETTER_LOGISTICS_DELIVERY_REPORT = _m(
    """
    From: ParcelGo Insights <insights@parcelgo.example.com>
    To: bounces+1234@mail.example.org
    Subject: Monthly Delivery Report - May 2024
    Date: Fri, 31 May 2024 07:00:00 +0000
    Message-ID: <insights.2024-05@parcelgo.example.com>
    List-Unsubscribe: <mailto:unsubscribe@parcelgo.example.com>
    Precedence: bulk
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Your business account at a glance:

    * 1,204 parcels shipped, 96.4% delivered on the first attempt
    * only 1.2% of delivery attempts failed, mostly because of incomplete addresses
    * average time to delivery: 1.3 days

    Tip: ask customers for a phone number to reduce failed deliveries.

    Questions about this report? analytics@parcelgo.example.com
    """
)

NEWSLETTER_GERMAN_ZUSTELLUNG = _m(
    """
    From: Paketdienst Newsletter <newsletter@paket.example.de>
    To: bounces+1234@mail.example.org
    Subject: =?utf-8?q?Nicht_zustellbar=3F_So_vermeiden_Sie_R=C3=BCcksendungen?=
    Date: Fri, 17 May 2024 08:00:00 +0200
    Message-ID: <nl.2024.20@paket.example.de>
    List-Unsubscribe: <https://paket.example.de/abmelden>
    Precedence: bulk
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Liebe Kundin, lieber Kunde,

    ist ein Paket unzustellbar, geht es zurück an den Absender. Mit unserer neuen
    Wunschzustellung legen Sie fest, wo wir Ihr Paket ablegen dürfen.

    Fragen? kundenservice@paket.example.de

    Abmelden: https://paket.example.de/abmelden
    """
)

NEWSLETTER_JAPANESE_DELIVERY_ERRORS = _m(
    """
    From: =?utf-8?b?44K344On44OD44OX?= <info@shop.example.jp>
    To: bounces+1234@mail.example.org
    Subject: =?utf-8?b?44CQ6YeN6KaB44CR6YWN5L+h44Ko44Op44O844Gr44Gk44GE44Gm44Gu44GK55+l44KJ44Gb?=
    Date: Fri, 17 May 2024 10:00:00 +0900
    Message-ID: <news.0517@shop.example.jp>
    Precedence: bulk
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8
    Content-Transfer-Encoding: 8bit

    いつもご利用いただきありがとうございます。

    5月15日のシステムメンテナンス中、一部のお客様にご注文確認メールが届きませんでした。
    ご迷惑をおかけしましたことをお詫び申し上げます。
    メールが届きません場合は、迷惑メールフォルダをご確認ください。

    お問い合わせ: support@shop.example.jp
    """
)

NEWSLETTER_ESP_DELIVERABILITY_TIPS = _m(
    """
    From: SendWell Academy <academy@sendwell.example.com>
    To: bounces+1234@mail.example.org
    Subject: This month: why emails bounce, and what "550 5.1.1" really means
    Date: Mon, 20 May 2024 09:00:00 +0000
    Message-ID: <academy.2024-05@sendwell.example.com>
    List-Unsubscribe: <https://sendwell.example.com/u/99>
    Precedence: bulk
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Hard bounces like "550 5.1.1 user unknown" mean the mailbox does not exist: remove
    the address at once. Soft bounces ("452 4.2.2 mailbox full") can be retried.

    Got a question for our deliverability team? Reply, or write to hello@sendwell.example.com.

    Unsubscribe: https://sendwell.example.com/u/99
    """
)

PARCEL_MISSED_YOU = _m(
    """
    From: ParcelGo <notifications@parcelgo.example.com>
    To: bounces+1234@mail.example.org
    Subject: Delivery failed: we missed you (parcel PG4471)
    Date: Thu, 16 May 2024 14:25:00 +0000
    Message-ID: <pg4471.missed@parcelgo.example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    We were unable to deliver your parcel PG4471 today at 14:20 because nobody was at
    the address. We will try again tomorrow, or you can choose a new delivery day:
    https://parcelgo.example.com/reschedule/PG4471

    This email was sent to bounces+1234@mail.example.org.
    Need help? help@parcelgo.example.com
    """
)

ORDER_DELIVERED = _m(
    """
    From: Example Store <orders@store.example.com>
    To: bounces+1234@mail.example.org
    Subject: Delivered: your order #100-2291 has arrived
    Date: Thu, 16 May 2024 15:00:00 +0000
    Message-ID: <order.1002291.delivered@store.example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Good news! Your package was delivered today at 14:52 and left at the front door.
    Not received it? Contact us within 48 hours: orders@store.example.com
    """
)

RU_ORDER_NOT_DELIVERED = _m(
    """
    From: =?utf-8?b?0JjQvdGC0LXRgNC90LXRgi3QvNCw0LPQsNC30LjQvQ==?= <orders@shop.example.ru>
    To: bounces+1234@mail.example.org
    Subject: =?utf-8?b?0J7RiNC40LHQutCwINC00L7RgdGC0LDQstC60Lgg0LfQsNC60LDQt9CwIOKEljU4MTIwOiDQt9Cw0LrQsNC3INC90LUg0LTQvtGB0YLQsNCy0LvQtdC9?=
    Date: Thu, 16 May 2024 12:00:00 +0300
    Message-ID: <order.58120@shop.example.ru>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8
    Content-Transfer-Encoding: 8bit

    Здравствуйте!

    Ваш заказ №58120 не доставлен: курьер не смог связаться с вами по телефону.
    Выберите новую дату доставки в личном кабинете.

    Вопросы: help@shop.example.ru
    """
)

UA_PARCEL_NOT_DELIVERED = _m(
    """
    From: =?utf-8?b?0J/QvtGI0YLQsCDQv9C+0YHQuNC70L7Qug==?= <info@posylky.example.ua>
    To: bounces+1234@mail.example.org
    Subject: =?utf-8?b?0JLRltC00L/RgNCw0LLQu9C10L3QvdGPIDIwNDUwMDg3NzEyMzQ1INC90LUg0LTQvtGB0YLQsNCy0LvQtdC90L4=?=
    Date: Thu, 16 May 2024 18:00:00 +0300
    Message-ID: <ttn.20450087712345@posylky.example.ua>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8
    Content-Transfer-Encoding: 8bit

    Добрий день!

    Відправлення 20450087712345 не доставлено: одержувач відсутній за адресою.
    Посилка чекає у відділенні №12 ще 5 днів.

    Питання: info@posylky.example.ua
    """
)

BUSINESS_UNDELIVERED_GOODS = _m(
    """
    From: Logistics Team <logistics@supplier.example.com>
    To: bounces+1234@mail.example.org
    Subject: Undelivered goods - claim #5531
    Date: Thu, 16 May 2024 11:30:00 +0000
    Message-ID: <claim.5531@supplier.example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Dear partner,

    the shipment for order 77-1209 (course workbooks, 40 pcs) could not be delivered to
    your warehouse on 14 May and was returned to the sender.

    Please confirm the delivery address to claims@supplier.example.com so we can ship again.

    Best regards,
    Logistics Team
    """
)

# A school owner writes about certificates that never reached two students.
SCHOOL_OWNER_NON_DELIVERY_CERTS = _m(
    """
    From: Oksana Hrytsenko <owner@school.example.net>
    To: bounces+1234@mail.example.org
    Subject: Non-delivery of course certificates
    Date: Thu, 16 May 2024 12:45:00 +0300
    Message-ID: <oh.certs.1@school.example.net>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Good afternoon,

    two of our students say the course certificates were not delivered to them:

      anna.lysenko@example.com
      bohdan.savchuk@example.net

    Both addresses are correct, they receive our lesson emails. Could you resend?

    Oksana, Piano School
    """
)

COMMERCE_CASES = [
    pytest.param(
        NEWSLETTER_MULTILINGUAL_DELIVERY, NOT, {}, id="newsletter-multilingual-free-delivery"
    ),
    pytest.param(
        NEWSLETTER_LOGISTICS_DELIVERY_REPORT,
        NOT,
        {},
        id="newsletter-logistics-monthly-delivery-report",
    ),
    pytest.param(
        NEWSLETTER_GERMAN_ZUSTELLUNG,
        NOT,
        {},
        id="newsletter-german-nicht-zustellbar-tips",
    ),
    pytest.param(
        NEWSLETTER_JAPANESE_DELIVERY_ERRORS,
        NOT,
        {},
        id="newsletter-japanese-delivery-error-apology",
    ),
    pytest.param(
        NEWSLETTER_ESP_DELIVERABILITY_TIPS,
        NOT,
        {},
        id="newsletter-esp-bounce-tips",
    ),
    pytest.param(
        PARCEL_MISSED_YOU,
        NOT,
        {},
        id="parcel-delivery-failed-missed-you",
    ),
    pytest.param(ORDER_DELIVERED, NOT, {}, id="shop-order-delivered"),
    pytest.param(
        RU_ORDER_NOT_DELIVERED,
        NOT,
        {},
        id="shop-russian-order-not-delivered",
    ),
    pytest.param(
        UA_PARCEL_NOT_DELIVERED,
        NOT,
        {},
        id="parcel-ukrainian-ne-dostavleno",
    ),
    pytest.param(
        BUSINESS_UNDELIVERED_GOODS,
        NOT,
        {},
        id="business-undelivered-goods-claim",
    ),
    pytest.param(
        SCHOOL_OWNER_NON_DELIVERY_CERTS,
        NOT,
        {},
        id="school-owner-non-delivery-of-certificates",
    ),
]


# ============================================================================================
# Mail-system notices to the mailbox owner: quota, quarantine, maintenance
# ============================================================================================

QUOTA_ALMOST_FULL_POSTMASTER = _m(
    """
    From: Mail Administrator <postmaster@mail.example.org>
    To: bounces+1234@mail.example.org
    Subject: Warning: your mailbox is almost full
    Date: Fri, 17 May 2024 00:00:05 +0000
    Message-ID: <quota.warn.bounces@mail.example.org>
    Auto-Submitted: auto-generated
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Your mailbox bounces+1234@mail.example.org is at 95% of its quota (1.9 GB of 2 GB).

    Once it is full, new messages sent to you will be returned to the sender.
    Please delete old messages or ask helpdesk@mail.example.org for more space.
    """
)

CPANEL_QUOTA_WARNING = _m(
    """
    From: "cPanel on mail.example.org" <cpanel@mail.example.org>
    To: bounces+1234@mail.example.org
    Subject: =?utf-8?q?=5Bmail=2Eexample=2Eorg=5D_The_account_=E2=80=9Cbounces=40mail=2Eexample=2Eorg=E2=80=9D_is_at_92=25_of_its_storage_quota=2E?=
    Date: Fri, 17 May 2024 01:00:00 +0000
    Message-ID: <1715907600.cpanel.quota@mail.example.org>
    Auto-Submitted: auto-generated
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    The email account "bounces@mail.example.org" is at 92% of its storage quota.

    Account:   bounces@mail.example.org
    Used:      1.84 GB
    Quota:     2 GB

    When the mailbox is full, the server rejects new mail for this account with
    "mailbox full" errors. To free space, delete messages or raise the quota in cPanel:
    https://mail.example.org:2083/

    Do not reply to this automated message.
    """
)

QUARANTINE_DIGEST_POSTMASTER_HTML = _m(
    """
    From: Spam Quarantine <postmaster@mail.example.org>
    To: bounces+1234@mail.example.org
    Subject: Spam Quarantine Summary - 3 messages held for bounces+1234@mail.example.org
    Date: Fri, 17 May 2024 06:00:00 +0000
    Message-ID: <quarantine.digest.0517@mail.example.org>
    Auto-Submitted: auto-generated
    MIME-Version: 1.0
    Content-Type: text/html; charset=utf-8

    <html><body>
    <p>The following 3 messages were blocked by the spam filter and have not been delivered to your mailbox.
    They are held in quarantine for 14 days.</p>
    <table>
    <tr><th>Sender</th><th>Subject</th><th>Score</th><th></th></tr>
    <tr><td>promo@deals.example.com</td><td>Last chance: 70% off</td><td>9.1</td><td><a href="https://mail.example.org/q/release?id=1">Release</a></td></tr>
    <tr><td>mykola.pavlenko@example.com</td><td>Re: course invoice</td><td>5.3</td><td><a href="https://mail.example.org/q/release?id=2">Release</a></td></tr>
    <tr><td>no-reply@lottery.example.net</td><td>You won!</td><td>12.0</td><td><a href="https://mail.example.org/q/release?id=3">Release</a></td></tr>
    </table>
    <p>Messages not released are deleted automatically.</p>
    </body></html>
    """
)

QUARANTINE_NOTICE_M365_STYLE = _m(
    """
    From: Quarantine <quarantine@messaging.example.com>
    To: bounces+1234@mail.example.org
    Subject: You have 2 new messages in quarantine
    Date: Fri, 17 May 2024 07:00:00 +0000
    Message-ID: <q.notify.8812@messaging.example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Review these messages to decide whether to release them to your inbox.
    They were not delivered because they were identified as possible phishing or spam.

    Sender: security@bank-alerts.example.net
    Subject: Verify your account
    Date: 16 May 2024 21:12

    Sender: anna.petrenko@example.com
    Subject: Question about lesson 4
    Date: 16 May 2024 22:30

    Review messages: https://security.example.com/quarantine
    """
)

HOSTING_MAIL_DELIVERY_NOTICE = _m(
    """
    From: Hosting Mail Delivery Team <noc-news@hosting.example.net>
    To: bounces+1234@mail.example.org
    Subject: Important: changes to outbound mail delivery from 1 June
    Date: Mon, 20 May 2024 10:00:00 +0000
    Message-ID: <noc.2024-06@hosting.example.net>
    Precedence: bulk
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Dear customer,

    from 1 June, messages that fail SPF and DKIM checks will be rejected by our outbound
    relays, and we will be unable to deliver them. Please make sure your domains publish
    valid SPF and DKIM records before that date.

    Questions: noc@hosting.example.net
    """
)

MTA_STS_ALERT = _m(
    """
    From: MailMonitor Alerts <alerts@monitor.example.net>
    To: bounces+1234@mail.example.org
    Subject: [Alert] Mail delivery failure: MTA-STS policy check for mail.example.org
    Date: Sat, 18 May 2024 02:00:00 +0000
    Message-ID: <alert.mtasts.331@monitor.example.net>
    Auto-Submitted: auto-generated
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Our MTA-STS check for mail.example.org failed at 01:58 UTC.

    Policy: https://mta-sts.mail.example.org/.well-known/mta-sts.txt (mode: enforce)
    Problem: the certificate of mx1.mail.example.org expired on 17 May 2024.
    Impact: senders that enforce MTA-STS will be unable to deliver mail to your domain.

    Our test message to probe-7f3a@mail.example.org was not delivered.

    Manage alerts: https://monitor.example.net/alerts
    """
)

MAIL_TESTER_RESULT = _m(
    """
    From: Mail Tester <results@mailtester.example.com>
    To: bounces+1234@mail.example.org
    Subject: Your spam score: 6.2/10
    Date: Sat, 18 May 2024 09:00:00 +0000
    Message-ID: <mt.result.4411@mailtester.example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Results for the message you sent to test-x81k2@mailtester.example.com:

    -1.5  SPF: your server 192.0.2.10 is not authorized to send for mail.example.org
     0.0  DKIM: valid signature
    -2.0  Your IP is listed in 1 blocklist
    -0.3  Message contains an unsubscribe link? no

    Some servers may reject or junk your messages. Full report:
    https://mailtester.example.com/test-x81k2
    """
)

MAINTENANCE_CASES = [
    pytest.param(
        QUOTA_ALMOST_FULL_POSTMASTER,
        NOT,
        {},
        id="postmaster-mailbox-almost-full-warning",
    ),
    pytest.param(CPANEL_QUOTA_WARNING, NOT, {}, id="cpanel-quota-warning"),
    pytest.param(
        QUARANTINE_DIGEST_POSTMASTER_HTML,
        NOT,
        {},
        id="quarantine-digest-from-postmaster-html",
    ),
    pytest.param(QUARANTINE_NOTICE_M365_STYLE, NOT, {}, id="quarantine-notice-sender-lines"),
    pytest.param(
        HOSTING_MAIL_DELIVERY_NOTICE,
        NOT,
        {},
        id="hosting-mail-delivery-team-policy-notice",
    ),
    pytest.param(
        MTA_STS_ALERT,
        NOT,
        {},
        id="mta-sts-monitoring-alert",
    ),
    pytest.param(MAIL_TESTER_RESULT, NOT, {}, id="mail-tester-spam-score"),
]


# ============================================================================================
# DMARC, TLS-RPT and other machine reports
# ============================================================================================

_DMARC_XML = textwrap.dedent(
    """\
    <?xml version="1.0" encoding="UTF-8" ?>
    <feedback>
      <report_metadata>
        <org_name>example.com</org_name>
        <email>noreply-dmarc-support@example.com</email>
        <report_id>1234567890123456789</report_id>
        <date_range><begin>1715731200</begin><end>1715817599</end></date_range>
      </report_metadata>
      <policy_published>
        <domain>mail.example.org</domain><adkim>r</adkim><aspf>r</aspf><p>reject</p><pct>100</pct>
      </policy_published>
      <record>
        <row>
          <source_ip>203.0.113.66</source_ip><count>14</count>
          <policy_evaluated><disposition>reject</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated>
        </row>
        <identifiers><envelope_to>example.net</envelope_to><header_from>mail.example.org</header_from></identifiers>
        <auth_results><spf><domain>mail.example.org</domain><result>fail</result></spf></auth_results>
      </record>
    </feedback>
    """
).encode("utf-8")

DMARC_ZIP = _m(
    """
    From: noreply-dmarc-support@example.com
    To: dmarc@mail.example.org
    Subject: Report domain: mail.example.org Submitter: example.com Report-ID: 1234567890123456789
    Date: Thu, 16 May 2024 03:59:59 -0700
    Message-ID: <1234567890123456789@example.com>
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="000000000000dmarc"

    --000000000000dmarc
    Content-Type: text/plain; charset="UTF-8"

    This is an aggregate report from example.com.

    --000000000000dmarc
    Content-Type: application/zip;
    \tname="example.com!mail.example.org!1715731200!1715817599.zip"
    Content-Disposition: attachment;
    \tfilename="example.com!mail.example.org!1715731200!1715817599.zip"
    Content-Transfer-Encoding: base64

    """
    + _indent(_b64(_zip("example.com!mail.example.org!1715731200!1715817599.xml", _DMARC_XML)))
    + """
    --000000000000dmarc--
    """
)

# Some reporters send the compressed report as the whole message body.
DMARC_GZIP_TOPLEVEL = _m(
    """
    From: dmarc-reports@example.net
    To: dmarc@mail.example.org
    Subject: Report Domain: mail.example.org Submitter: example.net Report-ID: <1715817600.77@example.net>
    Date: Thu, 16 May 2024 05:00:00 +0000
    Message-ID: <1715817600.77@example.net>
    MIME-Version: 1.0
    Content-Type: application/gzip; name="example.net!mail.example.org!1715731200!1715817600.xml.gz"
    Content-Disposition: attachment; filename="example.net!mail.example.org!1715731200!1715817600.xml.gz"
    Content-Transfer-Encoding: base64

    """
    + _indent(_b64(gzip.compress(_DMARC_XML, mtime=0)))
)

DMARC_XML_INLINE = _m(
    """
    From: DMARC Reporter <dmarc-noreply@mx.example.de>
    To: dmarc@mail.example.org
    Subject: Report Domain: mail.example.org Submitter: mx.example.de Report-ID: 2024.05.16.9912
    Date: Thu, 16 May 2024 06:00:00 +0000
    Message-ID: <dmarc.2024.05.16.9912@mx.example.de>
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="dmarc-xml"

    --dmarc-xml
    Content-Type: text/plain; charset=us-ascii

    DMARC aggregate report for mail.example.org, 2024-05-15.

    --dmarc-xml
    Content-Type: text/xml; charset=us-ascii; name="mx.example.de!mail.example.org!1715731200!1715817599.xml"
    Content-Disposition: attachment; filename="mx.example.de!mail.example.org!1715731200!1715817599.xml"

    """
    + _indent(_DMARC_XML.decode("utf-8"))
    + """
    --dmarc-xml--
    """
)

# RFC 6591 authentication-failure (forensic) report: an ARF, but not a complaint.
DMARC_FORENSIC_AUTH_FAILURE = _m(
    """
    From: dmarc-forensic@example.net
    To: dmarc-ruf@mail.example.org
    Subject: FW: Lesson 4 is ready
    Date: Thu, 16 May 2024 07:00:00 +0000
    Message-ID: <ruf.5512@example.net>
    MIME-Version: 1.0
    Content-Type: multipart/report; report-type=feedback-report; boundary="ruf-5512"

    --ruf-5512
    Content-Type: text/plain; charset=us-ascii

    This is an authentication failure report for an email message received from IP
    203.0.113.66 on Thu, 16 May 2024 06:58:00 +0000.

    --ruf-5512
    Content-Type: message/feedback-report

    Feedback-Type: auth-failure
    User-Agent: ExampleDMARC/1.2
    Version: 1
    Original-Mail-From: <bounces+1234@mail.example.org>
    Original-Rcpt-To: <yaroslav@example.net>
    Arrival-Date: Thu, 16 May 2024 06:58:00 +0000
    Source-IP: 203.0.113.66
    Reported-Domain: mail.example.org
    Auth-Failure: dmarc
    Authentication-Results: mx.example.net; dmarc=fail header.from=mail.example.org; spf=fail smtp.mailfrom=mail.example.org; dkim=none

    --ruf-5512
    Content-Type: text/rfc822-headers

    From: Kwiga School <news@mail.example.org>
    To: yaroslav@example.net
    Subject: Lesson 4 is ready
    Date: Thu, 16 May 2024 06:57:59 +0000
    Message-ID: <spoof.1@203.0.113.66>

    --ruf-5512--
    """
)

_TLSRPT_JSON = json.dumps(
    {
        "organization-name": "Example Net",
        "date-range": {
            "start-datetime": "2024-05-15T00:00:00Z",
            "end-datetime": "2024-05-15T23:59:59Z",
        },
        "contact-info": "tlsrpt@example.net",
        "report-id": "2024-05-15T00:00:00Z_mail.example.org",
        "policies": [
            {
                "policy": {
                    "policy-type": "sts",
                    "policy-domain": "mail.example.org",
                    "mx-host": ["mx1.mail.example.org"],
                },
                "summary": {
                    "total-successful-session-count": 120,
                    "total-failure-session-count": 3,
                },
                "failure-details": [
                    {
                        "result-type": "certificate-expired",
                        "sending-mta-ip": "198.51.100.9",
                        "receiving-mx-hostname": "mx1.mail.example.org",
                        "failed-session-count": 3,
                    }
                ],
            }
        ],
    }
).encode("utf-8")

TLSRPT_GZIP = _m(
    """
    From: tlsrpt-noreply@example.net
    To: tlsrpt@mail.example.org
    Subject: Report Domain: mail.example.org Submitter: example.net Report-ID: <2024-05-15T00:00:00Z_mail.example.org>
    Date: Thu, 16 May 2024 02:00:00 +0000
    Message-ID: <tlsrpt.20240515@example.net>
    TLS-Report-Domain: mail.example.org
    TLS-Report-Submitter: example.net
    MIME-Version: 1.0
    Content-Type: multipart/report; report-type="tlsrpt"; boundary="tlsrpt-b"

    --tlsrpt-b
    Content-Type: text/plain; charset=us-ascii

    This is an aggregate TLS report from example.net for mail.example.org.
    3 sessions failed: certificate-expired.

    --tlsrpt-b
    Content-Type: application/tlsrpt+gzip
    Content-Disposition: attachment; filename="example.net!mail.example.org!1715731200!1715817599.json.gz"
    Content-Transfer-Encoding: base64

    """
    + _indent(_b64(gzip.compress(_TLSRPT_JSON, mtime=0)))
    + """
    --tlsrpt-b--
    """
)

TLSRPT_JSON_PLAIN = _m(
    """
    From: tls-reports@example.com
    To: tlsrpt@mail.example.org
    Subject: Report Domain: mail.example.org Submitter: example.com Report-ID: <tls.9921@example.com>
    Date: Thu, 16 May 2024 02:30:00 +0000
    Message-ID: <tls.9921@example.com>
    MIME-Version: 1.0
    Content-Type: multipart/report; report-type="tlsrpt"; boundary="tlsrpt-j"

    --tlsrpt-j
    Content-Type: text/plain; charset=us-ascii

    TLS report attached.

    --tlsrpt-j
    Content-Type: application/tlsrpt+json
    Content-Disposition: attachment; filename="example.com!mail.example.org!1715731200!1715817599.json"

    """
    + _indent(_TLSRPT_JSON.decode("utf-8"))
    + """

    --tlsrpt-j--
    """
)

REPORT_CASES = [
    pytest.param(DMARC_ZIP, NOT, {}, id="dmarc-aggregate-zip"),
    pytest.param(DMARC_GZIP_TOPLEVEL, NOT, {}, id="dmarc-aggregate-gzip-whole-body"),
    pytest.param(DMARC_XML_INLINE, NOT, {}, id="dmarc-aggregate-xml-inline"),
    pytest.param(DMARC_FORENSIC_AUTH_FAILURE, NOT, {}, id="dmarc-forensic-auth-failure-arf"),
    pytest.param(TLSRPT_GZIP, NOT, {}, id="tls-rpt-gzip"),
    pytest.param(TLSRPT_JSON_PLAIN, NOT, {}, id="tls-rpt-json"),
]


# ============================================================================================
# Sending-provider, postmaster-tool and account notices
# ============================================================================================

SES_REVIEW_BOUNCE_RATE = _m(
    """
    From: Cloud Email Service <no-reply-aws@cloud.example.com>
    To: bounces+1234@mail.example.org
    Subject: Your email sending account is under review: high bounce rate
    Date: Mon, 20 May 2024 08:00:00 +0000
    Message-ID: <review.ses.2291@cloud.example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Hello,

    We are reaching out because a high percentage of the emails sent from your account
    in the eu-west-1 region bounced: they could not be delivered because the recipient
    addresses do not exist. Your current bounce rate is 10.2%.

    Your account is now under review. Remove invalid addresses from your lists and tell
    us what you changed. If you have questions, contact ses-enforcement@cloud.example.com.

    Sincerely,
    The Cloud Email Service Team
    """
)

ESP_SUSPENDED_BOUNCE_SPAM_RATE = _m(
    """
    From: Compliance Team <compliance@sendgrid.example.net>
    To: bounces+1234@mail.example.org
    Subject: Action required: your account was suspended for high bounce and spam report rates
    Date: Mon, 20 May 2024 09:00:00 +0000
    Message-ID: <suspend.7781@sendgrid.example.net>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Hi,

    Over the last 7 days 8.3% of your messages were rejected by receiving servers and
    0.4% of recipients have reported your messages as spam. Your account has been
    suspended to protect our shared IP reputation.

    To appeal, reply to this email or write to compliance@sendgrid.example.net with a
    description of how you collect addresses.

    SendGrid Compliance
    """
)

ESP_WEEKLY_STATS = _m(
    """
    From: Mailgun Reports <reports@mg.example.com>
    To: bounces+1234@mail.example.org
    Subject: Weekly sending report for mail.example.org: 12,034 delivered, 231 bounced
    Date: Mon, 20 May 2024 06:00:00 +0000
    Message-ID: <weekly.2024-20@mg.example.com>
    Precedence: bulk
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Sending domain: mail.example.org   (13 May - 19 May 2024)

    Delivered ............ 12,034
    Failed, permanent .......  201
    Failed, temporary .......   30
    Complaints ..............    9

    Domains with the most delivery failures: example.net (1.9%), example.com (0.8%)

    See details in your dashboard: https://app.mg.example.com/reports
    """
)

POSTMASTER_TOOLS_NOTICE = _m(
    """
    From: Postmaster Tools <postmaster-noreply@example.com>
    To: bounces+1234@mail.example.org
    Subject: Postmaster Tools: high spam rate detected for mail.example.org
    Date: Tue, 21 May 2024 07:00:00 +0000
    Message-ID: <pmt.alert.mail.example.org.20240521@example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    The user-reported spam rate for mail.example.org was 0.41% on 20 May 2024, above the
    recommended 0.3%. Some of your messages were rejected by our servers or delivered to
    the spam folder.

    View the dashboards: https://postmaster.example.com/dashboards#do=mail.example.org

    You are receiving this message because ivan.admin@mail.example.org added you as a
    user of Postmaster Tools for mail.example.org.
    """
)

FBL_ENROLMENT_CONFIRMED = _m(
    """
    From: Complaint Feedback Loop <cfl-noreply@mailhost.example.com>
    To: bounces+1234@mail.example.org
    Subject: Your Complaint Feedback Loop request has been approved
    Date: Tue, 21 May 2024 08:00:00 +0000
    Message-ID: <cfl.approved.8812@mailhost.example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Your Complaint Feedback Loop for the DKIM domain mail.example.org has been approved.
    From now on, every spam complaint from our users about mail signed by this domain will
    be sent as an ARF report to fbl@mail.example.org.
    """
)

_SNS_CONFIRM = json.dumps(
    {
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736",
        "TopicArn": "arn:aws:sns:eu-west-1:123456789012:ses-bounces",
        "Message": "You have chosen to subscribe to the topic arn:aws:sns:eu-west-1:123456789012:ses-bounces.\nTo confirm the subscription, visit the SubscribeURL included in this message.",
        "SubscribeURL": "https://sns.eu-west-1.example.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:123456789012:ses-bounces&Token=2336412f37",
        "Timestamp": "2024-05-16T10:00:00.000Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
        "SigningCertURL": "https://sns.eu-west-1.example.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
    },
    indent=2,
)

SNS_SUBSCRIPTION_CONFIRMATION = _m(
    """
    From: AWS Notifications <no-reply@sns.example.com>
    To: bounces+1234@mail.example.org
    Subject: AWS Notification - Subscription Confirmation
    Date: Thu, 16 May 2024 10:00:01 +0000
    Message-ID: <0100018f8a1b2c3d-sns-confirm@email.example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=UTF-8

    """
    + _indent(_SNS_CONFIRM)
    + "\n"
)


def _sns_notification(message: dict) -> str:
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": "a1b2c3d4-5678-90ab-cdef-1234567890ab",
            "TopicArn": "arn:aws:sns:eu-west-1:123456789012:ses-bounces",
            "Message": json.dumps(message),
            "Timestamp": "2024-05-16T10:05:00.000Z",
            "SignatureVersion": "1",
            "Signature": "EXAMPLEw6JRN...",
            "SigningCertURL": "https://sns.eu-west-1.example.com/cert.pem",
            "UnsubscribeURL": "https://sns.eu-west-1.example.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:eu-west-1:123456789012:ses-bounces:1",
        },
        indent=2,
    )


def _sns_mail(subject: str, message: dict) -> bytes:
    return _m(
        f"""
        From: AWS Notifications <no-reply@sns.example.com>
        To: bounces+1234@mail.example.org
        Subject: {subject}
        Date: Thu, 16 May 2024 10:05:01 +0000
        Message-ID: <0100018f8a1b2c3d-{zlib.crc32(subject.encode()) % 99999}@email.example.com>
        MIME-Version: 1.0
        Content-Type: text/plain; charset=UTF-8

        """
        + textwrap.indent(_sns_notification(message), "        ").lstrip(" ")
        + "\n"
    )


SNS_SES_SUBSCRIPTION_SUCCEEDED = _sns_mail(
    "AWS Notification Message",
    {
        "notificationType": "AmazonSnsSubscriptionSucceeded",
        "message": "You have successfully subscribed your Amazon SNS topic 'arn:aws:sns:eu-west-1:123456789012:ses-bounces' to receive 'Bounce' notifications from Amazon SES for identity 'mail.example.org'.",
    },
)

SNS_SES_DELIVERY = _sns_mail(
    "AWS Notification Message ",
    {
        "notificationType": "Delivery",
        "mail": {
            "timestamp": "2024-05-16T10:04:58.000Z",
            "source": "news@mail.example.org",
            "messageId": "0102018f8a1b2c3d-delivery",
            "destination": ["halyna@example.net"],
        },
        "delivery": {
            "timestamp": "2024-05-16T10:05:00.000Z",
            "recipients": ["halyna@example.net"],
            "smtpResponse": "250 2.6.0 Message received",
            "reportingMTA": "a8-12.smtp-out.example.com",
        },
    },
)

ACCOUNT_SECURITY_NEW_SIGNIN = _m(
    """
    From: Example Accounts <no-reply@accounts.example.com>
    To: bounces+1234@mail.example.org
    Subject: Security alert: new sign-in to your account
    Date: Tue, 21 May 2024 05:12:00 +0000
    Message-ID: <sec.alert.55@accounts.example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    A new sign-in to your account bounces+1234@mail.example.org

    Linux, Firefox - 21 May 2024 05:11 UTC - Kyiv, Ukraine

    If this was you, you don't need to do anything. If not, we'll help you secure your
    account: https://accounts.example.com/security-checkup
    """
)

ACCOUNT_SIGNIN_BLOCKED = _m(
    """
    From: Example Accounts <no-reply@accounts.example.com>
    To: bounces+1234@mail.example.org
    Subject: Critical security alert
    Date: Tue, 21 May 2024 05:30:00 +0000
    Message-ID: <sec.alert.56@accounts.example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Sign-in attempt was blocked

    Someone just used your password to try to sign in to your account from an app we
    don't recognise. The attempt was blocked by our security system, but you should
    check what happened: https://accounts.example.com/notifications
    """
)

PASSWORD_RESET = _m(
    """
    From: Example CRM <no-reply@crm.example.com>
    To: bounces+1234@mail.example.org
    Subject: Reset your password
    Date: Tue, 21 May 2024 06:00:00 +0000
    Message-ID: <pwreset.8812@crm.example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Someone asked to reset the password for bounces+1234@mail.example.org.
    Use this link within 30 minutes: https://crm.example.com/reset?token=7f3a9c

    If you didn't ask, ignore this message; your password stays the same.
    """
)

ACCOUNT_CASES = [
    pytest.param(
        SES_REVIEW_BOUNCE_RATE,
        NOT,
        {},
        id="provider-account-review-bounce-rate",
    ),
    pytest.param(
        ESP_SUSPENDED_BOUNCE_SPAM_RATE,
        NOT,
        {},
        id="provider-suspended-bounce-and-spam-rate",
    ),
    pytest.param(
        ESP_WEEKLY_STATS,
        NOT,
        {},
        id="provider-weekly-stats",
    ),
    pytest.param(
        POSTMASTER_TOOLS_NOTICE,
        NOT,
        {},
        id="postmaster-tools-spam-rate-alert",
    ),
    pytest.param(FBL_ENROLMENT_CONFIRMED, NOT, {}, id="feedback-loop-enrolment-approved"),
    pytest.param(SNS_SUBSCRIPTION_CONFIRMATION, NOT, {}, id="sns-subscription-confirmation-json"),
    pytest.param(SNS_SES_SUBSCRIPTION_SUCCEEDED, NOT, {}, id="ses-sns-subscription-succeeded-json"),
    pytest.param(SNS_SES_DELIVERY, DELIVERED, {}, id="ses-sns-delivery-notification-json"),
    pytest.param(ACCOUNT_SECURITY_NEW_SIGNIN, NOT, {}, id="security-alert-new-sign-in"),
    pytest.param(ACCOUNT_SIGNIN_BLOCKED, NOT, {}, id="security-alert-sign-in-blocked"),
    pytest.param(PASSWORD_RESET, NOT, {}, id="password-reset"),
]


# ============================================================================================
# Calendar, cron
# ============================================================================================

CALENDAR_INVITE_DELIVERY_REVIEW = _m(
    """
    From: Andrii Bondar <andrii.bondar@mail.example.org>
    To: olha.support@mail.example.org, bounces+1234@mail.example.org
    Subject: Invitation: Email delivery problems review @ Thu 23 May 2024 10:00 - 10:30 (EEST)
    Date: Tue, 21 May 2024 12:00:00 +0000
    Message-ID: <cal.inv.7711@mail.example.org>
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="cal-7711"

    --cal-7711
    Content-Type: text/plain; charset=utf-8

    You have been invited to the following event.

    Email delivery problems review
    We will go through the failed deliveries for school 1234 and decide which addresses
    to resume. Please bring examples.

    When: Thu 23 May 2024 10:00 - 10:30 (EEST)
    Who:
        andrii.bondar@mail.example.org - organizer
        olha.support@mail.example.org
        taras.lead@mail.example.org

    --cal-7711
    Content-Type: text/calendar; charset=utf-8; method=REQUEST

    BEGIN:VCALENDAR
    PRODID:-//Example Calendar//EN
    VERSION:2.0
    METHOD:REQUEST
    BEGIN:VEVENT
    DTSTART:20240523T070000Z
    DTEND:20240523T073000Z
    ORGANIZER;CN=Andrii Bondar:mailto:andrii.bondar@mail.example.org
    ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:olha.support@mail.example.org
    ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:taras.lead@mail.example.org
    SUMMARY:Email delivery problems review
    UID:7711@mail.example.org
    END:VEVENT
    END:VCALENDAR

    --cal-7711--
    """
)

CALENDAR_DECLINED = _m(
    """
    From: Olha Ivanchenko <olha.support@mail.example.org>
    To: bounces+1234@mail.example.org
    Subject: Declined: Deliverability sync @ Fri 24 May 2024 11:00 (EEST)
    Date: Tue, 21 May 2024 12:30:00 +0000
    Message-ID: <cal.reply.7712@mail.example.org>
    MIME-Version: 1.0
    Content-Type: text/calendar; charset=utf-8; method=REPLY

    BEGIN:VCALENDAR
    METHOD:REPLY
    VERSION:2.0
    BEGIN:VEVENT
    ATTENDEE;PARTSTAT=DECLINED:mailto:olha.support@mail.example.org
    SUMMARY:Deliverability sync
    UID:7712@mail.example.org
    END:VEVENT
    END:VCALENDAR
    """
)

# Our own bounce-processing job mails its output; Message-IDs look like addresses.
CRON_PROCESS_BOUNCES_OUTPUT = _m(
    """
    From: Cron Daemon <root@app1.mail.example.org>
    To: bounces+1234@mail.example.org
    Subject: Cron <deploy@app1> /usr/local/bin/process-bounces --mailbox bounces
    Date: Tue, 21 May 2024 03:00:12 +0000
    Message-ID: <20240521030012.5A2B1C@app1.mail.example.org>
    X-Cron-Env: <SHELL=/bin/sh>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Processed 120 messages: 98 bounces, 12 auto-replies, 10 not bounces.
    Hard bounces: 41 (user unknown: 35, domain not found: 6)
    Skipped, unparseable: 2 (Message-IDs 0a1b2c@example.com, 9f8e7d@example.net)
    Warning: could not deliver webhook to https://hooks.example.net/bounces (timeout)
    """
)

MISC_CASES = [
    pytest.param(
        CALENDAR_INVITE_DELIVERY_REVIEW,
        NOT,
        {},
        id="calendar-invite-delivery-problems-review",
    ),
    pytest.param(CALENDAR_DECLINED, NOT, {}, id="calendar-declined"),
    pytest.param(
        CRON_PROCESS_BOUNCES_OUTPUT,
        NOT,
        {},
        id="cron-output-of-bounce-processor",
    ),
]


# ============================================================================================
# Real delay warnings and success reports: not failures
# ============================================================================================

POSTFIX_DELAYED_DSN = _m(
    """
    Return-Path: <>
    From: MAILER-DAEMON@mx1.mail.example.org (Mail Delivery System)
    To: bounces+1234@mail.example.org
    Subject: Delayed Mail (still being retried)
    Date: Tue, 14 May 2024 13:00:05 +0000 (UTC)
    Message-Id: <20240514130005.A1B2C3@mx1.mail.example.org>
    Auto-Submitted: auto-replied
    MIME-Version: 1.0
    Content-Type: multipart/report; report-type=delivery-status;
    \tboundary="A1B2C3.1715691605/mx1.mail.example.org"

    --A1B2C3.1715691605/mx1.mail.example.org
    Content-Description: Notification
    Content-Type: text/plain; charset=us-ascii

    This is the mail system at host mx1.mail.example.org.

    ####################################################################
    # THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #
    ####################################################################

    Your message could not be delivered for more than 4 hour(s).
    It will be retried until it is 5 day(s) old.

    <lesia@example.net>: connect to mx.example.net[198.51.100.60]:25: Connection
        timed out

    --A1B2C3.1715691605/mx1.mail.example.org
    Content-Description: Delivery report
    Content-Type: message/delivery-status

    Reporting-MTA: dns; mx1.mail.example.org
    X-Postfix-Queue-ID: A1B2C3
    Arrival-Date: Tue, 14 May 2024 09:00:00 +0000 (UTC)

    Final-Recipient: rfc822; lesia@example.net
    Original-Recipient: rfc822;lesia@example.net
    Action: delayed
    Status: 4.4.1
    Diagnostic-Code: X-Postfix; connect to mx.example.net[198.51.100.60]:25:
        Connection timed out
    Will-Retry-Until: Sun, 19 May 2024 09:00:00 +0000 (UTC)

    --A1B2C3.1715691605/mx1.mail.example.org
    Content-Description: Undelivered Message Headers
    Content-Type: text/rfc822-headers

    From: Kwiga School <news@mail.example.org>
    To: lesia@example.net
    Subject: Lesson 4 is ready
    Message-ID: <20240514090000.5151@mail.example.org>
    X-Kwiga-School: 1234

    --A1B2C3.1715691605/mx1.mail.example.org--
    """
)

DELAYED_MAILBOX_FULL_DSN = _m(
    """
    Return-Path: <>
    From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example.net>
    To: bounces+1234@mail.example.org
    Subject: Warning: could not send message for past 4 hours
    Date: Tue, 14 May 2024 13:10:00 +0000
    Message-Id: <202405141310.44AD0A01@relay.example.net>
    Auto-Submitted: auto-generated (warning-timeout)
    MIME-Version: 1.0
    Content-Type: multipart/report; report-type=delivery-status; boundary="44AD0A01.warn"

    --44AD0A01.warn
    Content-Type: text/plain; charset=us-ascii

        **********************************************
        **      THIS IS A WARNING MESSAGE ONLY      **
        **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **
        **********************************************

    The original message was received at Tue, 14 May 2024 09:00:00 +0000
    from mx1.mail.example.org [192.0.2.10]

       ----- Transcript of session follows -----
    <marta@example.net>... Deferred: 452 4.2.2 Mailbox full
    Warning: message still undelivered after 4 hours
    Will keep trying until message is 5 days old

    --44AD0A01.warn
    Content-Type: message/delivery-status

    Reporting-MTA: dns; relay.example.net
    Arrival-Date: Tue, 14 May 2024 09:00:00 +0000

    Final-Recipient: RFC822; marta@example.net
    Action: delayed
    Status: 4.2.2
    Remote-MTA: DNS; mx.example.net
    Diagnostic-Code: SMTP; 452 4.2.2 Mailbox full
    Last-Attempt-Date: Tue, 14 May 2024 13:09:58 +0000
    Will-Retry-Until: Sun, 19 May 2024 09:00:00 +0000

    --44AD0A01.warn--
    """
)

EXCHANGE_DELAY_TEXT = _m(
    """
    From: postmaster@example.com
    To: bounces+1234@mail.example.org
    Subject: Delivery Status Notification (Delay)
    Date: Tue, 14 May 2024 17:00:00 +0000
    Message-ID: <delay.8812@example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=us-ascii

    This is an automatically generated Delivery Status Notification.

    THIS IS A WARNING MESSAGE ONLY.

    YOU DO NOT NEED TO RESEND YOUR MESSAGE.

    Delivery to the following recipients has been delayed.

           pavlo.r@example.com

    Message will be retried for 2 more day(s)
    """
)

GMAIL_DELAY_TEXT = _m(
    """
    From: Mail Delivery Subsystem <mailer-daemon@googlemail.example.com>
    To: bounces+1234@mail.example.org
    Subject: Delivery Status Notification (Delay)
    Date: Tue, 14 May 2024 10:00:00 -0700
    Message-ID: <delay.gm.1@googlemail.example.com>
    Auto-Submitted: auto-replied
    MIME-Version: 1.0
    Content-Type: text/plain; charset=UTF-8

    ** Delivery incomplete **

    There was a temporary problem delivering your message to zoya@example.net. Gmail
    will retry for 47 more hours. You'll be notified if the delivery fails permanently.

    The response from the remote server was:
    421 4.7.0 [198.51.100.9] Try again later, closing connection.
    """
)

SUCCESS_DSN_TWO_RECIPIENTS = _m(
    """
    Return-Path: <>
    From: MAILER-DAEMON@mx1.mail.example.org (Mail Delivery System)
    To: bounces+1234@mail.example.org
    Subject: Successful Mail Delivery Report
    Date: Tue, 14 May 2024 09:00:06 +0000 (UTC)
    Message-Id: <20240514090006.B2C3D4@mx1.mail.example.org>
    Auto-Submitted: auto-replied
    MIME-Version: 1.0
    Content-Type: multipart/report; report-type=delivery-status;
    \tboundary="B2C3D4.1715677206/mx1.mail.example.org"

    --B2C3D4.1715677206/mx1.mail.example.org
    Content-Description: Notification
    Content-Type: text/plain; charset=us-ascii

    This is the mail system at host mx1.mail.example.org.

    Your message was successfully delivered to the destination(s)
    listed below. If the message was delivered to mailbox you will
    receive no further notifications. Otherwise you may still receive
    notifications of mail delivery errors from other systems.

    <ostap@example.net>: delivery via mx.example.net[198.51.100.25]:25: 250 2.0.0 Ok:
        queued as 4VdZ9q

    <roksolana@example.com>: delivery via mx.example.com[198.51.100.7]:25: 250 2.0.0
        Ok: queued as 8KL2mN

    --B2C3D4.1715677206/mx1.mail.example.org
    Content-Description: Delivery report
    Content-Type: message/delivery-status

    Reporting-MTA: dns; mx1.mail.example.org
    Arrival-Date: Tue, 14 May 2024 09:00:00 +0000 (UTC)

    Final-Recipient: rfc822; ostap@example.net
    Action: delivered
    Status: 2.0.0
    Remote-MTA: dns; mx.example.net
    Diagnostic-Code: smtp; 250 2.0.0 Ok: queued as 4VdZ9q

    Final-Recipient: rfc822; roksolana@example.com
    Action: relayed
    Status: 2.0.0
    Remote-MTA: dns; mx.example.com
    Diagnostic-Code: smtp; 250 2.0.0 Ok: queued as 8KL2mN

    --B2C3D4.1715677206/mx1.mail.example.org--
    """
)

WARNING_CASES = [
    pytest.param(POSTFIX_DELAYED_DSN, DELAYED, {}, id="postfix-delayed-dsn"),
    pytest.param(DELAYED_MAILBOX_FULL_DSN, DELAYED, {}, id="sendmail-delayed-mailbox-full-dsn"),
    pytest.param(EXCHANGE_DELAY_TEXT, DELAYED, {}, id="exchange-delay-text-only"),
    pytest.param(GMAIL_DELAY_TEXT, DELAYED, {}, id="gmail-delivery-incomplete-text"),
    pytest.param(
        SUCCESS_DSN_TWO_RECIPIENTS, DELIVERED, {}, id="postfix-success-dsn-two-recipients"
    ),
]


# ============================================================================================
# Genuine bounces near the line: they must stay failures, with exactly these recipients
# ============================================================================================

_ORIGINAL_HEADERS = """\
Return-Path: <bounces+1234@mail.example.org>
From: Kwiga School <news@mail.example.org>
To: {to}
Subject: {subject}
Date: Tue, 14 May 2024 09:00:00 +0000
Message-ID: <20240514090000.{n}@mail.example.org>
X-Kwiga-School: 1234
X-Kwiga-Stream: campaign
"""


def _orig(to: str, subject: str = "Lesson 4 is ready", n: int = 1) -> str:
    return _indent(_ORIGINAL_HEADERS.format(to=to, subject=subject, n=n))


# A mail-admin script relays bounces from the old bounce host, inline, headers intact.
SCRIPT_FORWARDED_BOUNCE_INLINE = _m(
    """
    Return-Path: <mailadmin@mail.example.org>
    From: Bounce Relay <mailadmin@mail.example.org>
    To: bounces+1234@mail.example.org
    Subject: Fwd: Undelivered Mail Returned to Sender
    Date: Tue, 14 May 2024 09:01:00 +0000
    Message-ID: <relay.9A1B2C3D4E@mail.example.org>
    Auto-Submitted: auto-generated
    X-Forwarded-By: bounce-relay/1.4 on mx-old.mail.example.org
    MIME-Version: 1.0
    Content-Type: text/plain; charset=us-ascii

    Forwarded by bounce-relay on mx-old.mail.example.org:

    Return-Path: <>
    Received: by mx-old.mail.example.org (Postfix) id 9A1B2C3D4E; Tue, 14 May 2024 09:00:07 +0000 (UTC)
    Date: Tue, 14 May 2024 09:00:07 +0000 (UTC)
    From: MAILER-DAEMON@mx-old.mail.example.org (Mail Delivery System)
    Subject: Undelivered Mail Returned to Sender
    To: bounces+1234@mail.example.org
    Auto-Submitted: auto-replied
    Message-Id: <20240514090007.9A1B2C3D4E@mx-old.mail.example.org>

    This is the mail system at host mx-old.mail.example.org.

    I'm sorry to have to inform you that your message could not
    be delivered to one or more recipients. It's attached below.

                       The mail system

    <ivan.petrenko@example.net>: host mx.example.net[198.51.100.25] said: 550 5.1.1
        <ivan.petrenko@example.net>: Recipient address rejected: User unknown in
        virtual mailbox table (in reply to RCPT TO command)
    """
)

# The gateway echoes the original subject, which was a reply ("Re: ...").
ECHOED_RE_SUBJECT_POSTMASTER = _m(
    """
    From: postmaster@example.net
    To: bounces+1234@mail.example.org
    Subject: Re: Question about lesson 4
    Date: Tue, 14 May 2024 09:00:10 +0000
    Message-ID: <gw.ndr.5512@example.net>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=us-ascii

    Your message could not be delivered to the following recipient:

        anna.s@example.net

    Reason: 550 5.1.1 <anna.s@example.net>: Recipient address rejected: User unknown

    --- Original message headers ---
    """
    + _orig("anna.s@example.net", "Re: Question about lesson 4", 2)
)

ECHOED_RE_SUBJECT_NULL_SENDER = _m(
    """
    Return-Path: <>
    From: Secure Gateway <gw-notify@example.net>
    To: bounces+1234@mail.example.org
    Subject: RE: Payment confirmation #5521
    Date: Tue, 14 May 2024 09:00:11 +0000
    Message-ID: <gw.ndr.5521@example.net>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=us-ascii

    Delivery to the following recipient failed permanently:

         taras.m@example.net

    Technical details of permanent failure:
    The error that the other server returned was:
    550 5.1.1 <taras.m@example.net>... User unknown
    """
)

POSTMASTER_MESSAGE_NOT_DELIVERED = _m(
    """
    From: Postmaster <postmaster@example.net>
    To: bounces+1234@mail.example.org
    Subject: Message not delivered
    Date: Tue, 14 May 2024 09:00:12 +0000
    Message-ID: <pm.1a2b@example.net>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=us-ascii

    Your message to kyrylo@example.net could not be delivered.

    550 5.1.1 <kyrylo@example.net>... User unknown
    """
)

NON_DAEMON_GATEWAY_DSN_TEXT = _m(
    """
    From: Mail Gateway <gateway@mx.example.net>
    To: bounces+1234@mail.example.org
    Subject: Delivery Status Notification (Failure)
    Date: Tue, 14 May 2024 09:00:13 +0000
    Message-ID: <gw.dsn.77@mx.example.net>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=UTF-8

    Delivery to the following recipient failed permanently:

         lina@example.net

    Technical details of permanent failure:
    The email account that you tried to reach does not exist. Please try double-checking
    the recipient's email address for typos or unnecessary spaces.
    550 5.1.1 https://support.example.net/mail/?p=NoSuchUser
    """
)

DSN_UNDELIVERABLE_RE_SUBJECT_NOREPLY_FROM = _m(
    """
    From: Example Net <noreply@example.net>
    To: bounces+1234@mail.example.org
    Subject: Undeliverable: Re: Lesson 4 question
    Date: Tue, 14 May 2024 09:00:14 +0000
    Message-ID: <dsn.noreply.14@example.net>
    MIME-Version: 1.0
    Content-Type: multipart/report; report-type=delivery-status; boundary="dsn-14"

    --dsn-14
    Content-Type: text/plain; charset=us-ascii

    Your message could not be delivered to oleh.k@example.net.

    --dsn-14
    Content-Type: message/delivery-status

    Reporting-MTA: dns; mx.example.net

    Final-Recipient: rfc822; oleh.k@example.net
    Action: failed
    Status: 5.1.1
    Diagnostic-Code: smtp; 550 5.1.1 <oleh.k@example.net>: Recipient address rejected: User unknown

    --dsn-14
    Content-Type: text/rfc822-headers

    """
    + _orig("oleh.k@example.net", "Re: Lesson 4 question", 14)
    + """
    --dsn-14--
    """
)

O365_HTML_NDR_WITH_LINKS = _m(
    """
    From: Microsoft Outlook <postmaster@example.net>
    To: bounces+1234@mail.example.org
    Subject: Undeliverable: Lesson 4 is ready
    Date: Tue, 14 May 2024 09:00:15 +0000
    Message-ID: <ndr.o365.15@example.net>
    MIME-Version: 1.0
    Content-Type: text/html; charset="us-ascii"

    <html><body>
    <div><b><font color="#000066" size="3">Your message to nadia@example.net couldn't be delivered.</font></b></div>
    <div>nadia wasn't found at example.net.</div>
    <table><tr><td>Kwiga School</td><td>Office 365</td><td>nadia</td></tr>
    <tr><td>Sender</td><td></td><td><font color="#C00000">Action Required</font> Recipient</td></tr></table>
    <p><b>Unknown To address</b></p>
    <p><b>How to Fix It</b><br>The address may be misspelled or may not exist. Try one or more of the following:
    <a href="https://support.example.net/ndr/5.1.10">learn more</a></p>
    <p><b>Diagnostic information for administrators:</b><br>Generating server: DB9PR01MB0001.example.net<br>
    nadia@example.net<br>Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'</p>
    </body></html>
    """
)

SPAM_FILTER_BOUNCE = _m(
    """
    Return-Path: <>
    From: postmaster@example.net
    To: bounces+1234@mail.example.org
    Subject: Message you sent blocked by our bulk email filter
    Date: Tue, 14 May 2024 09:00:16 +0000
    Message-ID: <blocked.16@example.net>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=us-ascii

    Your message to: roman@example.net
    was blocked by our Spam Firewall. The email you sent with the following subject has
    NOT BEEN DELIVERED:

    Subject: Lesson 4 is ready

    550 5.7.1 Message rejected as spam by Content Filtering.
    """
)

AUTO_REPLIED_BOUNCE_WITH_CODE = _m(
    """
    From: MAILER-DAEMON@example.net
    To: bounces+1234@mail.example.org
    Subject: Mail delivery failed
    Date: Tue, 14 May 2024 09:00:17 +0000
    Message-ID: <md.17@example.net>
    Auto-Submitted: auto-replied
    MIME-Version: 1.0
    Content-Type: text/plain; charset=us-ascii

    Delivery to vera@example.net failed:

    550 5.1.1 <vera@example.net>: user unknown
    """
)

TWO_RECIPIENTS_WITH_POSTMASTER_ADVICE = _m(
    """
    Return-Path: <>
    From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
    To: bounces+1234@mail.example.org
    Subject: Mail delivery failed: returning message to sender
    Date: Tue, 14 May 2024 09:00:18 +0000
    Message-ID: <E1s7Qa-0001-18@mx.example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=us-ascii

    This message was created automatically by mail delivery software.

    A message that you sent could not be delivered to one or more of its
    recipients. This is a permanent error. The following address(es) failed:

      dana@example.com
        SMTP error from remote mail server after RCPT TO:<dana@example.com>:
        550 5.1.1 <dana@example.com>: Recipient address rejected: User unknown
      yurii@example.org
        SMTP error from remote mail server after RCPT TO:<yurii@example.org>:
        550 5.1.1 No such user here

    If you think this is an error, contact postmaster@mx.example.com.

    ------ This is a copy of the message, including all the headers. ------

    """
    + _orig("dana@example.com, yurii@example.org", n=18)
)

MAILBOX_FULL_BOUNCE = _m(
    """
    Return-Path: <>
    From: MAILER-DAEMON@mx1.mail.example.org (Mail Delivery System)
    To: bounces+1234@mail.example.org
    Subject: Undelivered Mail Returned to Sender
    Date: Tue, 14 May 2024 09:00:19 +0000 (UTC)
    Message-Id: <20240514090019.C3D4E5@mx1.mail.example.org>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=us-ascii

    This is the mail system at host mx1.mail.example.org.

    I'm sorry to have to inform you that your message could not
    be delivered to one or more recipients.

    <olha.v@example.net>: host mx.example.net[198.51.100.25] said: 552 5.2.2
        <olha.v@example.net>: Mailbox full (in reply to RCPT TO command)
    """
)

SES_SNS_BOUNCE = _sns_mail(
    "AWS Notification Message",
    {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": "stepan@example.net",
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
            ],
            "timestamp": "2024-05-16T10:04:59.000Z",
            "feedbackId": "0102018f8a1b2c3d-bounce",
            "reportingMTA": "dsn; a8-12.smtp-out.example.com",
        },
        "mail": {
            "timestamp": "2024-05-16T10:04:58.000Z",
            "source": "news@mail.example.org",
            "messageId": "0102018f8a1b2c3d",
            "destination": ["stepan@example.net"],
        },
    },
)

GERMAN_UNZUSTELLBAR_AW = _m(
    """
    Return-Path: <>
    From: MAILER-DAEMON@mx.example.de (Mail Delivery System)
    To: bounces+1234@mail.example.org
    Subject: Unzustellbar: AW: Frage zu Lektion 4
    Date: Tue, 14 May 2024 11:00:20 +0200
    Message-ID: <ndr.de.20@mx.example.de>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    Ihre Nachricht konnte nicht zugestellt werden.

    Empfänger: felix.braun@example.de
    Grund: 550 5.1.1 <felix.braun@example.de>: Empfängeradresse unbekannt (user unknown)
    """
)

RUSSIAN_DAEMON_BOUNCE = _m(
    """
    Return-Path: <>
    From: mailer-daemon@mx.example.ru
    To: bounces+1234@mail.example.org
    Subject: =?utf-8?b?0J3QtdC00L7RgdGC0LDQstC70LXQvdC90L7QtSDRgdC+0L7QsdGJ0LXQvdC40LU=?=
    Date: Tue, 14 May 2024 12:00:21 +0300
    Message-ID: <ru.ndr.21@mx.example.ru>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8
    Content-Transfer-Encoding: 8bit

    Сообщение не доставлено следующему адресату:

    vasyl@example.ru
    550 5.1.1 <vasyl@example.ru>: Recipient address rejected: no such user

    --- Заголовки исходного сообщения ---
    """
    + _orig("vasyl@example.ru", n=21)
)

PHISHING_URL_REJECTION_BOUNCE = _m(
    """
    Return-Path: <>
    From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
    To: bounces+1234@mail.example.org
    Subject: Undelivered Mail Returned to Sender
    Date: Tue, 14 May 2024 09:00:22 +0000
    Message-ID: <ndr.22@mx.example.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=us-ascii

    This is the mail system at host mx.example.com.

    I'm sorry to have to inform you that your message could not
    be delivered to one or more recipients.

    <zlata@example.com>: host filter.example.com[198.51.100.77] said: 550 5.7.1
        Message rejected: phishing URL detected in message body (in reply to end of
        DATA command)
    """
)

NULL_SENDER_NOREPLY_WITH_QUOTED_ORIGINAL = _m(
    """
    Return-Path: <>
    From: Mail System <noreply@mx.example.org>
    To: bounces+1234@mail.example.org
    Subject: Mail Delivery Failure
    Date: Tue, 14 May 2024 09:00:23 +0000
    Message-ID: <mdf.23@mx.example.org>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=us-ascii

    The following recipient could not be reached:

        maksym@example.org
        550 5.1.1 Mailbox does not exist

    ----- Original message -----
    """
    + _orig("maksym@example.org", n=23)
    + """
    Hello! Your next lesson is ready. Reply to news@mail.example.org with questions.
    """
)

TRUE_BOUNCE_CASES = [
    pytest.param(
        SCRIPT_FORWARDED_BOUNCE_INLINE,
        FAILED,
        {"ivan.petrenko@example.net": MU},
        id="true-script-forwarded-bounce-inline-headers",
    ),
    pytest.param(
        ECHOED_RE_SUBJECT_POSTMASTER,
        FAILED,
        {"anna.s@example.net": MU},
        id="true-echoed-re-subject-from-postmaster",
    ),
    pytest.param(
        ECHOED_RE_SUBJECT_NULL_SENDER,
        FAILED,
        {"taras.m@example.net": MU},
        id="true-echoed-RE-subject-null-sender-gateway",
    ),
    pytest.param(
        POSTMASTER_MESSAGE_NOT_DELIVERED,
        FAILED,
        {"kyrylo@example.net": MU},
        id="true-postmaster-message-not-delivered",
    ),
    pytest.param(
        NON_DAEMON_GATEWAY_DSN_TEXT,
        FAILED,
        {"lina@example.net": MU},
        id="true-non-daemon-gateway-dsn-text",
    ),
    pytest.param(
        DSN_UNDELIVERABLE_RE_SUBJECT_NOREPLY_FROM,
        FAILED,
        {"oleh.k@example.net": MU},
        id="true-rfc3464-re-subject-noreply-from",
    ),
    pytest.param(
        O365_HTML_NDR_WITH_LINKS,
        FAILED,
        {"nadia@example.net": MU},
        id="true-o365-html-ndr-with-links",
    ),
    pytest.param(
        SPAM_FILTER_BOUNCE,
        FAILED,
        {"roman@example.net": SPAM},
        id="true-bulk-filter-blocked-bounce",
    ),
    pytest.param(
        AUTO_REPLIED_BOUNCE_WITH_CODE,
        FAILED,
        {"vera@example.net": MU},
        id="true-auto-submitted-bounce-with-550-5.1.1",
    ),
    pytest.param(
        TWO_RECIPIENTS_WITH_POSTMASTER_ADVICE,
        FAILED,
        {"dana@example.com": MU, "yurii@example.org": MU},
        id="true-two-recipients-plus-postmaster-advice",
    ),
    pytest.param(
        MAILBOX_FULL_BOUNCE, FAILED, {"olha.v@example.net": FULL}, id="true-mailbox-full-bounce"
    ),
    pytest.param(SES_SNS_BOUNCE, FAILED, {"stepan@example.net": MU}, id="true-ses-sns-bounce-json"),
    pytest.param(
        GERMAN_UNZUSTELLBAR_AW,
        FAILED,
        {"felix.braun@example.de": MU},
        id="true-german-unzustellbar-aw-subject",
    ),
    pytest.param(
        RUSSIAN_DAEMON_BOUNCE, FAILED, {"vasyl@example.ru": MU}, id="true-russian-daemon-bounce"
    ),
    pytest.param(
        PHISHING_URL_REJECTION_BOUNCE,
        FAILED,
        {"zlata@example.com": SPAM},
        id="true-rejected-for-phishing-url",
    ),
    pytest.param(
        NULL_SENDER_NOREPLY_WITH_QUOTED_ORIGINAL,
        FAILED,
        {"maksym@example.org": MU},
        id="true-null-sender-noreply-quoted-original",
    ),
]


CASES = [
    *PHISHING_CASES,
    *PEOPLE_CASES,
    *AUTO_CASES,
    *RECEIPT_CASES,
    *LIST_CASES,
    *COMMERCE_CASES,
    *MAINTENANCE_CASES,
    *REPORT_CASES,
    *ACCOUNT_CASES,
    *MISC_CASES,
    *WARNING_CASES,
    *TRUE_BOUNCE_CASES,
]


def _describe(result) -> str:
    got = [(r.recipient, r.reason.value, r.rule, r.diagnostic[:100]) for r in result.recipients]
    return f"kind {result.kind.value} (detail {result.detail!r}); recipients {got}"


@pytest.mark.parametrize(("raw", "kinds", "expected"), CASES)
def test_not_a_failure_unless_it_is_one(
    raw: bytes, kinds: frozenset[Kind], expected: dict[str, frozenset[Reason]]
) -> None:
    result = parse_message(raw)
    assert result.kind in kinds, _describe(result)
    if result.kind not in (Kind.FAILED, Kind.COMPLAINT):
        assert not result.recipients, _describe(result)
        return
    by_address = {r.recipient: r for r in result.recipients}
    assert set(by_address) == set(expected), _describe(result)
    for address, reasons in expected.items():
        r = by_address[address]
        assert r.reason in reasons, (
            f"{address}: reason {r.reason.value} by rule {r.rule!r} (status {r.status!r}), "
            f"expected one of {sorted(x.value for x in reasons)}; {_describe(result)}"
        )


def test_the_case_list_guards_both_sides() -> None:
    failing = [p for p in CASES if Kind.FAILED in p.values[1]]
    assert len(failing) >= 15
    assert len(CASES) - len(failing) >= 70
