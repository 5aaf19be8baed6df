"""Set-based writes for batches of thousands of rows, history rows included.

Django's ``bulk_update`` builds a ``CASE WHEN`` per row and field, and simple-history's
``bulk_*_with_history`` builds a model instance per history row; at 50,000 addresses both cost
minutes of Python. Here one ``UPDATE`` sets the values every row of a chunk shares, and one
``INSERT … SELECT`` copies the rows just written into their history table, with the user, the
reason and the time: the same history rows ``save()`` writes, without building them in Python,
and beside them the audit log's entries, set-based too (``console/audit.py`` writes those for
``save()``; simple-history sends no signal for rows it did not write).
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
    what: str = "",
) -> None:
    """Append one history row per row of ``model`` in ``ids``, as it is now, and its audit-log
    entry: "``what`` by <who>: ``reason``" (``what`` defaults to created / changed)."""
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
        f"FROM {model._meta.db_table} WHERE id IN ({placeholders}) RETURNING history_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [at, reason[:10000], kind, user_id, *params])
        history_ids = [row[0] for row in cursor.fetchall()]
    _audit(model, history, history_ids, user_id=user_id, reason=reason, kind=kind, what=what)


def _audit(
    model: type[models.Model],
    history: type[models.Model],
    history_ids: list[int],
    *,
    user_id: int | None,
    reason: str,
    kind: str,
    what: str,
) -> None:
    from django.contrib.auth import get_user_model

    from ..console.audit import NOBODY, SUMMARY_LIMIT
    from ..console.models import AuditEntry
    from ..textsafety import clean_line, cut

    if not history_ids:
        return
    actor = NOBODY
    if user_id is not None:
        actor = get_user_model()._default_manager.get(pk=user_id).get_username()
    what = what or {"+": "created", "-": "deleted"}.get(kind, "changed")
    summary = cut(f"{what} by {actor}: {clean_line(reason)}", SUMMARY_LIMIT)
    meta = model._meta
    placeholders, params = _in(history_ids)
    entries = connection.ops.quote_name(AuditEntry._meta.db_table)
    sql = (
        f"INSERT INTO {entries} (at, actor_id, object_type, object_id, object_repr, action, "
        "summary, reason, history_id) SELECT history_date, history_user_id, %s, "
        "CAST(id AS TEXT), %s || CAST(id AS TEXT), history_type, %s, history_change_reason, "
        f"history_id FROM {history._meta.db_table} WHERE history_id IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [f"{meta.app_label}.{meta.model_name}", f"{meta.verbose_name} #", summary, *params],
        )


def update_with_history(
    model: type[models.Model],
    ids: Sequence[int],
    values: dict[str, Any],
    *,
    user_id: int | None,
    reason: str,
    at: datetime,
    what: str = "",
) -> None:
    """Set ``values`` on every row in ``ids`` and record each change in the history table."""
    if not ids:
        return
    model._default_manager.filter(pk__in=list(ids)).update(**values)  # history: next line
    copy_to_history(model, ids, user_id=user_id, reason=reason, at=at, what=what)
