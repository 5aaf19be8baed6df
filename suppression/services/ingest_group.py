"""Ingesting a group of bounce messages in one transaction: the LMTP server's group commit.

``message_ingest`` costs some thirty statements per message (``bounce_record`` locks, reads and
writes one event at a time), which caps a process at a few dozen messages a second once the
database's round trips are counted. A burst arrives on several LMTP sessions at once, so the
server parses each message as it arrives and hands the parsed messages waiting at that moment to
``messages_ingest``, which records all of them through the API's set-based batch path
(``bounce_record_batch``: the same policy, dedupe and rows as ``bounce_record``), stores each raw
message once per sha256 and links it to the events it recorded, all in one transaction. The
server answers every message of the group after that one commit.

Nothing a message says can fail the others: when the group cannot be recorded together for a
reason other than the database's connection (a value the database refuses, a bug tripped by one
message), its transaction is rolled back and the group is recorded again message by message
through ``parsed_message_ingest``, each in its own savepoint of one transaction, as the pipe
records it; a message that fails even then gets its error back alone.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError, transaction

from ..conf import setting
from ..dsn import Kind, ParseResult, parse_message
from ..exceptions import InvalidBounce
from ..models import BounceEvent, BounceEventMessage, School, Source
from ..textsafety import clean_line, clean_text
from . import fastsql
from .bounce_batches import BounceInput, bounce_record_batch
from .common import Actor
from .ingest import (
    MAX_ORIGIN,
    MAX_SLUG,
    InvalidRecipient,
    MessageReport,
    _event_fields,
    parsed_message_ingest,
    stream_for,
    unparsed_keep,
)
from .raw_messages import raw_messages_keep

logger = logging.getLogger(__name__)

# The database's connection failed or a statement ran out of time: nothing of the group is
# stored, and every message of it must be retried (LMTP 451).
CONNECTION_ERRORS = (OperationalError, InterfaceError)
# A deadlock with another writer (an API batch, a second group beside a stuck one): the
# connection is fine, and one message at a time takes its locks one address at a time.
SETTLE_ONE_BY_ONE = ("40P01", "40001")  # deadlock_detected, serialization_failure


SCHOOL_FIELDS = tuple(field.attname for field in School._meta.concrete_fields)


@dataclass(frozen=True, slots=True)
class Arrival:
    """One received message, parsed (no database needed), waiting for its group's commit."""

    raw: bytes
    origin: str
    result: ParseResult
    way_in: str = "lmtp"  # the LivenessSource whose delivery its commit notes


def message_parse(*, raw: bytes, origin: str, way_in: str = "lmtp") -> Arrival:
    return Arrival(
        raw=raw,
        origin=clean_line(origin, limit=MAX_ORIGIN),
        result=parse_message(raw, max_bytes=setting("MAX_MESSAGE_BYTES")),
        way_in=way_in,
    )


def messages_ingest(
    *, arrivals: list[Arrival], actor: Actor = None
) -> list[MessageReport | Exception]:
    """Record ``arrivals`` in one transaction; per arrival, its report or the error it alone hit.

    Locks what ``bounce_record_batch`` locks (the addresses in address order, their open
    suppressions, the changes feed), records the same rows as ``message_ingest`` per message:
    events, suppressions, history and feed rows, each raw message once with its event links,
    unreadable messages in ``UnparsedMessage``. Raises ``OperationalError`` / ``InterfaceError``
    when the database's connection fails or a statement times out: then nothing is stored.
    Call it outside any transaction: it owns its own (two when it falls back).
    """
    try:
        with transaction.atomic():
            return [*_ingest_together(arrivals, actor=actor)]
    except CONNECTION_ERRORS as error:
        if getattr(error.__cause__, "sqlstate", "") not in SETTLE_ONE_BY_ONE:
            raise
        logger.warning("A group of %d messages: %s; one by one", len(arrivals), error)
    except Exception:
        logger.warning(
            "A group of %d messages could not be recorded together: one by one",
            len(arrivals),
            exc_info=True,
        )
    # The group's transaction was rolled back whole: again, each message in its own savepoint.
    outcomes: list[MessageReport | Exception] = []
    with transaction.atomic():
        for arrival in arrivals:
            try:
                with transaction.atomic():
                    outcomes.append(
                        parsed_message_ingest(
                            raw=arrival.raw,
                            origin=arrival.origin,
                            result=arrival.result,
                            actor=actor,
                        )
                    )
            except CONNECTION_ERRORS:
                raise
            except Exception as error:
                outcomes.append(error)
    return outcomes


def _schools(arrivals: list[Arrival]) -> dict[str, School]:
    slugs = {clean_line(arrival.result.school) for arrival in arrivals}
    slugs = {slug for slug in slugs if slug and len(slug) <= MAX_SLUG}
    if not slugs:
        return {}
    if fastsql.available():
        found = fastsql.select(School, SCHOOL_FIELDS, "slug = ANY(%s)", [sorted(slugs)])
    else:
        found = list(School.objects.filter(slug__in=slugs))
    return {school.slug: school for school in found}


def _ingest_together(arrivals: list[Arrival], *, actor: Actor) -> list[MessageReport]:
    reports = [
        MessageReport(origin=a.origin, kind=a.result.kind, detail=clean_text(a.result.detail))
        for a in arrivals
    ]
    schools = _schools(arrivals)
    items: list[BounceInput] = []
    owners: list[int] = []  # per item, the index of its message
    for index, arrival in enumerate(arrivals):
        result = arrival.result
        if result.kind is Kind.UNPARSEABLE:
            reports[index].unparsed = unparsed_keep(
                raw=arrival.raw, origin=arrival.origin, detail=reports[index].detail
            )
            continue
        if result.kind not in (Kind.FAILED, Kind.COMPLAINT) or not result.recipients:
            continue
        school = schools.get(clean_line(result.school))
        stream = stream_for(result.stream)
        for recipient in result.recipients:
            fields = _event_fields(result, recipient, raw=arrival.raw)
            del fields["source"]
            items.append(BounceInput(**fields, school=school, stream=stream))
            owners.append(index)

    # A race with another writer fails the group's transaction, which messages_ingest then
    # records again message by message: no savepoint of the batch's own is needed.
    results = (
        bounce_record_batch(items=items, source=Source.DSN, actor=actor, settle_races=False)
        if items
        else []
    )
    for item, index, outcome in zip(items, owners, results, strict=True):
        report = reports[index]
        if outcome.field_errors:
            why = outcome.field_errors.get("email") or InvalidBounce(outcome.field_errors).message
            report.invalid.append(InvalidRecipient(item.email, why))
        elif outcome.created and outcome.event is not None:
            report.recorded.append(outcome.event)
        else:
            report.duplicates += 1

    recorded = [index for index, report in enumerate(reports) if report.recorded]
    if recorded:
        stored = raw_messages_keep(raws=[arrivals[index].raw for index in recorded])
        links: list[BounceEventMessage] = []
        for index in recorded:
            message = stored[hashlib.sha256(arrivals[index].raw).hexdigest()]
            events: list[BounceEvent] = reports[index].recorded
            links += [BounceEventMessage(event=event, message=message) for event in events]
        fastsql.create(links)

    for index, report in enumerate(reports):
        if report.invalid and not report.recorded and not report.duplicates:
            report.detail = "no valid recipient: " + "; ".join(
                f"{item.recipient!r} ({item.why})" for item in report.invalid
            )
            report.unparsed = unparsed_keep(
                raw=arrivals[index].raw, origin=arrivals[index].origin, detail=report.detail
            )
    return reports
