"""Recording a bounce: the one way an event enters the system, whatever surface it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from .. import policy
from ..addresses import normalize_email
from ..console import counts
from ..exceptions import InvalidBounce, InvalidEmailAddress
from ..models import BounceEvent, School, Source, Stream, Suppression
from ..taxonomy import NEVER_SUPPRESSES, BounceType, Reason, bounce_type_for, suppresses_address
from ..textsafety import clean_line, clean_text
from .common import Actor, lock_address, lock_open_suppression, suppression_open
from .incidents import incident_count_refusals

MAX_DEDUPE_KEY = 255
EARLIEST_OCCURRED = datetime(1970, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
IMPLAUSIBLE_TIME = "must be after 1970 and not more than a day in the future"
# ASCII only: str.isdigit() accepts fullwidth or superscript digits, and a fullwidth "5.1.1"
# would then pass for a status whose class is not "5", turning a permanent failure soft.
STATUS_RE = re.compile(r"[245]\.\d{1,3}\.\d{1,3}", re.ASCII)
SMTP_CODE_RE = re.compile(r"[2-5]\d\d", re.ASCII)
# Outside text is cut to these lengths, with a visible mark (textsafety.CUT_MARK).
MAX_DIAGNOSTIC = 10_000
MAX_RULE = 100
MAX_REMOTE_MTA = 255
MAX_MESSAGE_ID = 998


def storable_texts(
    *, diagnostic: str, rule: str, remote_mta: str, message_id: str
) -> dict[str, str]:
    """An event's free-text fields as they can be stored, whoever sent them.

    The diagnostic is kept as the server wrote it, minus NUL (which PostgreSQL refuses) and lone
    surrogates (which have no UTF-8 form); the one-line fields also lose control characters.
    Over-long values are cut with a visible mark rather than refused: the rest of the event is
    still worth recording.
    """
    return {
        "diagnostic": clean_text(diagnostic, limit=MAX_DIAGNOSTIC),
        "rule": clean_line(rule, limit=MAX_RULE),
        "remote_mta": clean_line(remote_mta, limit=MAX_REMOTE_MTA),
        "message_id": clean_line(message_id, limit=MAX_MESSAGE_ID),
    }


def plausible_time(value: datetime) -> bool:
    """Far-off times are somebody's bug, and the policy's windows do arithmetic on them."""
    return EARLIEST_OCCURRED <= value <= timezone.now() + FUTURE_SLACK


def occurred_or_now(value: datetime | None) -> datetime:
    """A reported time we can use, else now: a wrong date on a real bounce must not lose it."""
    if value is None or timezone.is_naive(value) or not plausible_time(value):
        return timezone.now()
    return value


@dataclass(frozen=True, slots=True)
class BounceOutcome:
    event: BounceEvent
    created: bool  # False: this report was recorded before (same source and dedupe key)
    opened: Suppression | None  # the suppression this event opened, if any
    decision: policy.BounceDecision | None


# The choices' values as sets, built once (``TextChoices.values`` makes a new list each time).
SOURCES = frozenset(Source.values)
STREAMS = frozenset(Stream.values)


def _validate(
    *,
    source: str,
    dedupe_key: str,
    occurred_at: datetime,
    reason: str,
    status: str,
    smtp_code: str,
    stream: str,
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if source not in SOURCES:
        problems["source"] = f"unknown source {source!r}"
    if not dedupe_key or not dedupe_key.strip():
        problems["dedupe_key"] = "required"
    elif len(dedupe_key) > MAX_DEDUPE_KEY:
        problems["dedupe_key"] = f"at most {MAX_DEDUPE_KEY} characters"
    if not isinstance(occurred_at, datetime) or timezone.is_naive(occurred_at):
        problems["occurred_at"] = "must be a date and time with a time zone"
    elif not plausible_time(occurred_at):
        problems["occurred_at"] = IMPLAUSIBLE_TIME
    if reason not in Reason._value2member_map_:
        problems["reason"] = f"unknown reason {reason!r}"
    if status and not STATUS_RE.fullmatch(status):
        problems["status"] = f"{status!r} is not an enhanced status code like 5.1.1"
    if smtp_code and not SMTP_CODE_RE.fullmatch(smtp_code):
        problems["smtp_code"] = f"{smtp_code!r} is not a three-digit SMTP reply code"
    if stream not in STREAMS:
        problems["stream"] = f"unknown stream {stream!r}"
    return problems


def bounce_record(
    *,
    email: str,
    source: str,
    dedupe_key: str,
    occurred_at: datetime,
    reason: Reason | str,
    status: str = "",
    smtp_code: str = "",
    diagnostic: str = "",
    rule: str = "",
    remote_mta: str = "",
    stream: str = "",
    school: School | None = None,
    message_id: str = "",
    actor: Actor = None,
) -> BounceOutcome:
    """Record one bounce, once per (source, dedupe key), and apply the suppression policy.

    Locks the address row (creating the address when first seen) and its open suppression.
    Records the event, linked to the open suppression or to the one it opens; opening writes a
    history row (by ``actor``, None for the system) and a changes-feed row.
    Raises ``InvalidEmailAddress`` or ``InvalidBounce`` (with field errors) and records nothing.
    """
    reason = str(reason)
    problems = _validate(
        source=source,
        dedupe_key=dedupe_key,
        occurred_at=occurred_at,
        reason=reason,
        status=status,
        smtp_code=smtp_code,
        stream=stream,
    )
    try:
        normalized = normalize_email(email)
    except InvalidEmailAddress as error:
        problems = {"email": error.why, **problems}
    if problems:
        raise InvalidBounce(problems)
    bounce_type = bounce_type_for(reason, status, smtp_code)
    try:
        with transaction.atomic():
            return _record(
                normalized=normalized,
                source=source,
                dedupe_key=dedupe_key,
                occurred_at=occurred_at,
                reason=reason,
                bounce_type=bounce_type,
                status=status,
                smtp_code=smtp_code,
                stream=stream,
                school=school,
                actor=actor,
                **storable_texts(
                    diagnostic=diagnostic, rule=rule, remote_mta=remote_mta, message_id=message_id
                ),
            )
    except IntegrityError:
        # The same report raced in through another connection (or the key was reused for
        # another address): whichever committed first is the record.
        existing = BounceEvent.objects.filter(source=source, dedupe_key=dedupe_key).first()
        if existing is None:
            raise
        return BounceOutcome(existing, created=False, opened=None, decision=None)


def _record(
    *,
    normalized,
    source,
    dedupe_key,
    occurred_at,
    reason,
    bounce_type,
    status,
    smtp_code,  # type: ignore[no-untyped-def]
    diagnostic,
    rule,
    remote_mta,
    stream,
    school,
    message_id,
    actor,
) -> BounceOutcome:
    address = lock_address(normalized, actor=actor, why=f"first bounce recorded ({source})")
    existing = BounceEvent.objects.filter(source=source, dedupe_key=dedupe_key).first()
    if existing is not None:
        return BounceOutcome(existing, created=False, opened=None, decision=None)

    lim = policy.limits()
    open_suppression = lock_open_suppression(address)
    last_lifted_at = address.suppressions.filter(lifted_at__isnull=False).aggregate(
        last=Max("lifted_at")
    )["last"]
    soft_in_window = 0
    received_at = timezone.now()
    if bounce_type == BounceType.SOFT and open_suppression is None and suppresses_address(reason):
        # Every soft bounce that could still count, whenever it happened relative to this one:
        # the rule looks at the whole set, so arrival order never matters.
        earlier = address.events.filter(
            bounce_type=BounceType.SOFT,
            occurred_at__gt=policy.soft_horizon(received_at, lim),
        ).exclude(reason__in=NEVER_SUPPRESSES)
        soft_in_window = policy.soft_bounces_counted(
            [*earlier.values_list("occurred_at", "received_at"), (occurred_at, received_at)],
            resumed_at=last_lifted_at,
            now=received_at,
            lim=lim,
        )
    decision = policy.decide_on_bounce(
        reason=reason,
        bounce_type=bounce_type,
        occurred_at=occurred_at,
        has_open_suppression=open_suppression is not None,
        probation_until=address.probation_until,
        soft_in_window=soft_in_window,
        lim=lim,
    )
    opened = None
    if decision.action == policy.BounceAction.OPEN:
        detail = " ".join(part for part in (status, smtp_code) if part)
        opened = suppression_open(
            address=address,
            trigger=decision.trigger,
            reason=reason,
            bounce_type=bounce_type,
            is_repeat=decision.is_repeat,
            actor=actor,
            why=f"{decision.why}: {reason}{f' ({detail})' if detail else ''} via {source}",
        )
    event = BounceEvent(
        address=address,
        suppression=opened or open_suppression,
        occurred_at=occurred_at,
        bounce_type=bounce_type,
        reason=reason,
        status=status,
        smtp_code=smtp_code,
        diagnostic=diagnostic,
        rule=rule,
        remote_mta=remote_mta,
        source=source,
        dedupe_key=dedupe_key,
        stream=stream,
        school=school,
        message_id=message_id,
        received_at=received_at,
    )
    event.save()
    incident_count_refusals([event])
    counts.count_events([event])
    return BounceOutcome(event, created=True, opened=opened, decision=decision)
