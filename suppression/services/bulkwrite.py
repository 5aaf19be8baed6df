"""Set-based writes for batches of thousands of rows, history rows included.

Django's ``bulk_update`` builds a ``CASE WHEN`` per row and field, and simple-history's
``bulk_*_with_history`` builds a model instance per history row; at 50,000 addresses both cost
minutes of Python. Here one ``UPDATE`` sets the values every row of a chunk shares, and one
``INSERT … SELECT`` copies the rows just written into their history table, with the user, the
reason and the time: the same history rows ``save()`` writes, without building them in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models


def _in(ids: Sequence[int]) -> tuple[str, list[int]]:
    return ", ".join(["%s"] * len(ids)), list(ids)


def copy_to_history(
    model: type[models.Model],
    ids: Sequence[int],
    *,
    user_id: int | None,
    reason: str,
    at: datetime,
    kind: str = "~",
) -> None:
    """Append one history row per row of ``model`` in ``ids``, as it is now."""
    if not ids:
        return
    history = model.history.model  # type: ignore[attr-defined]
    columns = [
        field.column
        for field in history._meta.concrete_fields
        if not field.name.startswith("history_")
    ]
    placeholders, params = _in(ids)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = (
        f"INSERT INTO {history._meta.db_table} ({quoted}, history_date, history_change_reason, "
        f"history_type, history_user_id) SELECT {quoted}, %s, %s, %s, %s "
        f"FROM {model._meta.db_table} WHERE id IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [at, reason[:10000], kind, user_id, *params])


def update_with_history(
    model: type[models.Model],
    ids: Sequence[int],
    values: dict[str, Any],
    *,
    user_id: int | None,
    reason: str,
    at: datetime,
) -> None:
    """Set ``values`` on every row in ``ids`` and record each change in the history table."""
    if not ids:
        return
    model._default_manager.filter(pk__in=list(ids)).update(**values)  # history: next line
    copy_to_history(model, ids, user_id=user_id, reason=reason, at=at)
