"""Keyset pages for the portal's paused list: every page costs what the first one does.

An offset page (``?page=20``) makes the database walk and drop every row before it, and for a
school with 100,000 paused addresses each of those rows is an index probe of the school's
bounces. A keyset page starts where the previous one ended instead: the link carries the last
row's (time, id), and the query starts the index scan there. The price is that pages have no
numbers; the list says how many addresses there are (up to a cap) and links to the newer and the
older page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q, QuerySet

# The query parameters of a page: rows older (or newer) than this cursor.
OLDER = "older"
NEWER = "newer"
START = "start"  # how many rows come before the page the link leads to


@dataclass(frozen=True)
class Cursor:
    """A row's place in the list: its time and id, as ``<microseconds since 1970>.<id>``."""

    at: datetime
    pk: int

    def __str__(self) -> str:
        delta = self.at - datetime(1970, 1, 1, tzinfo=UTC)
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return f"{micros}.{self.pk}"

    @classmethod
    def parse(cls, value: str | None) -> Cursor | None:
        """The cursor a link carries, or None for anything else (the list starts at the top)."""
        if not value or len(value) > 40:
            return None
        micros, dot, pk = value.partition(".")
        if not dot or not micros.isdigit() or not pk.isdigit():
            return None
        try:
            at = datetime.fromtimestamp(int(micros) // 1_000_000, UTC).replace(
                microsecond=int(micros) % 1_000_000
            )
        except (OverflowError, OSError, ValueError):
            return None
        return cls(at=at, pk=int(pk))


@dataclass
class KeysetPage:
    rows: list[Any]
    older: Cursor | None = None  # the cursor of the next older page, if there is one
    newer: Cursor | None = None  # the cursor of the next newer page, if this is not the top
    start: int = 0  # how many rows come before this page (the links carry it as ``START``)


def keyset_page(
    queryset: QuerySet[Any],
    *,
    size: int,
    time_field: str,
    older: Cursor | None = None,
    newer: Cursor | None = None,
    start: int = 0,
    total: int | None = None,
) -> KeysetPage:
    """One page of ``queryset`` newest first by (``time_field``, id), in one query at most.

    ``older``: the rows after that cursor (the next page down); ``newer``: the rows before it
    (the page up). The redundant ``<=``/``>=`` on the time lets the database start its index
    scan at the cursor instead of filtering from the top.

    ``total``, when the caller counted every row, and ``start``, the rows before the page (as the
    links carry it), bound the query: a search that matches 30 rows among 400,000 stops at the
    30th instead of walking to the end of the index for a 31st, and one that matches none makes
    no query at all. A forged ``start`` only makes the forger's own page shorter.
    """
    start = max(start, 0)
    if newer is not None:
        if start <= 0:
            # The top of the list (``start`` is where the newer page starts).
            return keyset_page(queryset, size=size, time_field=time_field, total=total)
        after = Q(**{f"{time_field}__gt": newer.at}) | Q(
            **{time_field: newer.at, "pk__gt": newer.pk}
        )
        rows = list(
            queryset.filter(after, **{f"{time_field}__gte": newer.at}).order_by(time_field, "pk")[
                : size + 1
            ]
        )
        if len(rows) <= size:
            # Fewer newer rows than a page: show a full first page rather than a short one.
            return keyset_page(queryset, size=size, time_field=time_field, total=total)
        rows = rows[:size][::-1]
        return KeysetPage(
            rows=rows,
            older=_cursor(rows[-1], time_field),
            newer=_cursor(rows[0], time_field),
            start=start,
        )
    if older is None:
        start = 0
    remaining = size + 1 if total is None else max(min(total - start, size + 1), 0)
    if remaining == 0:
        return KeysetPage(rows=[], start=start)
    ordered = queryset.order_by(f"-{time_field}", "-pk")
    if older is not None:
        before = Q(**{f"{time_field}__lt": older.at}) | Q(
            **{time_field: older.at, "pk__lt": older.pk}
        )
        ordered = ordered.filter(before, **{f"{time_field}__lte": older.at})
    rows = list(ordered[:remaining])
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows=rows,
        older=_cursor(rows[-1], time_field) if more else None,
        newer=_cursor(rows[0], time_field) if older is not None and rows else None,
        start=start,
    )


def _cursor(row: Any, time_field: str) -> Cursor:
    return Cursor(at=getattr(row, time_field), pk=row.pk)


def parse_start(value: str | None) -> int:
    """The ``START`` a link carries; 0 for anything but a small number."""
    return int(value) if value and value.isdigit() and len(value) < 10 else 0
