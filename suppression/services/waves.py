"""Undoing a wave: a lead resumes many suppressions as one audited, resumable, undoable batch.

``batch_create`` snapshots the selection as items; ``run(batch_id)`` works through them in
chunks, each its own transaction: it locks the batch row (so a second worker on the same batch
waits and then carries on after the first one's cursor: nothing is resumed twice), then the chunk's
address rows in id order, then their suppressions (the services' lock order), checks the guards on
the locked rows, lifts with history rows in bulk, and takes the changes feed's lock last, for the
chunk's final insert only. A killed worker leaves the cursor at its last committed chunk;
``manage.py resume_batches`` (or the queue, again) carries on from there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from .. import jobs, policy
from ..conf import setting
from ..exceptions import NoteRequired, NothingSelected, UndoWindowClosed
from ..models import (
    BounceEvent,
    EmailAddress,
    ReinstatementRequest,
    ResumeBatch,
    ResumeBatchItem,
    Suppression,
    SuppressionChange,
)
from ..taxonomy import BounceType
from .bulkwrite import copy_to_history, update_with_history
from .common import Actor, audited_save, lock_changes_feed, require_perm

State = ResumeBatchItem.State
Status = ResumeBatch.Status
PERM = "suppression.run_resumebatch"


@dataclass(frozen=True)
class WaveCriteria:
    """Which open suppressions a lead picks: every field narrows, empty fields do not."""

    reasons: tuple[str, ...] = ()
    domain: str = ""
    opened_from: date | None = None
    opened_to: date | None = None
    school_id: int | None = None
    rule: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "reasons": list(self.reasons),
            "domain": self.domain,
            "opened_from": self.opened_from.isoformat() if self.opened_from else None,
            "opened_to": self.opened_to.isoformat() if self.opened_to else None,
            "school_id": self.school_id,
            "rule": self.rule,
        }


def wave_selection(criteria: WaveCriteria) -> QuerySet[Suppression]:
    """The open suppressions the criteria pick (a selector: read only)."""
    selected = Suppression.objects.filter(lifted_at__isnull=True)
    if criteria.reasons:
        selected = selected.filter(reason__in=criteria.reasons)
    if criteria.domain:
        selected = selected.filter(address__domain=criteria.domain.strip().lower())
    if criteria.opened_from:
        selected = selected.filter(opened_at__date__gte=criteria.opened_from)
    if criteria.opened_to:
        selected = selected.filter(opened_at__date__lte=criteria.opened_to)
    if criteria.school_id:
        selected = selected.filter(
            Exists(
                BounceEvent.objects.filter(
                    suppression_id=OuterRef("pk"), school_id=criteria.school_id
                )
            )
        )
    if criteria.rule:
        selected = selected.filter(
            Exists(BounceEvent.objects.filter(suppression_id=OuterRef("pk"), rule=criteria.rule))
        )
    return selected


@dataclass
class WavePreview:
    count: int
    per_reason: dict[str, int]
    sample: list[Suppression] = field(default_factory=list)


def wave_preview(criteria: WaveCriteria, *, sample: int = 20) -> WavePreview:
    """How many, per reason, and a sample: three queries whatever the size."""
    from django.db.models import Count

    selected = wave_selection(criteria)
    per_reason = dict(
        selected.order_by().values_list("reason").annotate(n=Count("id")).values_list("reason", "n")
    )
    shown = list(selected.select_related("address").order_by("-opened_at")[:sample])
    return WavePreview(count=sum(per_reason.values()), per_reason=per_reason, sample=shown)


def batch_create(*, criteria: WaveCriteria, actor: Actor, note: str) -> ResumeBatch:
    """Record the batch and snapshot its selection as items (one INSERT … SELECT), then queue it.

    Writes the batch's history row; the resuming itself happens in ``run`` after the commit.
    """
    require_perm(actor, PERM, "resume a wave of suppressions")
    if not note or not note.strip():
        raise NoteRequired("Say why these addresses may be mailed again.")
    with transaction.atomic():
        assert isinstance(actor, User)  # require_perm refused anyone else
        batch = ResumeBatch(created_by=actor, note=note.strip(), criteria=criteria.as_json())
        audited_save(batch, actor=actor, why=f"resume batch created: {note.strip()}")
        sql, params = (
            wave_selection(criteria)
            .order_by("id")
            .values("id", "address_id")
            .query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {ResumeBatchItem._meta.db_table} "
                "(batch_id, suppression_id, address_id, state, why) "
                f"SELECT %s, q.id, q.address_id, 'selected', '' FROM ({sql}) q ORDER BY q.id",
                [batch.pk, *params],
            )
            selected = cursor.rowcount
        if selected <= 0:
            raise NothingSelected("The selection matches no open suppression.")
        ResumeBatch.objects.filter(pk=batch.pk).update(selected=selected)
        batch.selected = selected
        batch_enqueue(batch.pk)
    return batch


def batch_undo(*, batch: ResumeBatch, actor: Actor, note: str) -> ResumeBatch:
    """Start re-suppressing what the batch resumed, as it was; within the undo window only."""
    require_perm(actor, PERM, "undo a resume batch")
    if not note or not note.strip():
        raise NoteRequired("Say why the batch is undone.")
    with transaction.atomic():
        locked = ResumeBatch.objects.select_for_update().get(pk=batch.pk)
        now = timezone.now()
        if locked.status != Status.DONE or locked.undo_until is None or locked.undo_until < now:
            raise UndoWindowClosed(
                "Only a finished batch can be undone, within "
                f"{setting('RESUME_BATCH_UNDO_DAYS')} days of finishing."
            )
        locked.status = Status.UNDOING
        locked.undone_by = actor  # type: ignore[assignment]
        locked.undo_note = note.strip()
        audited_save(
            locked,
            actor=actor,
            why=f"undo started: {note.strip()}",
            update_fields=["status", "undone_by", "undo_note"],
        )
        batch_enqueue(locked.pk)
    return locked


def batch_enqueue(batch_id: int) -> None:
    """Run the batch after the commit, off the request, on the list check's queue
    (suppression/jobs.py: Celery when a broker is set, else a thread of this process)."""
    jobs.enqueue(run, batch_id)


@jobs.job
def run(batch_id: int) -> ResumeBatch:
    """Work through the batch (resume, or undo) chunk by chunk until it is finished.

    Safe to call any number of times, from any number of workers at once.
    """
    while True:
        with transaction.atomic():
            batch = ResumeBatch.objects.select_for_update().get(pk=batch_id)
            if batch.status == Status.QUEUED:
                batch.status = Status.RUNNING
                audited_save(
                    batch, actor=batch.created_by, why="resuming started", update_fields=["status"]
                )
            if batch.status == Status.RUNNING:
                more = _resume_chunk(batch)
            elif batch.status == Status.UNDOING:
                more = _undo_chunk(batch)
            else:
                return batch
        if not more:
            return ResumeBatch.objects.get(pk=batch_id)


def _lock_addresses(ids: list[int]) -> None:
    list(
        EmailAddress.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _feed(suppression_ids: list[int], kind: str, at: datetime) -> None:
    """A feed row per suppression, as the chunk's last statement: the feed's lock is held only
    until the commit that follows."""
    if not suppression_ids:
        return
    lock_changes_feed()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SuppressionChange._meta.db_table} "
            "(suppression_id, address_id, kind, at, domain) "
            "SELECT id, address_id, %s, %s, '' FROM suppression_suppression "
            f"WHERE id IN ({', '.join(['%s'] * len(suppression_ids))}) ORDER BY id",
            [kind, at, *suppression_ids],
        )


def _finish(batch: ResumeBatch, *, status: str, why: str, now: datetime, **fields: Any) -> None:
    batch.status = status
    for name, value in fields.items():
        setattr(batch, name, value)
    audited_save(
        batch,
        actor=batch.undone_by if status == Status.UNDONE else batch.created_by,
        why=why,
        update_fields=["status", "resumed", "left_out", "resuppressed", *fields],
    )


def _resume_chunk(batch: ResumeBatch) -> bool:
    now = timezone.now()
    items = list(
        batch.items.filter(pk__gt=batch.cursor, state=State.SELECTED).order_by("pk")[
            : setting("RESUME_BATCH_CHUNK")
        ]
    )
    if not items:
        _finish(
            batch,
            status=Status.DONE,
            why="resumed",
            now=now,
            finished_at=now,
            undo_until=now + timedelta(days=setting("RESUME_BATCH_UNDO_DAYS")),
        )
        return False
    lim = policy.limits()
    address_ids = sorted({item.address_id for item in items})
    _lock_addresses(address_ids)
    suppressions = Suppression.objects.select_for_update().in_bulk(
        [i.suppression_id for i in items]
    )
    open_now = dict(
        Suppression.objects.filter(address_id__in=address_ids, lifted_at__isnull=True).values_list(
            "address_id", "id"
        )
    )
    reasons: dict[int, set[str]] = defaultdict(set)
    for suppression_id, reason in (
        BounceEvent.objects.filter(suppression_id__in=list(suppressions))
        .values_list("suppression_id", "reason")
        .distinct()
    ):
        reasons[suppression_id].add(reason)
    lifts: dict[int, list[datetime]] = defaultdict(list)
    for address_id, lifted_at in Suppression.objects.filter(
        address_id__in=address_ids, lifted_at__isnull=False
    ).values_list("address_id", "lifted_at"):
        if lifted_at is not None:
            lifts[address_id].append(lifted_at)
    hard: dict[int, list[datetime]] = defaultdict(list)
    if lifts:
        earliest = min(min(v) for v in lifts.values())
        for address_id, received_at in BounceEvent.objects.filter(
            address_id__in=list(lifts), bounce_type=BounceType.HARD, received_at__gte=earliest
        ).values_list("address_id", "received_at"):
            hard[address_id].append(received_at)

    bounced_since = set(
        BounceEvent.objects.filter(
            address_id__in=address_ids, received_at__gt=batch.created_at
        ).values_list("address_id", flat=True)
    )
    actor = batch.created_by
    note = f"Resumed in resume batch #{batch.pk}: {batch.note}"
    resumed: list[Suppression] = []
    left_out: list[ResumeBatchItem] = []
    for item in items:
        suppression = suppressions[item.suppression_id]
        why = ""
        if suppression.lifted_at is not None:
            why = (
                "suppressed again since the selection"
                if item.address_id in open_now
                else "no longer suppressed (resumed elsewhere since the selection)"
            )
        else:
            last = max(lifts[item.address_id], default=None)
            facts = policy.GuardFacts(
                explanation=batch.note,
                episode_reasons=frozenset(reasons[suppression.pk] | {suppression.reason}),
                domain_check=None,
                reinstatements_in_window=sum(
                    1 for at in lifts[item.address_id] if at >= now - lim.repeat_window
                ),
                last_reinstated_at=last,
                first_hard_bounce_after_reinstatement=min(
                    (at for at in hard[item.address_id] if last and at >= last), default=None
                ),
                bounced_since_request=int(item.address_id in bounced_since),
            )
            why = policy.wave_left_out_why(facts, lim)
        if why:
            item.state, item.why = State.LEFT_OUT, why[:200]
            left_out.append(item)
        else:
            suppression.lifted_at, suppression.lifted_by, suppression.lift_note = now, actor, note
            resumed.append(suppression)
    if resumed:
        reason = f"resumed by resume batch #{batch.pk}: {batch.note}"
        resumed_ids = [s.pk for s in resumed]
        update_with_history(
            Suppression,
            resumed_ids,
            {"lifted_at": now, "lifted_by": actor, "lift_note": note},
            user_id=actor.pk,
            reason=reason,
            at=now,
            what="sending resumed",
        )
        update_with_history(
            EmailAddress,
            [s.address_id for s in resumed],
            {"probation_until": policy.probation_end(now, lim)},
            user_id=actor.pk,
            reason=f"on probation after {reason}",
            at=now,
        )
        ResumeBatchItem.objects.filter(batch=batch, suppression_id__in=resumed_ids).update(
            state=State.RESUMED
        )
        _approve_pending(batch, resumed_ids, now)
    _set_state(left_out, State.LEFT_OUT)
    # Progress is not audit: the history row of the batch is written when it finishes.
    batch.resumed += len(resumed)
    batch.left_out += len(left_out)
    batch.cursor = items[-1].pk
    ResumeBatch.objects.filter(pk=batch.pk).update(
        resumed=batch.resumed, left_out=batch.left_out, cursor=batch.cursor
    )
    _feed([s.pk for s in resumed], SuppressionChange.Kind.LIFTED, now)
    return True


def _set_state(items: list[ResumeBatchItem], state: str) -> None:
    """One UPDATE per distinct reason (a handful), not a CASE per row."""
    by_why: dict[str, list[int]] = defaultdict(list)
    for item in items:
        by_why[item.why].append(item.pk)
    for why, pks in by_why.items():
        ResumeBatchItem.objects.filter(pk__in=pks).update(state=state, why=why)


def _approve_pending(batch: ResumeBatch, suppression_ids: list[int], now: datetime) -> None:
    from .requests import _decide

    pending = ReinstatementRequest.objects.select_for_update().filter(
        suppression_id__in=suppression_ids, status=ReinstatementRequest.Status.PENDING
    )
    for request in pending:
        _decide(
            request,
            status=ReinstatementRequest.Status.APPROVED,
            actor=batch.created_by,
            at=now,
            note=f"Sending was resumed in resume batch #{batch.pk}.",
            why=f"approved with resume batch #{batch.pk}",
        )


def _undo_chunk(batch: ResumeBatch) -> bool:
    now = timezone.now()
    items = list(
        batch.items.filter(pk__gt=batch.undo_cursor, state=State.RESUMED)
        .select_related("suppression")
        .order_by("pk")[: setting("RESUME_BATCH_CHUNK")]
    )
    if not items:
        _finish(
            batch, status=Status.UNDONE, why=f"undone: {batch.undo_note}", now=now, undone_at=now
        )
        return False
    address_ids = sorted({item.address_id for item in items})
    _lock_addresses(address_ids)
    open_now = set(
        Suppression.objects.filter(address_id__in=address_ids, lifted_at__isnull=True).values_list(
            "address_id", flat=True
        )
    )
    actor: User = batch.undone_by  # type: ignore[assignment]
    why = f"undo of resume batch #{batch.pk}: {batch.undo_note}"[:10000]
    again: list[Suppression] = []
    kept: list[ResumeBatchItem] = []
    for item in items:
        if item.address_id in open_now:
            item.state, item.why = State.KEPT, "suppressed again since the batch"
            kept.append(item)
            continue
        was = item.suppression
        again.append(
            Suppression(
                address_id=item.address_id,
                trigger=was.trigger,
                reason=was.reason,
                bounce_type=was.bounce_type,
                is_repeat=was.is_repeat,
                opened_at=now,
                opened_by=actor,
                open_note=why,
            )
        )
    if again:
        # Plain INSERTs (no signals, no history per object): the history rows are copied below.
        created = Suppression.objects.bulk_create(again, batch_size=1000)
        by_address = {s.address_id: s for s in created}
        if any(s.pk is None for s in created):  # a database that returns no ids
            by_address = {
                s.address_id: s
                for s in Suppression.objects.filter(
                    address_id__in=list(by_address), lifted_at__isnull=True
                )
            }
        copy_to_history(
            Suppression,
            [s.pk for s in by_address.values()],
            user_id=actor.pk,
            reason=why,
            at=now,
            kind="+",
            what="sending paused again (resume batch undone)",
        )
        update_with_history(
            EmailAddress,
            list(by_address),
            {"probation_until": None},
            user_id=actor.pk,
            reason=f"probation ended: {why}",
            at=now,
        )
        ResumeBatchItem.objects.filter(
            pk__in=[i.pk for i in items if i.address_id in by_address]
        ).update(
            state=State.RESUPPRESSED,
            resuppression_id=Subquery(
                Suppression.objects.filter(
                    address_id=OuterRef("address_id"), lifted_at__isnull=True
                ).values("pk")[:1]
            ),
        )
    _set_state(kept, State.KEPT)
    batch.resuppressed += len(again)
    batch.undo_cursor = items[-1].pk
    ResumeBatch.objects.filter(pk=batch.pk).update(
        resuppressed=batch.resuppressed, undo_cursor=batch.undo_cursor
    )
    if again:
        _feed([s.pk for s in by_address.values()], SuppressionChange.Kind.OPENED, now)
    return True
