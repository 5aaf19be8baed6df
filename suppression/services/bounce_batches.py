"""Recording a batch of bounces at once: the same outcome as ``bounce_record`` per event, in order.

``bounce_record`` costs about fifteen statements and a commit per event, which caps one process
at a few hundred events a second. The platform's MTA sends batches of hundreds, so this records a
batch in one transaction with a handful of set-based statements, applying the very same policy
(``policy.soft_in_window``, ``policy.decide_on_bounce``) event by event in Python. Whenever the
batch cannot be recorded that way (another writer inserted one of its events first, a deadlock),
it is rolled back and recorded event by event through ``bounce_record``, which resolves every
race on its own.
"""

from __future__ import annotations

import bisect
import functools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from .. import policy
from ..addresses import NormalizedAddress, normalize_email
from ..console import audit, counts
from ..console.models import AuditEntry
from ..exceptions import InvalidBounce, InvalidEmailAddress
from ..models import BounceEvent, EmailAddress, School, Suppression, SuppressionChange
from ..taxonomy import NEVER_SUPPRESSES, BounceType, bounce_type_for, suppresses_address
from . import fastsql
from .bounces import _validate, bounce_record, storable_texts
from .common import Actor, audited_save, lock_address, lock_changes_feed
from .incidents import incident_count_refusals


@dataclass(slots=True)
class BounceInput:
    email: str
    dedupe_key: str
    occurred_at: datetime
    reason: str
    status: str = ""
    smtp_code: str = ""
    diagnostic: str = ""
    rule: str = ""
    remote_mta: str = ""
    stream: str = ""
    school: School | None = None
    message_id: str = ""


@dataclass(slots=True)
class BatchResult:
    created: bool = False
    suppressed: bool = False  # the event belongs to an open suppression (it opened or joined it)
    field_errors: dict[str, str] = field(default_factory=dict)
    event: BounceEvent | None = None  # the event recorded (created), saved


@dataclass(slots=True)
class _Valid:
    index: int
    item: BounceInput
    normalized: NormalizedAddress
    bounce_type: str


def bounce_record_batch(
    *, items: list[BounceInput], source: str, actor: Actor = None, settle_races: bool = True
) -> list[BatchResult]:
    """Record ``items`` as ``bounce_record`` would one after another; one result per item.

    Locks every address of the batch (in address order, so batches never deadlock each other),
    their open suppressions, and the changes feed while appending to it. Writes the same rows as
    ``bounce_record``: addresses with history, events, suppressions with history, feed rows.
    Invalid items get field errors and record nothing; a repeated key is a duplicate.

    ``settle_races=False``: no savepoint and no one-at-a-time retry; a race (or any database
    error) propagates, for a caller that rolls back its whole transaction and settles it itself
    (``services.ingest_group``).
    """
    results = [BatchResult() for _ in items]
    valid: list[_Valid] = []
    for index, item in enumerate(items):
        problems = _validate(
            source=source,
            dedupe_key=item.dedupe_key,
            occurred_at=item.occurred_at,
            reason=str(item.reason),
            status=item.status,
            smtp_code=item.smtp_code,
            stream=item.stream,
        )
        try:
            normalized = normalize_email(item.email)
        except InvalidEmailAddress as error:
            problems = {"email": error.why, **problems}
        if problems:
            results[index].field_errors = problems
            continue
        bounce_type = bounce_type_for(item.reason, item.status, item.smtp_code)
        valid.append(_Valid(index, item, normalized, bounce_type))
    if not valid:
        return results
    if not settle_races:
        _record_all(valid, results, source=source, actor=actor)
        return results
    try:
        with transaction.atomic():
            _record_all(valid, results, source=source, actor=actor)
    except (IntegrityError, DatabaseError):
        # A race with another writer (the same event arriving twice at once, a deadlock):
        # nothing of the batch was written, and the one-at-a-time path settles each race.
        for entry in valid:
            results[entry.index] = _one(entry.item, source=source, actor=actor)
    return results


def _one(item: BounceInput, *, source: str, actor: Actor) -> BatchResult:
    try:
        outcome = bounce_record(
            email=item.email,
            source=source,
            dedupe_key=item.dedupe_key,
            occurred_at=item.occurred_at,
            reason=item.reason,
            status=item.status,
            smtp_code=item.smtp_code,
            diagnostic=item.diagnostic,
            rule=item.rule,
            remote_mta=item.remote_mta,
            stream=item.stream,
            school=item.school,
            message_id=item.message_id,
            actor=actor,
        )
    except InvalidBounce as error:
        return BatchResult(field_errors=error.field_errors)
    return BatchResult(
        created=outcome.created,
        suppressed=outcome.event.suppression_id is not None,
        event=outcome.event if outcome.created else None,
    )


def _lock_addresses(
    valid: list[_Valid], actor: Actor, source: str, audit_entries: list[AuditEntry]
) -> tuple[dict[str, EmailAddress], set[int]]:
    """Every address of the batch, locked, and the ids of those this transaction created.

    A row this transaction inserted is locked by the insert (another writer of the same address
    waits on it) and has nothing hanging off it yet. The audit-log entries of their history rows
    are added to ``audit_entries``, for the caller to write.
    """
    first_seen: dict[str, NormalizedAddress] = {}
    for entry in valid:
        first_seen.setdefault(entry.normalized.address, entry.normalized)
    wanted = sorted(first_seen)
    if connection.vendor != "postgresql":  # SQLite runs one writer at a time anyway
        why = f"first bounce recorded ({source})"
        return {a: lock_address(first_seen[a], actor=actor, why=why) for a in wanted}, set()
    now = timezone.now()
    fields = [field.attname for field in EmailAddress._meta.concrete_fields]
    # Insert the unseen ones first, in address order: a concurrent batch inserting the same
    # address waits for us instead of failing, and nobody holds a row lock while waiting here.
    rows = fastsql.execute(
        _address_insert(fastsql.rows_key(len(wanted), 4)),
        fastsql.parameters(
            [
                wanted,
                [first_seen[a].domain for a in wanted],
                [first_seen[a].display for a in wanted],
                [now] * len(wanted),
            ],
            len(wanted),
        ),
    )
    created = [EmailAddress.from_db(connection.alias, fields, row) for row in rows]
    addresses = {address.address: address for address in created}
    if created:
        for address in created:
            address._history_user = None  # type: ignore[attr-defined]
            address._change_reason = f"first bounce recorded ({source})"  # type: ignore[attr-defined]
        history = fastsql.history_insert(
            created, default_user=actor if actor is not None and actor.is_authenticated else None
        )
        audit_entries += audit.entries_bulk(history, created)
    others = [address for address in wanted if address not in addresses]
    if others:
        locked = fastsql.select(
            EmailAddress,
            tuple(fields),
            "address = ANY(%s)",
            [others],
            tail="ORDER BY address FOR UPDATE",
        )
        addresses.update({address.address: address for address in locked})
    return addresses, {address.pk for address in created}


@functools.cache
def _address_insert(count: int) -> str:
    return (
        "INSERT INTO suppression_emailaddress (address, domain, display, created_at) SELECT * FROM "
        + fastsql.rows_source(("text", "text", "text", "timestamptz"), count)
        + " ORDER BY 1 ON CONFLICT (address) DO NOTHING RETURNING "
        + ", ".join(
            connection.ops.quote_name(field.column) for field in EmailAddress._meta.concrete_fields
        )
    )


def _record_all(
    valid: list[_Valid], results: list[BatchResult], *, source: str, actor: Actor
) -> None:
    audit_entries: list[AuditEntry] = []  # written in one statement, below
    addresses, created = _lock_addresses(valid, actor, source, audit_entries)
    # Addresses created just now have no suppressions and no events yet.
    ids = [address.pk for address in addresses.values() if address.pk not in created]
    keys = [entry.item.dedupe_key for entry in valid]
    if fastsql.available():
        seen = {
            key
            for (key,) in fastsql.execute(
                "SELECT dedupe_key FROM suppression_bounceevent "
                "WHERE source = %s AND dedupe_key = ANY(%s)",
                [source, keys],
            )
        }
    else:
        seen = set(
            BounceEvent.objects.filter(source=source, dedupe_key__in=keys)
            .order_by()
            .values_list("dedupe_key", flat=True)
        )
    open_now: dict[int, Suppression] = {}
    last_lifted: dict[int, datetime] = {}
    if ids:
        open_now = {
            s.address_id: s
            for s in Suppression.objects.select_for_update().filter(
                address_id__in=ids, lifted_at__isnull=True
            )
        }
        last_lifted = dict(
            Suppression.objects.filter(address_id__in=ids, lifted_at__isnull=False)
            .values("address_id")
            .annotate(last=Max("lifted_at"))
            .values_list("address_id", "last")
        )
    lim = policy.limits()
    now = timezone.now()
    soft_ids = [
        addresses[e.normalized.address].pk
        for e in valid
        if e.bounce_type == BounceType.SOFT
        and suppresses_address(e.item.reason)
        and addresses[e.normalized.address].pk not in created
    ]
    # Per address, the occurrence times of every soft bounce that still counts (received since the
    # last resume), kept sorted: the events of this batch are added as they are recorded.
    softs: dict[int, list[datetime]] = defaultdict(list)
    if soft_ids:
        counted = (
            BounceEvent.objects.filter(
                address_id__in=soft_ids,
                bounce_type=BounceType.SOFT,
                occurred_at__gt=policy.soft_horizon(now, lim),
            )
            .exclude(reason__in=NEVER_SUPPRESSES)
            .values_list("address_id", "occurred_at", "received_at")
        )
        for address_id, occurred, received in counted:
            if policy.soft_counts_since_resume(received, last_lifted.get(address_id)):
                softs[address_id].append(occurred)
        for times in softs.values():
            times.sort()

    opened: list[Suppression] = []
    ended_probation: list[EmailAddress] = []
    events: list[BounceEvent] = []
    for entry in valid:
        item, result = entry.item, results[entry.index]
        if item.dedupe_key in seen:
            continue  # recorded before, or earlier in this batch: a duplicate
        seen.add(item.dedupe_key)
        address = addresses[entry.normalized.address]
        current = open_now.get(address.pk)
        counts_as_soft = entry.bounce_type == BounceType.SOFT and suppresses_address(item.reason)
        if counts_as_soft:
            # Received now, so after any resume: it counts (policy.soft_counts_since_resume).
            bisect.insort(softs[address.pk], item.occurred_at)
        soft_in_window = 0
        if counts_as_soft and current is None:
            soft_in_window = policy.soft_in_window(softs[address.pk], now=now, lim=lim)
        decision = policy.decide_on_bounce(
            reason=item.reason,
            bounce_type=BounceType(entry.bounce_type),
            occurred_at=item.occurred_at,
            has_open_suppression=current is not None,
            probation_until=address.probation_until,
            soft_in_window=soft_in_window,
            lim=lim,
        )
        if decision.action == policy.BounceAction.OPEN:
            detail = " ".join(part for part in (item.status, item.smtp_code) if part)
            current = Suppression(
                address=address,
                trigger=decision.trigger,
                reason=str(item.reason),
                bounce_type=entry.bounce_type,
                is_repeat=decision.is_repeat,
                opened_at=now,
                opened_by=actor if actor is not None and actor.is_authenticated else None,
            )
            current._history_user = None  # type: ignore[attr-defined]
            current._change_reason = (  # type: ignore[attr-defined]
                f"{decision.why}: {item.reason}{f' ({detail})' if detail else ''} via {source}"
            )
            opened.append(current)
            open_now[address.pk] = current
            if address.probation_until is not None:
                address.probation_until = None
                address._probation_why = current._change_reason  # type: ignore[attr-defined]
                ended_probation.append(address)
        event = BounceEvent(
            address=address,
            suppression=current,
            occurred_at=item.occurred_at,
            received_at=now,
            bounce_type=entry.bounce_type,
            reason=str(item.reason),
            status=item.status,
            smtp_code=item.smtp_code,
            source=source,
            dedupe_key=item.dedupe_key,
            stream=item.stream,
            school=item.school,
            **storable_texts(
                diagnostic=item.diagnostic,
                rule=item.rule,
                remote_mta=item.remote_mta,
                message_id=item.message_id,
            ),
        )
        events.append(event)
        result.created = True
        result.suppressed = current is not None
        result.event = event

    if opened:
        # simple-history's bulk_create_with_history, keeping the history rows it writes: the
        # library's bulk path sends no history signal, so the audit log is written here.
        fastsql.create(opened)  # SQLite returns the ids too
        audit_entries += audit.entries_bulk(fastsql.create_history(opened), opened)
    fastsql.create(audit_entries)
    for address in ended_probation:
        audited_save(
            address,
            actor=actor,
            why=f"probation ended: {address._probation_why}",  # type: ignore[attr-defined]
            update_fields=["probation_until"],
        )
    fastsql.create(events)  # each takes its suppression's new id from the object
    counts.count_events(events)
    # Refusals of the platform count toward incidents as in bounce_record: after the address
    # locks, before the feed lock below (the same order as a single bounce takes them).
    incident_count_refusals(events)
    if opened:
        # Last, and briefly: the feed lock is held from here to COMMIT.
        lock_changes_feed()
        fastsql.create(
            [
                SuppressionChange(
                    suppression=s,
                    address_id=s.address_id,
                    kind=SuppressionChange.Kind.OPENED,
                    at=s.opened_at,
                )
                for s in opened
            ]
        )
        counts.count_open(Counter(s.reason for s in opened))
