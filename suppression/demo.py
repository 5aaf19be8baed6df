"""Demo data that looks real, built through the services so history and policy apply as in life.

Idempotent: bounces carry fixed dedupe keys and requests are only filed once, so running it
again records nothing new.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from . import services
from .exceptions import SuppressionError
from .models import ReinstatementRequest, School, SchoolMembership, Source
from .roles import AUDITOR_ROLE, SCHOOL_OWNER, SUPPORT_AGENT, SUPPORT_LEAD
from .taxonomy import Reason

PASSWORD = "kwiga-demo"

USERS = [
    ("agent", SUPPORT_AGENT, "Alina", "Support"),
    ("lead", SUPPORT_LEAD, "Leo", "Lead"),
    ("auditor", AUDITOR_ROLE, "Ada", "Auditor"),
    ("owner", SCHOOL_OWNER, "Olha", "Owner"),
    ("owner2", SCHOOL_OWNER, "Oleg", "Owner"),
]
SCHOOLS = [
    ("demo-school", "Demo School", "owner"),
    ("second-school", "Second School", "owner2"),
    ("yoga-with-anna", "Yoga with Anna", None),
    ("python-bootcamp", "Python Bootcamp", None),
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
DOMAINS = [
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "mail.ru",
    "yandex.ru",
    "icloud.com",
    "gmx.de",
    "ukr.net",
    "proton.me",
]

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
            "5.7.1",
            "550",
            "550 5.7.1 <{a}>: Recipient address rejected: sender blocked by recipient",
            "mx.{d}",
        ),
    ],
    Reason.REJECTED: [
        (
            "5.7.26",
            "550",
            "550-5.7.26 Unauthenticated email from kwiga.com is not accepted due to "
            "domain's DMARC policy. Please contact the administrator of kwiga.com domain.",
            "gmail-smtp-in.l.google.com",
        ),
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


@dataclass
class DemoSummary:
    created_users: int = 0
    recorded: int = 0
    requests: int = 0
    notes: list[str] = field(default_factory=list)


class DemoNotAllowed(Exception):
    pass


def seed_demo(*, addresses: int = 300) -> DemoSummary:
    if getattr(settings, "PRODUCTION", False):
        raise DemoNotAllowed("Demo users are never created with production settings.")
    summary = DemoSummary()
    # The demo's decisions would mail the demo owners; nobody reads those.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        _seed(summary, addresses)
    return summary


def _seed(summary: DemoSummary, addresses: int) -> None:
    users = _users(summary)
    schools = _schools(users)
    rng = random.Random(20261126)
    now = timezone.now().replace(microsecond=0)
    seen: set[str] = set()
    emails: list[str] = []
    while len(emails) < addresses:
        email = f"{rng.choice(FIRST)}.{rng.choice(LAST)}{rng.randint(1, 99)}@{rng.choice(DOMAINS)}"
        if email not in seen:
            seen.add(email)
            emails.append(email)
    plan = _plan(emails, rng)
    key = 0
    for email, reason, count, school_slug in plan:
        school = schools[school_slug]
        for n in range(count):
            key += 1
            status, smtp, text, mta = rng.choice(SAMPLES[reason])
            domain = email.split("@")[1]
            # soft bounces a few days apart, inside the 14-day window
            occurred = now - timedelta(
                days=rng.randint(1, 40) if count == 1 else 3 * (count - n),
                minutes=rng.randint(0, 600),
            )
            outcome = services.bounce_record(
                email=email,
                source=rng.choice(SOURCES),
                dedupe_key=f"demo:{email}:{n}",
                occurred_at=occurred,
                reason=reason,
                status=status,
                smtp_code=smtp,
                diagnostic=text.format(a=email, d=domain),
                rule=f"demo:{reason}",
                remote_mta=mta.format(a=email, d=domain),
                stream=rng.choice(STREAMS),
                school=school,
                message_id=f"<demo-{key}@mail.kwiga.com>",
            )
            summary.recorded += outcome.created
    _requests(plan, schools, users, summary)


def _users(summary: DemoSummary) -> dict[str, User]:
    users = {}
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
            user.set_password(PASSWORD)
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


def _plan(emails: list[str], rng: random.Random) -> list[tuple[str, Reason, int, str]]:
    """Who bounced, why, how often, for which school. The first rows feed the request stories."""
    slugs = [slug for slug, _, _ in SCHOOLS]
    plan: list[tuple[str, Reason, int, str]] = []
    stories = [
        (Reason.MAILBOX_FULL, 3, "demo-school"),  # pending: mailbox cleared
        (Reason.MAILBOX_FULL, 3, "demo-school"),  # approved: on probation
        (Reason.MAILBOX_UNKNOWN, 1, "demo-school"),  # approved, then bounced hard again
        (Reason.DOMAIN_UNKNOWN, 1, "demo-school"),  # pending: DNS guard decides
        (Reason.COMPLAINT, 1, "demo-school"),  # pending: needs a lead
        (Reason.MAILBOX_UNKNOWN, 1, "demo-school"),  # rejected
        (Reason.SENDER_BLOCKED, 1, "second-school"),  # pending
        (Reason.SERVER_UNAVAILABLE, 3, "second-school"),  # approved: on probation
        (Reason.SPAM_FILTERED, 3, "second-school"),  # rejected
        (Reason.MAILBOX_FULL, 3, "second-school"),  # withdrawn
    ]
    for email, (reason, count, slug) in zip(emails, stories, strict=False):
        plan.append((email, reason, count, slug))
    reasons = list(Reason)
    for i, email in enumerate(emails[len(stories) :]):
        reason = reasons[i % len(reasons)]
        count = rng.choice([1, 2, 3, 3]) if reason in SOFT else 1
        plan.append((email, reason, count, rng.choice(slugs)))
    return plan


def _requests(plan, schools, users, summary: DemoSummary) -> None:  # type: ignore[no-untyped-def]
    agent, lead = users["agent"], users["lead"]
    explanations = [
        "The client confirmed that they cleared their mailbox.",
        "The student fixed a typo in their address with their mail provider.",
        "The client's company restored their mail domain yesterday.",
        "The client says they marked our mail as spam by mistake and wants the courses emails.",
        "The client's IT department removed our IP from their block list.",
    ]
    actions = [
        "pending",
        "approve",
        "approve_then_bounce",
        "pending",
        "pending",
        "reject",
        "pending",
        "approve",
        "reject",
        "withdraw",
    ]
    for i, ((email, _, _, slug), action) in enumerate(zip(plan, actions, strict=False)):
        school = schools[slug]
        owner = users["owner"] if slug == "demo-school" else users["owner2"]
        address = email.lower()
        if ReinstatementRequest.objects.filter(address__address=address, school=school).exists():
            continue
        try:
            with transaction.atomic():
                request = services.request_submit(
                    email=email,
                    school=school,
                    actor=owner,
                    explanation=explanations[i % len(explanations)],
                )
                summary.requests += 1
                if action.startswith("approve"):
                    services.request_approve(
                        request=request, actor=agent, note="Checked the history: safe to resume."
                    )
                elif action == "reject":
                    services.request_reject(
                        request=request,
                        actor=lead,
                        note="The server still rejects our mail; ask the client to contact "
                        "their mail provider first.",
                    )
                elif action == "withdraw":
                    services.request_withdraw(request=request, actor=owner)
                if action == "approve_then_bounce":
                    services.bounce_record(
                        email=email,
                        source=Source.DSN,
                        dedupe_key=f"demo:{address}:repeat",
                        occurred_at=timezone.now(),
                        reason=Reason.MAILBOX_UNKNOWN,
                        status="5.1.1",
                        smtp_code="550",
                        diagnostic=f"550 5.1.1 <{address}>: Recipient address rejected: "
                        "User unknown in local recipient table",
                        rule="demo:repeat",
                        stream="campaign",
                        school=school,
                    )
        except SuppressionError as error:
            summary.notes.append(f"{email}: {error}")
    _agent_stories(plan, schools, agent, summary)


def _agent_stories(plan, schools, agent, summary: DemoSummary) -> None:  # type: ignore[no-untyped-def]
    """A request support filed for an owner, and an address suppressed by hand."""
    from .models import Suppression
    from .selectors import is_suppressed

    yoga = schools["yoga-with-anna"]
    suppressed_yoga = [e for e, _, _, slug in plan[10:] if slug == yoga.slug and is_suppressed(e)]
    free = [e for e, *_ in plan[10:] if not is_suppressed(e)]
    try:
        if (
            suppressed_yoga
            and not ReinstatementRequest.objects.filter(on_behalf_of_owner=True).exists()
        ):
            services.request_submit(
                email=suppressed_yoga[0],
                school=yoga,
                actor=agent,
                explanation="Anna phoned: the student set up a new mailbox with the same address.",
            )
            summary.requests += 1
        if free and not Suppression.objects.filter(trigger=Suppression.Trigger.MANUAL).exists():
            services.suppression_open_manual(
                email=free[0],
                actor=agent,
                note="The school owner asked by phone to stop mailing this address.",
            )
    except SuppressionError as error:
        summary.notes.append(str(error))
