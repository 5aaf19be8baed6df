"""Reads for the console's lists and dashboard: each page is a handful of indexed queries.

Lists page by keyset (the last row's time and id), never by OFFSET, and never count a big
table: the event list's count comes from the daily counts (``console/counts.py``), which also
say at once when a filter cannot match and how far back a page has to look.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery, Sum

from ..addresses import normalize_email
from ..conf import setting
from ..exceptions import InvalidEmailAddress
from ..models import (
    BounceEvent,
    BounceTypeChoices,
    ReasonChoices,
    ReinstatementRequest,
    RequestStatus,
    Source,
    Stream,
)
from ..taxonomy import _FIXED_TYPE, REASON_LABELS, BounceType, Reason
from .models import AuditEntry, BounceDayCount, OpenSuppressionCount, RefusalDayCount

MAX_PAGE = 200
# A school's page reads the matching combinations' ranges (and sorts them) rather than walking the
# school's events in time order when the other filters match at most this many events in all:
# then the school holds at most that many matches, while a time-ordered walk might pass most of
# the school's events before it finds a page of them. Above it, matches are dense enough (over
# 1% of 5M events) that the walk finds a page within a few thousand index entries.
SPARSE_MATCHES = 50_000


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# ---- keyset cursors -------------------------------------------------------------------------


def encode_cursor(at: datetime, pk: int) -> str:
    return f"{at.astimezone(UTC).isoformat()}_{pk}"


def decode_cursor(text: str) -> tuple[datetime, int] | None:
    stamp, _, pk = (text or "").rpartition("_")
    try:
        at = datetime.fromisoformat(stamp)
        number = int(pk)
    except ValueError:
        return None
    if at.tzinfo is None:
        return None
    return at, number


def older_than(cursor: tuple[datetime, int] | None, field_name: str) -> Q:
    if cursor is None:
        return Q()
    at, pk = cursor
    # The first term bounds the index range; the rest only breaks ties within one instant.
    return Q(**{f"{field_name}__lte": at}) & (Q(**{f"{field_name}__lt": at}) | Q(pk__lt=pk))


# ---- bounce events --------------------------------------------------------------------------


def reason_fits_type(reason: str, bounce_type: str) -> bool:
    """Whether an event can have both: every reason but ``unknown`` has one type."""
    try:
        fixed = _FIXED_TYPE.get(Reason(reason))
    except ValueError:
        return False
    if fixed is None:  # unknown: hard or soft by the status class, never a complaint
        return bounce_type in (BounceType.HARD, BounceType.SOFT)
    return fixed == bounce_type


@dataclass
class EventFilters:
    bounce_type: str = ""
    reason: str = ""
    source: str = ""
    stream: str | None = None  # "" is a value: no stream known
    school_id: int | None = None
    day_from: date | None = None
    day_to: date | None = None
    q: str = ""
    cursor: tuple[datetime, int] | None = None
    size: int = 50


@dataclass
class EventPage:
    rows: list[BounceEvent]
    next_cursor: str | None
    matching: int | None  # exact, from the daily counts; None when a filter they lack is set
    refused: str = ""


def _count_filters(filters: EventFilters) -> Q:
    q = Q()
    if filters.bounce_type:
        q &= Q(bounce_type=filters.bounce_type)
    if filters.reason:
        q &= Q(reason=filters.reason)
    if filters.source:
        q &= Q(source=filters.source)
    if filters.stream is not None:
        q &= Q(stream=filters.stream)
    if filters.day_from:
        q &= Q(day__gte=filters.day_from)
    if filters.day_to:
        q &= Q(day__lte=filters.day_to)
    return q


def _address_filter(term: str) -> Q | None:
    """Exact address (any case) or domain, as stored, so an index serves it; None: no match."""
    term = term.strip()
    if "@" in term:
        try:
            return Q(address__address=normalize_email(term).address)
        except InvalidEmailAddress:
            return None
    try:
        return Q(address__domain=term.rstrip(".").encode("idna").decode("ascii").lower())
    except UnicodeError:
        return None


def event_page(filters: EventFilters) -> EventPage:
    """One page of events, newest first, for the event list.

    Three queries: the matching days from the daily counts (none when the filters contradict
    each other), the page's ids, bounded below by the day that holds enough of them for the
    page so that a rare combination never walks the whole index, then those rows.
    """
    size = max(1, min(filters.size, MAX_PAGE))
    if (
        filters.bounce_type
        and filters.reason
        and not reason_fits_type(filters.reason, filters.bounce_type)
    ):
        label = REASON_LABELS.get(Reason(filters.reason), filters.reason)
        return EventPage(
            [],
            None,
            0,
            refused=f"No event is both {filters.bounce_type} and “{label}”: "
            "each reason has one type.",
        )
    if filters.day_from and filters.day_to and filters.day_from > filters.day_to:
        return EventPage([], None, 0, refused="The date range ends before it begins.")
    address_q = _address_filter(filters.q) if filters.q else Q()
    if address_q is None:
        return EventPage([], None, 0, refused="That is neither an email address nor a domain.")
    exact = filters.school_id is None and not filters.q
    count_q = _count_filters(filters)
    if _value_filters_set(filters):
        count_q &= _every_combination(filters)
    per_day = list(
        BounceDayCount.objects.filter(count_q)
        .values("day")
        .annotate(total=Sum("n"))
        .order_by("-day")
        .values_list("day", "total")
    )
    matching = sum(total for _, total in per_day)
    if matching == 0:
        return EventPage([], None, 0)
    query = Q()
    if filters.bounce_type:
        query &= Q(bounce_type=filters.bounce_type)
    if filters.reason:
        query &= Q(reason=filters.reason)
    if filters.source:
        query &= Q(source=filters.source)
    if filters.stream is not None:
        query &= Q(stream=filters.stream)
    if filters.school_id is not None:
        query &= Q(school_id=filters.school_id)
        if matching <= SPARSE_MATCHES and _value_filters_set(filters):
            query &= _every_combination(filters)
    if filters.day_from:
        query &= Q(occurred_at__gte=day_start(filters.day_from))
    if filters.day_to:
        query &= Q(occurred_at__lt=day_start(filters.day_to + timedelta(days=1)))
    query &= address_q & older_than(filters.cursor, "occurred_at")
    if exact:
        lower = _lower_bound(per_day, filters.cursor, size + 1)
        if lower is not None:
            query &= Q(occurred_at__gte=day_start(lower))
    # The ids first: every filter column is in the covering indexes (PostgreSQL), so this is
    # an index-only walk however many non-matching entries it passes; then the page's rows.
    ids = list(
        BounceEvent.objects.filter(query)
        .order_by("-occurred_at", "-pk")
        .values_list("pk", flat=True)[: size + 1]
    )
    rows = (
        list(
            BounceEvent.objects.filter(pk__in=ids)
            .select_related("address", "school")
            .order_by("-occurred_at", "-pk")
        )
        if ids
        else []
    )
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = encode_cursor(rows[-1].occurred_at, rows[-1].pk)
    if filters.cursor is None and next_cursor is None:
        # Every match is on this first page: its rows are the count, whatever the filters.
        return EventPage(rows, None, len(rows))
    return EventPage(rows, next_cursor, matching if exact and filters.cursor is None else None)


def _value_filters_set(filters: EventFilters) -> bool:
    return bool(filters.bounce_type or filters.reason or filters.source) or (
        filters.stream is not None
    )


def _every_combination(filters: EventFilters) -> Q:
    """Each filter as a list of values, the unset ones as every value their check constraint
    allows: an index on (type, reason, source, stream, ...) then reads one short range per
    combination, only the matching rows: the daily counts' rows of those combinations, or a
    school's matching events instead of a walk through the whole school."""
    # Every value, not only the reasons that fit the type: the lists add no condition of their
    # own, so the page shows exactly what the plain filters would.
    return Q(
        bounce_type__in=[filters.bounce_type] if filters.bounce_type else BounceTypeChoices.values,
        reason__in=[filters.reason] if filters.reason else ReasonChoices.values,
        source__in=[filters.source] if filters.source else list(Source.values),
        stream__in=[filters.stream] if filters.stream is not None else list(Stream.values),
    )


def _lower_bound(
    per_day: list[tuple[date, int]], cursor: tuple[datetime, int] | None, wanted: int
) -> date | None:
    """The latest day such that the days from it up to the cursor hold ``wanted`` events.

    The cursor's own day is counted as empty (part of it is already shown), so the window always
    holds every row the page needs; None: the page may need every day.
    """
    upto = cursor[0].astimezone(UTC).date() if cursor else None
    seen = 0
    for day, total in per_day:
        if upto is not None and day > upto:
            continue
        if upto is None or day < upto:
            seen += total
        if seen >= wanted:
            return day
    return None


# ---- the request queue ----------------------------------------------------------------------

AGES = {
    "late": "Over the response-time target",
    "1h": "Waiting over 1 hour",
    "1d": "Waiting over 1 day",
    "3d": "Waiting over 3 days",
}


@dataclass
class QueueRow:
    request: ReinstatementRequest
    age: timedelta
    late: bool
    latest_reason: str
    latest_reason_label: str


@dataclass
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None
    target: timedelta


def response_target() -> timedelta:
    return timedelta(hours=setting("REQUEST_RESPONSE_TARGET_HOURS"))


def request_queue(
    *,
    now: datetime,
    status: str = RequestStatus.PENDING,
    reason: str = "",
    school_id: int | None = None,
    age: str = "",
    cursor: tuple[datetime, int] | None = None,
    size: int = 50,
) -> QueuePage:
    """Requests with the address's latest bounce reason; pending ones oldest first.

    One query whatever the page size: the latest bounce is a correlated subquery that the
    (address, occurred_at) index answers with one probe per row.
    """
    size = max(1, min(size, MAX_PAGE))
    target = response_target()
    latest = BounceEvent.objects.filter(address=OuterRef("address")).order_by("-occurred_at")
    queryset: QuerySet = ReinstatementRequest.objects.select_related(
        "address", "school", "requested_by"
    ).annotate(latest_reason=Subquery(latest.values("reason")[:1]))
    if status:
        queryset = queryset.filter(status=status)
    if school_id is not None:
        queryset = queryset.filter(school_id=school_id)
    if reason:
        queryset = queryset.filter(latest_reason=reason)
    if age in AGES:
        waited = {"late": target, "1h": timedelta(hours=1), "1d": timedelta(days=1)}.get(
            age, timedelta(days=3)
        )
        queryset = queryset.filter(created_at__lte=now - waited)
    oldest_first = status == RequestStatus.PENDING
    if cursor is not None:
        at, pk = cursor
        if oldest_first:
            queryset = queryset.filter(Q(created_at__gt=at) | Q(created_at=at, pk__gt=pk))
        else:
            queryset = queryset.filter(older_than(cursor, "created_at"))
    order = ["created_at", "pk"] if oldest_first else ["-created_at", "-pk"]
    found = list(queryset.order_by(*order)[: size + 1])
    next_cursor = None
    if len(found) > size:
        found = found[:size]
        next_cursor = encode_cursor(found[-1].created_at, found[-1].pk)
    rows = []
    for request in found:
        waited = (request.decided_at or now) - request.created_at
        label = ""
        if request.latest_reason:
            label = REASON_LABELS.get(Reason(request.latest_reason), request.latest_reason)
        rows.append(
            QueueRow(
                request=request,
                age=waited,
                late=request.is_pending and waited > target,
                latest_reason=request.latest_reason or "",
                latest_reason_label=label,
            )
        )
    return QueuePage(rows, next_cursor, target)


# ---- the dashboard --------------------------------------------------------------------------

CHART_DAYS = 30
# A receiving domain "rose sharply": at least this many refusals this week, and this many times
# its weekly average over the four weeks before.
RISE_MIN_REFUSALS = 20
RISE_FACTOR = 3


@dataclass
class DayBar:
    day: date
    by_type: dict[str, int]
    total: int


@dataclass
class RisingDomain:
    domain: str
    this_week: int
    weekly_before: float


@dataclass
class Dashboard:
    suppressed: list[tuple[str, str, int]]  # (reason, label, open suppressions)
    suppressed_total: int
    days: list[DayBar]
    pending: int
    oldest_pending_at: datetime | None
    rising: list[RisingDomain] = field(default_factory=list)


def dashboard(*, now: datetime) -> Dashboard:
    """Everything the admin index shows, in four small queries over the counts tables."""
    suppressed = [
        (reason, REASON_LABELS.get(Reason(reason), reason), n)
        for reason, n in OpenSuppressionCount.objects.filter(n__gt=0)
        .order_by("-n", "reason")
        .values_list("reason", "n")
    ]
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=CHART_DAYS - 1)
    sums: dict[date, dict[str, int]] = defaultdict(dict)
    for day, bounce_type, total in (
        BounceDayCount.objects.filter(day__gte=first, day__lte=today)
        .values("day", "bounce_type")
        .annotate(total=Sum("n"))
        .values_list("day", "bounce_type", "total")
    ):
        sums[day][bounce_type] = total
    days = []
    for offset in range(CHART_DAYS):
        day = first + timedelta(days=offset)
        by_type = sums.get(day, {})
        days.append(DayBar(day, by_type, sum(by_type.values())))
    pending = ReinstatementRequest.objects.filter(status=RequestStatus.PENDING).aggregate(
        n=Count("pk"), oldest=Min("created_at")
    )
    return Dashboard(
        suppressed=suppressed,
        suppressed_total=sum(n for _, _, n in suppressed),
        days=days,
        pending=pending["n"] or 0,
        oldest_pending_at=pending["oldest"],
        rising=rising_domains(today),
    )


def rising_domains(today: date) -> list[RisingDomain]:
    """Receiving domains whose sender-side refusals this week (the last 7 days) rose sharply
    against the four weeks before."""
    week_start = today - timedelta(days=6)
    before_start = week_start - timedelta(days=28)
    this_week = Sum("n", filter=Q(day__gte=week_start))
    before = Sum("n", filter=Q(day__lt=week_start))
    found = []
    for domain, now_n, before_n in (
        RefusalDayCount.objects.filter(day__gte=before_start, day__lte=today)
        .values("domain")
        .annotate(now_n=this_week, before_n=before)
        .filter(now_n__gte=RISE_MIN_REFUSALS)
        .values_list("domain", "now_n", "before_n")
    ):
        weekly = (before_n or 0) / 4
        if now_n >= RISE_FACTOR * max(weekly, 1):
            found.append(RisingDomain(domain, now_n, weekly))
    found.sort(key=lambda rising: -rising.this_week)
    return found[:20]


# ---- the audit log --------------------------------------------------------------------------


@dataclass
class AuditFilters:
    actor_id: int | None = None
    system: bool = False  # changes nobody made by hand (bounces, the API)
    object_type: str = ""
    action: str = ""
    day_from: date | None = None
    day_to: date | None = None
    cursor: tuple[datetime, int] | None = None
    size: int = 50


def audit_queryset(filters: AuditFilters) -> QuerySet:
    queryset = AuditEntry.objects.all()
    if filters.system:
        queryset = queryset.filter(actor__isnull=True)
    elif filters.actor_id is not None:
        queryset = queryset.filter(actor_id=filters.actor_id)
    if filters.object_type:
        queryset = queryset.filter(object_type=filters.object_type)
    if filters.action:
        queryset = queryset.filter(action=filters.action)
    if filters.day_from:
        queryset = queryset.filter(at__gte=day_start(filters.day_from))
    if filters.day_to:
        queryset = queryset.filter(at__lt=day_start(filters.day_to + timedelta(days=1)))
    return queryset


@dataclass
class AuditPage:
    rows: list[Any]
    next_cursor: str | None


def audit_page(filters: AuditFilters) -> AuditPage:
    """One page of the audit log, newest first: one query, whatever the page size."""
    size = max(1, min(filters.size, MAX_PAGE))
    rows = list(
        audit_queryset(filters)
        .filter(older_than(filters.cursor, "at"))
        .select_related("actor")
        .order_by("-at", "-pk")[: size + 1]
    )
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = encode_cursor(rows[-1].at, rows[-1].pk)
    return AuditPage(rows, next_cursor)


def audit_chunks(filters: AuditFilters, chunk: int = 2000) -> Any:
    """Every entry the filters match, newest first, one keyset query per ``chunk`` rows: a
    million rows never sit in memory and no query outlives the statement timeout."""
    cursor = None
    base = audit_queryset(filters).select_related("actor").order_by("-at", "-pk")
    while True:
        rows = list(base.filter(older_than(cursor, "at"))[:chunk])
        yield from rows
        if len(rows) < chunk:
            return
        cursor = (rows[-1].at, rows[-1].pk)
