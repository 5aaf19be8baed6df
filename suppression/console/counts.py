"""Daily bounce counts, kept up to date by the bounce services as events are recorded.

Why a counts table and not a cache: the dashboard's chart, the per-domain refusal trend and the
event list's "can this filter match at all?" all need counts over millions of events. A cache
with a short life would still scan the events table every few minutes, once per distinct filter,
and would show a stale figure just after a wave of bounces, when support looks. Counting in the
same transaction as the event costs one upsert per batch, keeps the figures exact, and a read
sums at most a few hundred small rows.

Upserts run last in the bounce transaction and in key order, so two batches never deadlock on
the counters; each row is held only until that transaction commits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime

from django.db import connection

from ..services import fastsql
from ..taxonomy import Reason

BOUNCE_TABLE = "suppression_bouncedaycount"
REFUSAL_TABLE = "suppression_refusaldaycount"
OPEN_TABLE = "suppression_opensuppressioncount"
# The reasons that say the receiving server refused the platform, not the address.
SENDER_SIDE = (str(Reason.SENDER_REPUTATION),)


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _upsert(table: str, keys: list[str], counts: Counter) -> None:
    if not counts:
        return
    columns = [*keys, "n"]
    rows = sorted(counts.items())
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    params = [value for key, n in rows for value in (*key, n)]
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {placeholders} "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET n = {table}.n + excluded.n"
    )
    fastsql.execute(sql, params)


def count_events(events: Iterable[object]) -> None:
    """Add newly recorded events (with their addresses loaded) to the daily counts."""
    by_key: Counter = Counter()
    refusals: Counter = Counter()
    for event in events:
        day = utc_day(event.occurred_at)  # type: ignore[attr-defined]
        by_key[
            (
                day,
                event.bounce_type,  # type: ignore[attr-defined]
                event.reason,  # type: ignore[attr-defined]
                event.source,  # type: ignore[attr-defined]
                event.stream,  # type: ignore[attr-defined]
            )
        ] += 1
        if event.reason in SENDER_SIDE:  # type: ignore[attr-defined]
            refusals[(day, event.address.domain)] += 1  # type: ignore[attr-defined]
    _upsert(BOUNCE_TABLE, ["day", "bounce_type", "reason", "source", "stream"], by_key)
    _upsert(REFUSAL_TABLE, ["day", "domain"], refusals)


def count_open(changes: Counter) -> None:
    """Move the open-suppression counts by ``changes`` ({reason: +opened or -lifted}).

    Called where the changes feed is appended, after its lock: the writers that could race on
    a reason's row are already serialised there, so the counter adds no wait of its own.
    """
    _upsert(OPEN_TABLE, ["reason"], Counter({(reason,): n for reason, n in changes.items() if n}))


def _day_sql(vendor: str) -> str:
    if vendor == "postgresql":
        return "(e.occurred_at AT TIME ZONE 'UTC')::date"
    return "date(e.occurred_at)"


def rebuild(using_connection: object | None = None) -> None:
    """Recount everything from the events (after a bulk load that bypassed the services)."""
    conn = using_connection or connection
    day = _day_sql(conn.vendor)  # type: ignore[attr-defined]
    reasons = ", ".join(f"'{reason}'" for reason in SENDER_SIDE)
    with conn.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute(f"DELETE FROM {BOUNCE_TABLE}")
        cursor.execute(f"DELETE FROM {REFUSAL_TABLE}")
        cursor.execute(f"DELETE FROM {OPEN_TABLE}")
        cursor.execute(
            f"INSERT INTO {OPEN_TABLE} (reason, n) SELECT reason, count(*) "
            "FROM suppression_suppression WHERE lifted_at IS NULL GROUP BY reason"
        )
        cursor.execute(
            f"INSERT INTO {BOUNCE_TABLE} (day, bounce_type, reason, source, stream, n) "
            f"SELECT {day}, e.bounce_type, e.reason, e.source, e.stream, count(*) "
            "FROM suppression_bounceevent e GROUP BY 1, 2, 3, 4, 5"
        )
        cursor.execute(
            f"INSERT INTO {REFUSAL_TABLE} (day, domain, n) "
            f"SELECT {day}, a.domain, count(*) FROM suppression_bounceevent e "
            "JOIN suppression_emailaddress a ON a.id = e.address_id "
            f"WHERE e.reason IN ({reasons}) GROUP BY 1, 2"
        )
