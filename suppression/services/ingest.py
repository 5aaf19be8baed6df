"""Ingesting bounce messages (DSNs): parse one raw message, record what it reports.

Every recipient the parser finds goes through ``bounce_record``, and the message's bytes are kept
(compressed, once) beside the events it recorded (``raw_messages``); a message that cannot be read
is kept whole in ``UnparsedMessage`` instead of being dropped. Commands and the MTA pipe are thin
callers of ``message_ingest``.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import DataError, IntegrityError, transaction

from ..addresses import normalize_email
from ..conf import setting
from ..dsn import FailedRecipient, Kind, ParseResult, parse_message
from ..exceptions import InvalidBounce, InvalidEmailAddress
from ..models import BounceEvent, RawBounceMessage, School, Source, Stream, UnparsedMessage
from ..taxonomy import Reason
from ..textsafety import clean_line, clean_text
from .bounces import STREAMS, bounce_record, occurred_or_now
from .common import Actor
from .raw_messages import raw_message_keep, raw_message_link

MAX_ORIGIN = 1000
MAX_SLUG = 100  # School.slug
MAX_DETAIL = 10_000


class MessageOutcome(enum.StrEnum):
    RECORDED = "recorded"  # at least one new bounce event
    DUPLICATE = "duplicate"  # every recipient was recorded before
    NOT_A_FAILURE = "not_a_failure"  # auto-reply, delay warning, delivery report, other mail
    UNPARSEABLE = "unparseable"  # kept in UnparsedMessage


@dataclass(frozen=True, slots=True)
class InvalidRecipient:
    recipient: str
    why: str


@dataclass(slots=True)
class MessageReport:
    """What ingesting one message did, for the caller to count and show."""

    origin: str
    kind: Kind
    detail: str = ""
    recorded: list[BounceEvent] = field(default_factory=list)
    duplicates: int = 0
    invalid: list[InvalidRecipient] = field(default_factory=list)
    unparsed: UnparsedMessage | None = None

    @property
    def outcome(self) -> MessageOutcome:
        if self.unparsed is not None:
            return MessageOutcome.UNPARSEABLE
        if self.recorded:
            return MessageOutcome.RECORDED
        if self.duplicates:
            return MessageOutcome.DUPLICATE
        return MessageOutcome.NOT_A_FAILURE


def dsn_dedupe_key(*, raw: bytes, bounce_message_id: str, recipient: str) -> str:
    """The key that makes one bounce message record each recipient once.

    The bounce's own Message-ID survives being stored as a Maildir file, in an mbox or piped
    again; without one, the raw bytes are all that tells two messages apart.
    """
    basis = (
        f"mid:{bounce_message_id}"
        if bounce_message_id
        else f"sha256:{hashlib.sha256(raw).hexdigest()}"
    )
    return hashlib.sha256(f"{basis}\n{recipient.strip().lower()}".encode()).hexdigest()


def school_for(slug: str) -> School | None:
    """The school an ``X-Kwiga-School`` header names; an unknown slug is no reason to fail.

    Whoever mails the bounce address writes this header: cleaned before the lookup (PostgreSQL
    refuses a NUL in a query), and a value longer than any slug names no school.
    """
    slug = clean_line(slug)
    if not slug or len(slug) > MAX_SLUG:
        return None
    return School.objects.filter(slug=slug).first()


def stream_for(value: str) -> str:
    """The ``X-Kwiga-Stream`` header as a Stream value, "" when it is none of ours."""
    value = clean_line(value).lower()
    return value if value in STREAMS else Stream.UNKNOWN.value


def message_ingest(*, raw: bytes, origin: str, actor: Actor = None) -> MessageReport:
    """Parse one raw bounce message and record a bounce event per failed recipient.

    Each recipient is recorded by ``bounce_record`` in its own transaction (locking its address),
    once per (bounce Message-ID or raw bytes, recipient), so ingesting the same message again
    records nothing new. A message the parser cannot read, whose recipients are all invalid
    addresses, or that the database refuses for what it says, is kept in ``UnparsedMessage``
    (once per sha256): one poison message never stops the ones after it. Every header value is
    cleaned before use (``textsafety``). Other database errors (the database is down, a
    deadlock) propagate: the caller decides whether to retry.
    """
    origin = clean_line(origin, limit=MAX_ORIGIN)
    result = parse_message(raw, max_bytes=setting("MAX_MESSAGE_BYTES"))
    return parsed_message_ingest(raw=raw, origin=origin, result=result, actor=actor)


def parsed_message_ingest(
    *, raw: bytes, origin: str, result: ParseResult, actor: Actor = None
) -> MessageReport:
    """``message_ingest`` of a message parsed already (``origin`` cleaned already)."""
    report = MessageReport(origin=origin, kind=result.kind, detail=clean_text(result.detail))
    if result.kind is Kind.UNPARSEABLE:
        report.unparsed = unparsed_keep(raw=raw, origin=origin, detail=report.detail)
        return report
    if result.kind not in (Kind.FAILED, Kind.COMPLAINT) or not result.recipients:
        return report

    try:
        _record_recipients(result, report, raw=raw, actor=actor)
    except REFUSED as error:
        # Not expected once the values are cleaned; if it happens anyway, the message is kept
        # for a person, and the next one is read.
        report.detail = f"could not be recorded: {_refusal(error)}"
        report.unparsed = unparsed_keep(raw=raw, origin=origin, detail=report.detail)
        return report

    if report.invalid and not report.recorded and not report.duplicates:
        detail = "no valid recipient: " + "; ".join(
            f"{item.recipient!r} ({item.why})" for item in report.invalid
        )
        report.detail = detail
        report.unparsed = unparsed_keep(raw=raw, origin=origin, detail=detail)
    return report


# Refusals for what a message says, not for the database's state: retrying cannot help.
# (UnicodeError, a ValueError, is how a driver refuses text it cannot encode.)
REFUSED = (DataError, ValueError)


def _refusal(error: Exception) -> str:
    return f"{type(error).__name__}: {clean_line(error, limit=200)}"


def _record_recipients(
    result: ParseResult, report: MessageReport, *, raw: bytes, actor: Actor
) -> None:
    school = school_for(result.school)
    stream = stream_for(result.stream)
    stored: RawBounceMessage | None = None
    for recipient in result.recipients:
        try:
            # The event and its link to the stored message commit together.
            with transaction.atomic():
                outcome = bounce_record(
                    **_event_fields(result, recipient, raw=raw),
                    school=school,
                    stream=stream,
                    actor=actor,
                )
                if outcome.created:
                    stored = stored or raw_message_keep(raw=raw)
                    raw_message_link(event=outcome.event, message=stored)
        except InvalidBounce as error:
            why = error.field_errors.get("email") or error.message
            report.invalid.append(InvalidRecipient(clean_line(recipient.recipient), why))
            continue
        except REFUSED as error:
            why = f"the database refused it: {_refusal(error)}"
            report.invalid.append(InvalidRecipient(clean_line(recipient.recipient), why))
            continue
        if outcome.created:
            report.recorded.append(outcome.event)
        else:
            report.duplicates += 1


def aliased_from(recipient: FailedRecipient) -> str:
    """The address the report says the sender used, when aliasing changed it; else "".

    The event stays on the address that failed: an Original-Recipient may be a list or an alias
    of many ("team@school.example"), and one member's dead mailbox must not suppress the rest.
    The original is kept in the diagnostic for support to see.
    """
    original = recipient.original_recipient
    if not original or original == recipient.recipient:
        return ""
    try:
        address = normalize_email(original).address
    except InvalidEmailAddress:
        return ""
    try:
        final = normalize_email(recipient.recipient).address
    except InvalidEmailAddress:
        final = ""
    return address if address != final else ""


def _event_fields(result: ParseResult, recipient: FailedRecipient, *, raw: bytes) -> dict[str, Any]:
    complaint = result.kind is Kind.COMPLAINT
    # Whoever mails the bounce address writes every one of these; bounce_record cleans and cuts
    # the free-text fields, the recipient and the ids are cleaned here before they are hashed.
    email = clean_line(recipient.recipient)
    diagnostic = recipient.diagnostic
    original = aliased_from(recipient)
    if original:
        diagnostic = f"(sent to {original}) {diagnostic}"
    return {
        "email": email,
        "source": Source.DSN,
        "dedupe_key": dsn_dedupe_key(
            raw=raw, bounce_message_id=clean_line(result.bounce_message_id), recipient=email
        ),
        # The parser already falls back to the bounce's Date; without either, or with a date no
        # mail server could mean, the time it reached us.
        "occurred_at": occurred_or_now(recipient.occurred_at),
        "reason": Reason.COMPLAINT if complaint else recipient.reason,
        "status": recipient.status,
        "smtp_code": recipient.smtp_code,
        "diagnostic": diagnostic,
        "rule": recipient.rule,
        "remote_mta": recipient.remote_mta,
        "message_id": result.original_message_id,
    }


def unparsed_keep(*, raw: bytes, origin: str, detail: str) -> UnparsedMessage:
    """Keep a message the parser could not read, once per sha256 of its bytes.

    A message over ``MAX_MESSAGE_BYTES`` keeps only that many leading bytes (``size`` says how
    big it was), so that a runaway message cannot fill the database.
    """
    digest = hashlib.sha256(raw).hexdigest()
    existing = UnparsedMessage.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    limit = setting("MAX_MESSAGE_BYTES")
    kept = raw[:limit]
    if len(raw) > limit:
        detail = f"{detail} (kept the first {limit} of {len(raw)} bytes)"
    message = UnparsedMessage(
        origin=clean_line(origin, limit=MAX_ORIGIN),
        sha256=digest,
        size=len(raw),
        raw=kept,
        detail=clean_text(detail, limit=MAX_DETAIL),
    )
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # The same message arrived through another connection first.
        return UnparsedMessage.objects.get(sha256=digest)
    return message
