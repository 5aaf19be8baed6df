"""The ingest hot path's statements on PostgreSQL, without the ORM building each query anew.

``bounce_record_batch`` and the LMTP group commit write a dozen tables per group of messages.
Through ``QuerySet.bulk_create`` most of their CPU went to compiling the same INSERTs again on
every call and to writing every array parameter out as SQL text (Django binds parameters on the
client). Here a model's INSERT text is built once per process (per row count, up to
``VALUES_PARAMETERS`` values), its parameters are bound on the server (psycopg's ``Cursor``: one
per value, or one array per column through ``UNNEST`` for more rows), one statement per table,
and it is prepared on the server (parsed and planned once per connection;
``SUPPRESSION_DB_PREPARED_STATEMENTS``).

Statements still pass through Django's cursor wrapper, so errors are Django's (with the driver's
error as ``__cause__``) and query logging and ``CaptureQueriesContext`` see them. SQLite has no
arrays and runs one writer at a time: there the callers keep the ORM (``available()``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object

from ..conf import setting

# Fields whose attribute value is what the column stores: no conversion, no ``pre_save``.
_AS_IS = (
    models.IntegerField,  # and the big/small/positive ones
    models.BooleanField,
    models.ForeignKey,
    models.BinaryField,
)
_TEXT = (models.CharField, models.TextField)  # a str subclass (an enum member) is sent as str


@functools.cache
def available() -> bool:
    """Whether the database takes the set-based statements (PostgreSQL; settled at start-up)."""
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


@functools.cache
def _cursor_class() -> Any:
    from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]

    class PreparingCursor(ServerBindingCursor):  # type: ignore[misc,valid-type]
        prepare = False

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            kwargs.setdefault("prepare", self.prepare)
            return super().execute(query, params, **kwargs)

    return PreparingCursor


def execute(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run one statement on the current connection (in its transaction); its rows (an empty
    list for a statement that returns none). Elsewhere than on PostgreSQL, through Django's own
    cursor (a statement every database takes)."""
    db = connections[DEFAULT_DB_ALIAS]  # one look-up of the thread's connection, not one per use
    if not available():
        with db.cursor() as plain:
            plain.execute(sql, params)
            return plain.fetchall() if plain.description is not None else []
    if db.connection is None:
        db.ensure_connection()
    raw = _cursor_class()(db.connection)
    # Prepared, but not where queries are logged (DEBUG, CaptureQueriesContext): the log shows a
    # prepared statement's text as None.
    logged = db.queries_logged
    if setting("DB_PREPARED_STATEMENTS") and not logged:
        raw.prepare = True
        if db.connection.prepare_threshold is None:
            # Django turns psycopg's preparing off on each connection (for poolers), and psycopg
            # honours a statement's ``prepare=True`` only with a threshold set. Django's own
            # cursors bind on the client and never prepare.
            db.connection.prepare_threshold = 5
    wrapper = CursorDebugWrapper if logged else CursorWrapper
    with wrapper(raw, db) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if raw.description is not None else []


# Up to this many values a statement takes one parameter per value, ``(VALUES (...), ...)``: far
# cheaper for psycopg to send than arrays, which it walks in Python (even past the 50 parameters
# up to which psycopg caches a statement's conversion); beyond, one array per column, so that a
# big batch does not make a text, and a prepared statement, per row count.
VALUES_PARAMETERS = 512


def rows_key(count: int, width: int) -> int:
    """``count`` when ``count`` rows of ``width`` columns go as VALUES, else 0 (as arrays): the
    shape a statement's text depends on."""
    return count if count * width <= VALUES_PARAMETERS else 0


def rows_source(types: Sequence[str], count: int) -> str:
    """The FROM item that yields ``count`` rows (0: any number) of columns typed ``types``, from
    ``parameters``."""
    if rows_key(count, len(types)):
        row = "(" + ", ".join(f"%s::{kind}" for kind in types) + ")"
        return "(VALUES " + ", ".join([row] * count) + ") AS v"
    return "UNNEST(" + ", ".join(f"%s::{kind}[]" for kind in types) + ")"


def parameters(columns: Sequence[Sequence[Any]], count: int) -> list[Any]:
    """``rows_source``'s parameters: one per value, row by row, or one array per column."""
    if rows_key(count, len(columns)):
        return [value for row in zip(*columns, strict=True) for value in row]
    return list(columns)


@functools.cache
def _fields_of(
    model: type[models.Model],
) -> tuple[tuple[models.Field, ...], tuple[str, ...], tuple[int, ...], tuple[int, ...]]:
    """The columns an INSERT writes (all but an automatic key), their types, and which of them
    need a ``str()`` or the field's own conversion."""
    fields = tuple(
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, AutoFieldMixin))
    )
    types = tuple(str(field.db_type(connection)) for field in fields)
    text = tuple(i for i, field in enumerate(fields) if isinstance(field, _TEXT))
    converted = tuple(
        i
        for i, field in enumerate(fields)
        if not isinstance(field, (*_AS_IS, *_TEXT))
        and not (
            isinstance(field, models.DateTimeField)
            and not field.auto_now
            and not field.auto_now_add
            and type(field).get_db_prep_value is models.DateTimeField.get_db_prep_value
        )
    )
    return fields, types, text, converted


@functools.cache
def _statement(model: type[models.Model], conflict: str, count: int) -> str:
    """The INSERT of ``count`` rows of ``model`` (0: any number, as arrays; ``rows_key``).

    ``conflict``: "" (a conflict is an error) or the unique column(s) of
    ``ON CONFLICT (...) DO NOTHING`` (then only the rows inserted come back).
    """
    meta = model._meta
    fields, types, _, _ = _fields_of(model)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT * FROM {rows_source(types, count)}"
    )
    if conflict:
        sql += f" ON CONFLICT ({conflict}) DO NOTHING"
    return sql + f" RETURNING {quote(meta.pk.column)}"


def insert(objs: Sequence[models.Model], *, conflict: str = "") -> list[Any]:
    """INSERT ``objs`` (all of one model) in one statement; set and return their primary keys.

    What ``bulk_create`` does on PostgreSQL, for the hot path. With ``conflict`` (ON CONFLICT
    DO NOTHING on those columns) the objects are left unsaved and the keys of the rows inserted
    are returned, in order.
    """
    if not objs:
        return []
    model = type(objs[0])
    fields, _, text, converted = _fields_of(model)
    for field in fields:
        if isinstance(field, models.ForeignKey):
            _take_related_keys(objs, field)
    columns: list[list[Any]] = [[getattr(obj, field.attname) for obj in objs] for field in fields]
    for i in text:
        columns[i] = [v if v is None or type(v) is str else str(v) for v in columns[i]]
    for i in converted:
        field = fields[i]
        columns[i] = [field.get_db_prep_save(field.pre_save(obj, True), connection) for obj in objs]
    count = len(objs)
    sql = _statement(model, conflict, rows_key(count, len(fields)))
    keys = [row[0] for row in execute(sql, parameters(columns, count))]
    if not conflict:
        pk = model._meta.pk.attname
        for obj, key in zip(objs, keys, strict=True):
            setattr(obj, pk, key)
            obj._state.adding = False
            obj._state.db = DEFAULT_DB_ALIAS
    return keys


def create(objs: Sequence[models.Model]) -> None:
    """``bulk_create`` of ``objs`` (all of one model), keys set: ``insert`` on PostgreSQL, the
    ORM elsewhere."""
    if not objs:
        return
    if available():
        insert(objs)
    else:
        type(objs[0])._default_manager.bulk_create(objs)


def create_history(objs: Sequence[models.Model], *, default_user: Any = None) -> list[Any]:
    """The "+" history rows of ``objs``, saved: ``history_insert`` on PostgreSQL, simple-history's
    ``bulk_history_create`` elsewhere."""
    if not objs:
        return []
    if available():
        return history_insert(objs, default_user=default_user)
    manager = _history_manager(type(objs[0]))
    return list(manager.bulk_history_create(objs, default_user=default_user))


def _take_related_keys(objs: Sequence[models.Model], field: Any) -> None:
    """An object related before it was saved gives its key now (as ``bulk_create`` does)."""
    for obj in objs:
        if getattr(obj, field.attname) is None and field.is_cached(obj):
            related = field.get_cached_value(obj)
            if related is not None:
                if related.pk is None:
                    raise ValueError(f"{field.name} of a {type(obj).__name__} is not saved yet")
                setattr(obj, field.attname, related.pk)


def select(
    model: type[models.Model],
    names: tuple[str, ...],
    where: str,
    params: Sequence[Any],
    *,
    tail: str = "",
) -> list[Any]:
    """``model`` objects with the fields ``names`` (attnames; the rest deferred) of the rows
    ``WHERE where`` (then ``tail``: ORDER BY, FOR UPDATE)."""
    sql, ordered = _select_sql(model, names, where, tail)
    return [model.from_db(DEFAULT_DB_ALIAS, ordered, row) for row in execute(sql, params)]


@functools.cache
def _select_sql(
    model: type[models.Model], names: tuple[str, ...], where: str, tail: str
) -> tuple[str, tuple[str, ...]]:
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field.attname in names]
    if len(fields) != len(set(names)):
        raise ValueError(f"not all of {names} are columns of {meta.label}")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {where} {tail}".rstrip()
    return sql, tuple(field.attname for field in fields)


def history_insert(objs: Sequence[models.Model], *, default_user: Any = None) -> list[Any]:
    """simple-history's ``bulk_history_create`` for new objects ("+"), through ``insert``.

    The same rows: the date, user and change reason the objects carry (``_history_date``,
    ``_history_user``, ``_change_reason``), else now, ``default_user`` and "". Returns the
    history rows, saved.
    """
    if not objs:
        return []
    history = _history_model(type(objs[0]))
    now = timezone.now()
    tracked = [field.attname for field in history.tracked_fields]
    rows = []
    for instance in objs:
        user = getattr(
            instance,
            "_history_user",
            default_user or history.get_default_history_user(instance),
        )
        row = history(
            history_date=getattr(instance, "_history_date", now),
            history_user=user,
            history_change_reason=get_change_reason_from_object(instance) or "",
            history_type="+",
            **{name: getattr(instance, name) for name in tracked},
        )
        if hasattr(history, "history_relation"):
            row.history_relation_id = instance.pk
        rows.append(row)
    insert(rows)
    return rows


@functools.cache
def _history_manager(model: type[models.Model]) -> Any:
    """``model.history`` once: simple-history's descriptor builds a new manager class on every
    access, and a manager with no instance holds no state."""
    return model.history  # type: ignore[attr-defined]


def _history_model(model: type[models.Model]) -> Any:
    return _history_manager(model).model
