"""Demo data that tells a true story, built through the services so history and policy apply.

The demo replays the last months of a support team's life: each bounce, request and decision is
made through the services at the moment it happened (the clock is moved there with
time-machine), so ages, probation, the audit trail and every guard agree with each other. The
stories in ``STORIES`` cover each way a request can go and each guard that can stop it; about 150
other addresses bounce for every reason in the background.

Idempotent: bounces carry fixed dedupe keys and a story whose address exists is not told again,
so running it again records nothing new. ``reset=True`` empties the database first.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime

import time_machine
from django.conf import settings
from django.contrib.auth.hashers import get_hasher, make_password
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from . import services
from .addresses import normalize_email
from .demo_dns import Zone
from .exceptions import SuppressionError
from .models import (
    BounceEvent,
    EmailAddress,
    ReinstatementRequest,
    School,
    SchoolMembership,
    Source,
)
from .roles import AUDITOR_ROLE, SCHOOL_OWNER, SUPPORT_AGENT, SUPPORT_LEAD
from .services.raw_messages import raw_message_keep, raw_message_link
from .taxonomy import Reason

PASSWORD = "kwiga-demo"
# PASSWORD, hashed once here: PBKDF2 is slow on purpose (a second of a loaded machine's first
# `make run`). Used while Django's default hasher is this one; a sign-in re-hashes it if Django
# has raised the iterations since.
PASSWORD_HASH = (
    "pbkdf2_sha256$1000000$kwigademo2026salt$ZXfFRuUhH62p7Wlh4Qcy3zdiSLUI5iTqLqp4OJ7a+qg="
)

USERS = [
    ("agent", SUPPORT_AGENT, "Alina", "Support"),
    ("lead", SUPPORT_LEAD, "Leo", "Lead"),
    ("auditor", AUDITOR_ROLE, "Ada", "Auditor"),
    ("owner", SCHOOL_OWNER, "Olha", "Owner"),
    ("owner2", SCHOOL_OWNER, "Oleg", "Owner"),
]
# (slug, name, owner): Olha runs two schools.
SCHOOLS = [
    ("demo-school", "Demo School", "owner"),
    ("python-bootcamp", "Python Bootcamp", "owner"),
    ("second-school", "Second School", "owner2"),
    ("yoga-with-anna", "Yoga with Anna", None),
    ("english-club", "English Club", None),
]
FIRST = [
    "olena",
    "ivan",
    "maria",
    "taras",
    "sofia",
    "andrii",
    "kate",
    "john",
    "anna",
    "petro",
    "iryna",
    "max",
    "emma",
    "oleksii",
    "nadia",
    "david",
    "yulia",
    "mark",
    "daria",
    "roman",
]
LAST = [
    "kovalenko",
    "shevchenko",
    "bondar",
    "smith",
    "melnyk",
    "tkachenko",
    "brown",
    "kravets",
    "moroz",
    "lysenko",
    "nowak",
    "miller",
    "savchenko",
    "klymenko",
    "garcia",
]
# Mailbox providers and the mail hosts the demo's DNS gives them.
PROVIDERS = {
    "gmail.com": "gmail-smtp-in.l.google.com",
    "yahoo.com": "mta5.am0.yahoodns.net",
    "outlook.com": "outlook-com.olc.protection.outlook.com",
    "hotmail.com": "hotmail-com.olc.protection.outlook.com",
    "mail.ru": "mxs.mail.ru",
    "yandex.ru": "mx.yandex.ru",
    "icloud.com": "mx01.mail.icloud.com",
    "gmx.de": "mx00.gmx.net",
    "ukr.net": "mxs.ukr.net",
    "proton.me": "mail.protonmail.ch",
}
DOMAINS = list(PROVIDERS)
# Small businesses' own domains, where `domain_unknown` bounces come from. Reserved names
# (RFC 2606), so that nobody's real domain is looked up. What the demo's DNS says of each now:
RENEWED_DOMAIN = "bondar-bakery.example"  # renewed: MX
LAPSED_DOMAIN = "lviv-yoga-studio.example"  # still lapsed: NXDOMAIN
A_ONLY_DOMAIN = "kravets-law.example"  # no MX, but an A record: accepts mail
NULL_MX_DOMAIN = "moroz-design.example"  # a null MX: accepts no mail
SMALL_DOMAINS = [
    RENEWED_DOMAIN,
    LAPSED_DOMAIN,
    A_ONLY_DOMAIN,
    NULL_MX_DOMAIN,
    "old-startup.example",  # NXDOMAIN
    "tkachenko-tours.example",  # NXDOMAIN
]
DEMO_ZONE: Zone = {
    **{domain: [("MX", (10, host))] for domain, host in PROVIDERS.items()},
    RENEWED_DOMAIN: [("MX", (10, f"mx.{RENEWED_DOMAIN}")), ("A", "192.0.2.10")],
    A_ONLY_DOMAIN: [("A", "192.0.2.20")],
    NULL_MX_DOMAIN: [("MX", (0, "."))],
}

# (status, SMTP code, diagnostic as the server wrote it, remote MTA); {a} address, {d} domain.
SAMPLES: dict[Reason, list[tuple[str, str, str, str]]] = {
    Reason.MAILBOX_UNKNOWN: [
        (
            "5.1.1",
            "550",
            "550-5.1.1 The email account that you tried to reach does not exist. "
            "Please try double-checking the recipient's email address for typos or unnecessary "
            "spaces. https://support.google.com/mail/?p=NoSuchUser",
            "gmail-smtp-in.l.google.com",
        ),
        (
            "5.1.1",
            "550",
            "550 5.1.1 <{a}>: Recipient address rejected: User unknown in virtual mailbox table",
            "mx1.{d}",
        ),
        (
            "5.1.10",
            "550",
            "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
            "{d}.mail.protection.outlook.com",
        ),
        (
            "5.2.1",
            "550",
            "550 5.2.1 The email account that you tried to reach is disabled.",
            "gmail-smtp-in.l.google.com",
        ),
        (
            "5.0.0",
            "550",
            "550 Message was not accepted -- invalid mailbox.  Local mailbox {a} is "
            "unavailable: account is disabled",
            "mxs.mail.ru",
        ),
    ],
    Reason.DOMAIN_UNKNOWN: [
        (
            "5.1.2",
            "",
            "Host or domain name not found. Name service error for name={d} type=A: Host not found",
            "",
        ),
        ("5.4.4", "", "5.4.4 [{a}] Unable to route: no mail hosts for domain", ""),
    ],
    Reason.SENDER_BLOCKED: [
        (
            "5.7.1",
            "550",
            "550 5.7.1 <{a}>: Recipient address rejected: the recipient has blocked this sender",
            "mx.{d}",
        ),
        (
            "5.7.1",
            "554",
            "554 5.7.1 <{a}>: Sender address rejected: not on the recipient's allow list",
            "mx.{d}",
        ),
        (
            "5.7.1",
            "550",
            "550 5.7.1 <{a}>: Recipient address rejected: sender blocked by recipient",
            "mx.{d}",
        ),
    ],
    # The receiving server refuses the platform itself: recorded, never suppresses the address.
    Reason.SENDER_REPUTATION: [
        (
            "5.7.1",
            "554",
            "554 5.7.1 Service unavailable; Client host [203.0.113.25] blocked using "
            "zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.25",
            "mx.{d}",
        ),
        (
            "5.7.606",
            "550",
            "550 5.7.606 Access denied, banned sending IP [203.0.113.25]. To request"
            " removal from this list please visit https://sender.office.com/",
            "{d}.mail.protection.outlook.com",
        ),
        (
            "5.7.26",
            "550",
            "550-5.7.26 Unauthenticated email from kwiga.com is not accepted due to "
            "domain's DMARC policy. Please contact the administrator of kwiga.com domain.",
            "gmail-smtp-in.l.google.com",
        ),
    ],
    Reason.REJECTED: [
        ("5.7.1", "550", "550 5.7.1 <{a}>: Message rejected by the recipient's policy", "mx.{d}"),
        ("5.7.1", "554", "554 5.7.1 <{a}>: Relay access denied", "mail.{d}"),
        ("5.5.4", "501", "501 5.5.4 Invalid Address", "mx.{d}"),
    ],
    Reason.MAILBOX_FULL: [
        (
            "4.2.2",
            "452",
            "452-4.2.2 The recipient's inbox is out of storage space. Please direct "
            "the recipient to https://support.google.com/mail/?p=OverQuotaTemp",
            "gmail-smtp-in.l.google.com",
        ),
        ("5.2.2", "552", "552 5.2.2 Mailbox size limit exceeded", "mx.{d}"),
        (
            "4.2.2",
            "452",
            "452 4.2.2 Mailbox is full / Blocks limit exceeded / Inode limit exceeded",
            "mxs.mail.ru",
        ),
    ],
    Reason.SERVER_UNAVAILABLE: [
        (
            "4.7.0",
            "421",
            "421-4.7.0 Try again later, closing connection. (EHLO)",
            "gmail-smtp-in.l.google.com",
        ),
        ("4.3.2", "451", "451 4.3.2 Temporary server error. Please try again later", "mx.{d}"),
        ("4.4.7", "", "Delivery expired (message too old) 'timeout'", ""),
        (
            "4.7.1",
            "421",
            "421 4.7.1 Too many concurrent SMTP connections; please try again later",
            "mx.{d}",
        ),
    ],
    Reason.MESSAGE_TOO_LARGE: [
        ("5.3.4", "552", "552 5.3.4 Message size exceeds fixed limit", "mx.{d}"),
        (
            "5.2.3",
            "552",
            "552-5.2.3 Your message exceeded Google's message size limits.",
            "gmail-smtp-in.l.google.com",
        ),
    ],
    Reason.SPAM_FILTERED: [
        ("5.7.1", "550", "550 5.7.1 Message rejected as spam by Content Filtering.", "mx.{d}"),
        ("5.7.0", "554", "554 5.7.0 Reject, id=12345-01 - spam detected", "mx.{d}"),
    ],
    Reason.DNS_ERROR: [
        (
            "4.4.3",
            "",
            "Host or domain name not found. Name service error for name={d} type=MX: "
            "Host not found, try again",
            "",
        ),
        ("4.4.3", "451", "451 4.4.3 Temporary DNS lookup failure", ""),
    ],
    Reason.UNKNOWN: [
        ("5.0.0", "554", "554 Transaction failed", "mx.{d}"),
        ("4.0.0", "451", "451 Unexpected failure, please try later", "mx.{d}"),
    ],
    Reason.COMPLAINT: [
        ("", "", "Feedback-Type: abuse (ARF report from the recipient's mailbox provider)", ""),
    ],
}
SOFT = [
    Reason.MAILBOX_FULL,
    Reason.SERVER_UNAVAILABLE,
    Reason.MESSAGE_TOO_LARGE,
    Reason.SPAM_FILTERED,
    Reason.DNS_ERROR,
]
SOURCES = [Source.DSN, Source.AMAZON_SES, Source.SENDGRID, Source.API, Source.MAILGUN]
STREAMS = ["campaign", "campaign", "automation", "system"]

APPROVE_NOTE = "Checked the bounce history: safe to resume."


def ago(*, days: float = 0, hours: float = 0, minutes: float = 0) -> timedelta:
    return timedelta(days=days, hours=hours, minutes=minutes)


@dataclass(frozen=True)
class Step:
    """One thing that happened ``before`` now: a bounce, or a move on the story's request."""

    before: timedelta
    action: str  # bounce, request, approve, reject, withdraw, suppress
    text: str = ""  # the request's explanation, or the decision's note


def bounced(before: timedelta) -> Step:
    return Step(before, "bounce")


def asked(before: timedelta, explanation: str) -> Step:
    return Step(before, "request", explanation)


@dataclass(frozen=True)
class Story:
    key: str
    email: str
    school: str
    reason: Reason
    steps: tuple[Step, ...]
    sample: int = 0  # which of SAMPLES[reason] the bounces quote
    asked_by: str = ""  # default: the school's owner
    shows: str = ""  # what the support agent sees when they open the request


CLEARED = "The client confirmed that they cleared their mailbox; it has plenty of space now."
TYPO = "The client's IT team found a typo in the mailbox name on their server and fixed it."

STORIES: tuple[Story, ...] = (
    Story(
        "mailbox-cleared",
        "olena.kovalenko@gmail.com",
        "demo-school",
        Reason.MAILBOX_FULL,
        (
            bounced(ago(days=9)),
            bounced(ago(days=6)),
            bounced(ago(days=3)),
            asked(ago(minutes=15), CLEARED),
        ),
        shows="pending for minutes; every guard passes",
    ),
    Story(
        "sender-unblocked",
        "mark.nowak@outlook.com",
        "second-school",
        Reason.SENDER_BLOCKED,
        (
            bounced(ago(days=3)),
            asked(ago(minutes=40), "The client removed our address from their block list."),
        ),
        sample=2,
        shows="pending; every guard passes",
    ),
    Story(
        "typo-fixed",
        "andrii.bondar@ukr.net",
        "python-bootcamp",
        Reason.MAILBOX_UNKNOWN,
        (bounced(ago(days=4)), asked(ago(hours=2), TYPO)),
        sample=1,
        shows="pending, the owner's second school; every guard passes",
    ),
    Story(
        "complaint",
        "iryna.moroz@yahoo.com",
        "demo-school",
        Reason.COMPLAINT,
        (
            bounced(ago(days=2)),
            asked(
                ago(hours=5),
                "The client says they marked our newsletter as spam by mistake and wants the "
                "course emails again.",
            ),
        ),
        shows="needs a lead: the recipient complained",
    ),
    Story(
        "on-behalf",
        "petro.lysenko@gmail.com",
        "yoga-with-anna",
        Reason.MAILBOX_UNKNOWN,
        (
            bounced(ago(days=6)),
            asked(
                ago(hours=8),
                "Anna phoned: the student's company fixed a typo in the mailbox name, so the "
                "address exists now.",
            ),
        ),
        asked_by="agent",
        shows="filed by support on the owner's behalf; every guard passes",
    ),
    Story(
        "domain-renewed",
        f"sofia@{RENEWED_DOMAIN}",
        "demo-school",
        Reason.DOMAIN_UNKNOWN,
        (
            bounced(ago(days=20)),
            asked(
                ago(days=1),
                "The client renewed their domain, whose registration had lapsed; their mail "
                "works again.",
            ),
        ),
        shows="the domain guard finds its MX: it may resume",
    ),
    Story(
        "hard-after-resume",
        "maria.melnyk@mail.ru",
        "demo-school",
        Reason.MAILBOX_UNKNOWN,
        (
            bounced(ago(days=25)),
            asked(ago(days=24), TYPO),
            Step(ago(days=23), "approve", APPROVE_NOTE),
            bounced(ago(days=10)),
            asked(
                ago(days=2),
                "The client's IT team fixed the typo in the mailbox name again after moving "
                "servers.",
            ),
        ),
        sample=1,
        shows="needs a lead: it bounced hard 13 days after being resumed (a repeat)",
    ),
    Story(
        "domain-still-gone",
        f"taras@{LAPSED_DOMAIN}",
        "demo-school",
        Reason.DOMAIN_UNKNOWN,
        (
            bounced(ago(days=9)),
            asked(ago(days=3), "The client says they renewed their domain last week."),
        ),
        shows="refused: the domain does not exist (NXDOMAIN); late, waiting 3 days",
    ),
    Story(
        "third-resume",
        "nadia.savchenko@icloud.com",
        "python-bootcamp",
        Reason.MAILBOX_FULL,
        (
            bounced(ago(days=150)),
            bounced(ago(days=148)),
            bounced(ago(days=146)),
            asked(ago(days=145), CLEARED),
            Step(ago(days=144), "approve", APPROVE_NOTE),
            bounced(ago(days=100)),
            bounced(ago(days=98)),
            bounced(ago(days=96)),
            asked(ago(days=95), CLEARED),
            Step(ago(days=94), "approve", APPROVE_NOTE),
            bounced(ago(days=12)),
            bounced(ago(days=9)),
            bounced(ago(days=6)),
            asked(ago(days=5), "The client cleared their mailbox once more and set up a rule."),
        ),
        shows="needs a lead: the third resume within 180 days; late, waiting 5 days",
    ),
    Story(
        "on-probation",
        "john.smith@gmail.com",
        "demo-school",
        Reason.MAILBOX_FULL,
        (
            bounced(ago(days=12)),
            bounced(ago(days=10)),
            bounced(ago(days=8)),
            asked(ago(days=7), CLEARED),
            Step(ago(days=6), "approve", APPROVE_NOTE),
        ),
        shows="approved: sending resumed, on probation",
    ),
    Story(
        "server-back",
        "emma.brown@gmx.de",
        "second-school",
        Reason.SERVER_UNAVAILABLE,
        (
            bounced(ago(days=20)),
            bounced(ago(days=18)),
            bounced(ago(days=16)),
            asked(
                ago(days=15),
                "The client's company says their mail server was down for maintenance and is "
                "back now.",
            ),
            Step(ago(days=14), "approve", APPROVE_NOTE),
        ),
        sample=1,
        shows="approved: sending resumed, on probation",
    ),
    Story(
        "still-spam",
        "david.garcia@hotmail.com",
        "second-school",
        Reason.SPAM_FILTERED,
        (
            bounced(ago(days=11)),
            bounced(ago(days=9)),
            bounced(ago(days=7)),
            asked(ago(days=6), "The client added our sending address to their safe senders."),
            Step(
                ago(days=5),
                "reject",
                "Their server still refuses our mail as spam; ask the client to contact their "
                "mail provider first.",
            ),
        ),
        shows="rejected, with a note for the owner",
    ),
    Story(
        "not-renewed",
        "roman@old-startup.example",
        "python-bootcamp",
        Reason.DOMAIN_UNKNOWN,
        (
            bounced(ago(days=16)),
            asked(ago(days=4), "The client says the domain was renewed."),
            Step(
                ago(days=3),
                "reject",
                "The domain still does not exist; ask the client to renew it with their "
                "registrar, then ask again.",
            ),
        ),
        shows="rejected: the domain was still gone",
    ),
    Story(
        "withdrawn",
        "yulia.klymenko@yandex.ru",
        "second-school",
        Reason.MAILBOX_FULL,
        (
            bounced(ago(days=10)),
            bounced(ago(days=7)),
            bounced(ago(days=4)),
            asked(ago(days=3), CLEARED),
            Step(ago(days=2), "withdraw", "The client wants to leave the course after all."),
        ),
        shows="withdrawn by the owner",
    ),
    Story(
        "suppressed-by-hand",
        "max.tkachenko@proton.me",
        "english-club",
        Reason.UNKNOWN,
        (Step(ago(days=1), "suppress", "The school owner asked by phone to stop mailing them."),),
        shows="suppressed by hand by support",
    ),
)


@dataclass
class DemoSummary:
    created_users: int = 0
    recorded: int = 0
    requests: int = 0
    notes: list[str] = field(default_factory=list)


class DemoNotAllowed(Exception):
    pass


def seed_demo(*, addresses: int = 150, reset: bool = False) -> DemoSummary:
    """Build the demo through the services; ``reset`` empties the database first."""
    if getattr(settings, "PRODUCTION", False):
        raise DemoNotAllowed("Demo users are never created with production settings.")
    if reset:
        # Emptying every table also empties the roles; flush's post_migrate brings them back.
        call_command("flush", interactive=False, verbosity=0)
    summary = DemoSummary()
    # The demo's decisions would mail the demo owners; nobody reads those. One transaction: the
    # services nest in it, and SQLite syncs to disk once instead of after every bounce.
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
        transaction.atomic(),
    ):
        _seed(summary, addresses)
    return summary


def story_requests() -> dict[str, ReinstatementRequest]:
    """Each story's latest request, by story key (for the tests and whoever explores the demo)."""
    found = {}
    for story in STORIES:
        latest = (
            ReinstatementRequest.objects.filter(
                address__address=normalize_email(story.email).address
            )
            .order_by("-created_at")
            .first()
        )
        if latest is not None:
            found[story.key] = latest
    return found


Event = tuple[datetime, int, Callable[[], None]]


def _seed(summary: DemoSummary, addresses: int) -> None:
    users = _users(summary)
    schools = _schools(users)
    now = timezone.now().replace(microsecond=0)
    timeline: list[Event] = []
    for story in STORIES:
        if not EmailAddress.objects.filter(address=normalize_email(story.email).address).exists():
            timeline.extend(_story_events(story, now, users, schools, summary))
    timeline.extend(_background_events(addresses - len(STORIES), now, schools, summary))
    # Everything happens in order, each at its own time.
    for at, _, action in sorted(timeline, key=lambda event: (event[0], event[1])):
        with time_machine.travel(at):
            try:
                action()
            except SuppressionError as error:
                summary.notes.append(str(error))


def _record(
    summary: DemoSummary,
    *,
    email: str,
    reason: Reason,
    sample: tuple[str, str, str, str],
    key: str,
    occurred: datetime,
    school: School,
    stream: str,
    source: str,
) -> None:
    status, smtp, text, mta = sample
    domain = email.split("@")[1]
    outcome = services.bounce_record(
        email=email,
        source=source,
        dedupe_key=f"demo:{key}",
        occurred_at=occurred,
        reason=reason,
        status=status,
        smtp_code=smtp,
        diagnostic=text.format(a=email, d=domain),
        rule=f"demo:{reason}",
        remote_mta=mta.format(a=email, d=domain),
        stream=stream,
        school=school,
        message_id=f"<demo-{key.replace(':', '-')}@mail.kwiga.com>",
    )
    summary.recorded += outcome.created
    if outcome.created and source == Source.DSN:
        # What the receiving server sent back, for the case page's "Raw message" link.
        raw = _demo_dsn(outcome.event, school=school, stream=stream)
        raw_message_link(event=outcome.event, message=raw_message_keep(raw=raw))


def _demo_dsn(event: BounceEvent, *, school: School, stream: str) -> bytes:
    at = format_datetime(event.occurred_at + timedelta(minutes=2))
    boundary = f"demo-{event.pk}/mx1.kwiga.com"
    lines = [
        "Return-Path: <>",
        f"Date: {at}",
        "From: MAILER-DAEMON@mx1.kwiga.com (Mail Delivery System)",
        "Subject: Undelivered Mail Returned to Sender",
        "To: bounces@kwiga.com",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
        f"Message-Id: <dsn-{event.pk}@mx1.kwiga.com>",
        "",
        f"--{boundary}",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "This is the mail system at host mx1.kwiga.com.",
        "",
        f"<{event.address.address}>: host {event.remote_mta or 'unknown'} said: {event.diagnostic}",
        "",
        f"--{boundary}",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mx1.kwiga.com",
        "",
        f"Final-Recipient: rfc822; {event.address.address}",
        "Action: failed",
        f"Status: {event.status or '5.0.0'}",
        f"Remote-MTA: dns; {event.remote_mta or 'unknown'}",
        f"Diagnostic-Code: smtp; {event.diagnostic}",
        "",
        f"--{boundary}",
        "Content-Type: text/rfc822-headers",
        "",
        f"From: {school.name} <noreply@kwiga.com>",
        f"To: {event.address.address}",
        f"Message-ID: {event.message_id}",
        f"X-Kwiga-School: {school.slug}",
        f"X-Kwiga-Stream: {stream}",
        "",
        f"--{boundary}--",
        "",
    ]
    return "\r\n".join(lines).encode()


def _story_events(
    story: Story,
    now: datetime,
    users: dict[str, User],
    schools: dict[str, School],
    summary: DemoSummary,
) -> list[Event]:
    school = schools[story.school]
    owner = next(owner for slug, _, owner in SCHOOLS if slug == story.school)
    # who asks, and withdraws: the school's owner unless the story names someone
    requester = users.get(story.asked_by or owner or "")
    events: list[Event] = []

    def latest() -> ReinstatementRequest:
        return ReinstatementRequest.objects.filter(
            address__address=normalize_email(story.email).address, school=school
        ).latest("created_at")

    for n, step in enumerate(story.steps):
        at = now - step.before
        action: Callable[[], None]
        if step.action == "bounce":
            # A bounce reaches us a couple of minutes after the failure it reports.
            occurred = at - timedelta(minutes=2)
            action = _bind(
                _record,
                summary,
                email=story.email,
                reason=story.reason,
                sample=SAMPLES[story.reason][story.sample],
                key=f"{story.key}:{n}",
                occurred=occurred,
                school=school,
                stream="campaign",
                source=Source.DSN,
            )
        elif step.action == "request":
            action = _bind(_ask, summary, story, school, requester, step.text)
        elif step.action == "approve":
            action = _bind(_decide, latest, services.request_approve, users["agent"], step.text)
        elif step.action == "reject":
            action = _bind(_decide, latest, services.request_reject, users["lead"], step.text)
        elif step.action == "withdraw":
            action = _bind(_decide, latest, services.request_withdraw, requester, step.text)
        else:
            action = _bind(
                services.suppression_open_manual,
                email=story.email,
                actor=users["agent"],
                note=step.text,
            )
        events.append((at, n, action))
    return events


def _bind(function: Callable[..., object], *args: object, **kwargs: object) -> Callable[[], None]:
    def call() -> None:
        function(*args, **kwargs)

    return call


def _ask(summary: DemoSummary, story: Story, school: School, actor: User | None, text: str) -> None:
    services.request_submit(email=story.email, school=school, actor=actor, explanation=text)
    summary.requests += 1


def _decide(
    latest: Callable[[], ReinstatementRequest],
    service: Callable[..., object],
    actor: User | None,
    note: str,
) -> None:
    with transaction.atomic():
        service(request=latest(), actor=actor, note=note)


def _background_events(
    count: int, now: datetime, schools: dict[str, School], summary: DemoSummary
) -> list[Event]:
    """Other addresses bouncing for every reason, for every school, over the last 40 days."""
    rng = random.Random(20261126)
    taken = {normalize_email(story.email).address for story in STORIES}
    slugs = [slug for slug, _, _ in SCHOOLS]
    reasons = list(Reason)
    events: list[Event] = []
    made = 0
    while made < count:
        reason = reasons[made % len(reasons)]
        domain = rng.choice(SMALL_DOMAINS if reason == Reason.DOMAIN_UNKNOWN else DOMAINS)
        email = f"{rng.choice(FIRST)}.{rng.choice(LAST)}{rng.randint(1, 99)}@{domain}"
        if email in taken:
            continue
        taken.add(email)
        made += 1
        bounces = rng.choice([1, 2, 3, 3]) if reason in SOFT else 1
        school = schools[rng.choice(slugs)]
        first = rng.randint(1, 40) if bounces == 1 else rng.randint(bounces * 3, 13)
        for n in range(bounces):
            # soft bounces a few days apart, inside the 14-day window
            at = now - timedelta(days=first - 3 * n, minutes=rng.randint(0, 600))
            action = _bind(
                _record,
                summary,
                email=email,
                reason=reason,
                sample=rng.choice(SAMPLES[reason]),
                key=f"{email}:{n}",
                occurred=at - timedelta(minutes=2),
                school=school,
                stream=rng.choice(STREAMS),
                source=rng.choice(SOURCES),
            )
            events.append((at, 0, action))
    return events


def _password_hash() -> str:
    if get_hasher().algorithm == PASSWORD_HASH.split("$", 1)[0]:
        return PASSWORD_HASH
    return make_password(PASSWORD)


def _users(summary: DemoSummary) -> dict[str, User]:
    users = {}
    password = None  # hashed once: the hash is slow on purpose, and all five share it
    for username, role, first, last in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.kwiga.com",
                "is_staff": role != SCHOOL_OWNER,
            },
        )
        if created:
            password = password or _password_hash()
            user.password = password
            user.save()
            summary.created_users += 1
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
    return users


def _schools(users: dict[str, User]) -> dict[str, School]:
    schools = {}
    for slug, name, owner in SCHOOLS:
        school, _ = School.objects.get_or_create(slug=slug, defaults={"name": name})
        if owner:
            SchoolMembership.objects.get_or_create(school=school, user=users[owner])
        schools[slug] = school
    return schools
