"""The audit log: one ``AuditEntry`` beside every history row, whatever the model.

``record`` is connected to simple-history's ``post_create_historical_record`` for every sender,
so a history-tracked model added later is covered without a line here. The library's bulk path
(``bulk_history_create``, ``bulk_create_with_history``) sends no signal: the services that use it
call ``record_bulk`` with the rows it returned. Each entry says what changed in words, computed
once when the change is made (against the object's previous history row), so the log page reads
one indexed table and never diffs history rows per request.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Mapping
from datetime import datetime
from typing import Any, cast

from django.db import models
from django.utils import translation

from ..textsafety import clean_line, cut

SUMMARY_LIMIT = 2000
VALUE_LIMIT = 120
NOBODY = "the system"
# Columns every history table has that are not the object's own fields.
HISTORY_COLUMNS = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "history_user_id",
    "history_relation",
}


def _label(value: object) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M} UTC"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return cut(clean_line(value), VALUE_LIMIT)


def tracked_values(row: Any, fields: Iterable[models.Field]) -> dict[str, Any]:
    return {field.attname: getattr(row, field.attname) for field in fields}


def _field_names(fields: Iterable[models.Field]) -> dict[str, str]:
    return {field.attname: str(field.verbose_name) for field in fields}


def describe(
    *,
    object_type: str,
    action: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any],
    names: Mapping[str, str],
    choices: Mapping[str, Mapping[Any, str]],
) -> tuple[str, str]:
    """(what happened, the words a person wrote about it) for one history row."""

    def shown(field: str, value: object) -> str:
        try:
            return choices.get(field, {}).get(value, _label(value))
        except TypeError:  # an unhashable value (a JSON list of scopes)
            return _label(value)

    changed = [
        field for field in new if old is not None and field in old and old[field] != new[field]
    ]
    if object_type == "suppression.suppression":
        if action == "+":
            return (
                f"sending paused: {shown('reason', new.get('reason'))} "
                f"({shown('trigger', new.get('trigger'))})",
                new.get("open_note") or "",
            )
        if "lifted_at_id" not in new and "lifted_at" in changed and new.get("lifted_at"):
            return "sending resumed", new.get("lift_note") or ""
    if object_type == "suppression.reinstatementrequest":
        if action == "+":
            return "request to resume sending filed", new.get("explanation") or ""
        if "status" in changed:
            verb = shown("status", new["status"]).lower()
            note = new.get("decision_note") or ""
            if new.get("override_reason"):
                note = f"{note} (lead override: {new['override_reason']})".strip()
            return f"request {verb}", note
    if object_type == "suppression.emailaddress" and changed == ["probation_until"]:
        until = new["probation_until"]
        return ("probation ended" if until is None else f"on probation until {_label(until)}"), ""
    if object_type == "auth.user" and "is_active" in changed:
        return ("account reactivated" if new["is_active"] else "account deactivated"), ""
    if action == "+":
        return "created", ""
    if action == "-":
        return "deleted", ""
    if not changed:
        return "changed (no field changed: roles or memberships)", ""
    parts = [
        f"{names.get(field, field)}: {shown(field, old[field] if old else None)} → "
        f"{shown(field, new[field])}"
        for field in changed
    ]
    return "changed " + "; ".join(parts), ""


def _choices(fields: Iterable[models.Field]) -> dict[str, dict[Any, str]]:
    return {
        field.attname: {key: str(label) for key, label in field.flatchoices}
        for field in fields
        if field.choices
    }


@functools.lru_cache(maxsize=256)
def _described_fields(
    history_model: Hashable, language: str | None
) -> tuple[list[models.Field], dict[str, str], dict[str, dict[Any, str]]]:
    """A history model's tracked fields, their names and their choices' labels (in
    ``language``, the active one: labels are translated), worked out once per model rather than
    for every entry."""
    tracked = _tracked(history_model)
    return tracked, _field_names(tracked), _choices(tracked)


def _tracked(history_model: Any) -> list[models.Field]:
    return [
        field
        for field in history_model._meta.concrete_fields
        if field.name not in HISTORY_COLUMNS and field.attname not in HISTORY_COLUMNS
    ]


def build_entry(
    row: Any,
    previous: Any | None,
    *,
    entry_model: Any,
    object_type: str,
    pk_name: str,
    text: str,
    actor_name: str,
) -> Any:
    """An unsaved audit entry for the history ``row`` (``previous``: the object's row before).

    Works on live history models and on a migration's historical ones alike.
    """
    tracked, names, choices = _described_fields(
        cast(Hashable, type(row)), translation.get_language()
    )
    new = tracked_values(row, tracked)
    old = tracked_values(previous, tracked) if previous is not None else None
    what, words = describe(
        object_type=object_type,
        action=row.history_type,
        old=old,
        new=new,
        names=names,
        choices=choices,
    )
    summary = f"{what} by {actor_name}"
    if words:
        summary += f": {clean_line(words)}"
    return entry_model(
        at=row.history_date,
        actor_id=row.history_user_id,
        object_type=object_type,
        object_id=str(new.get(pk_name)),
        object_repr=cut(clean_line(text), 300),
        action=row.history_type,
        summary=cut(summary, SUMMARY_LIMIT),
        reason=row.history_change_reason or "",
        history_id=row.pk,
    )


def entry_for(
    row: Any, previous: Any | None, *, entry_model: Any, instance: Any | None = None
) -> Any:
    """The entry for a live history row; ``instance``, the live object when the caller has it,
    names the object without the queries rebuilding it from the history row would cost."""
    meta = type(row).instance_type._meta
    pk_name = meta.pk.attname
    try:
        text = str(instance if instance is not None else row.instance)
    except Exception:  # a repr that needs a relation gone since: the id is enough
        text = f"{meta.verbose_name} #{getattr(row, pk_name)}"
    return build_entry(
        row,
        previous,
        entry_model=entry_model,
        object_type=f"{meta.app_label}.{meta.model_name}",
        pk_name=pk_name,
        text=text,
        actor_name=row.history_user.get_username() if row.history_user_id else NOBODY,
    )


def _previous(row: Any) -> Any | None:
    if row.history_type == "+":
        return None
    history_model = type(row)
    pk_name = history_model.instance_type._meta.pk.attname
    return (
        history_model._default_manager.filter(
            **{pk_name: getattr(row, pk_name)}, history_id__lt=row.pk
        )
        .order_by("-history_id")
        .first()
    )


def record(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    """``post_create_historical_record`` receiver: the entry beside the new history row."""
    from .models import AuditEntry

    entry_for(
        history_instance,
        _previous(history_instance),
        entry_model=AuditEntry,
        instance=kwargs.get("instance"),
    ).save()


def record_bulk(rows: Iterable[Any], objects: Iterable[models.Model] = ()) -> None:
    """Entries for history rows written by the library's bulk path (it sends no signal)."""
    from .models import AuditEntry

    AuditEntry.objects.bulk_create(entries_bulk(rows, objects))


def entries_bulk(rows: Iterable[Any], objects: Iterable[models.Model] = ()) -> list[Any]:
    """``record_bulk``'s entries, unsaved: a caller with several sets writes them in one go."""
    from .models import AuditEntry

    live = {obj.pk: obj for obj in objects}
    entries = []
    for row in rows:
        pk_name = type(row).instance_type._meta.pk.attname
        instance = live.get(getattr(row, pk_name))
        entries.append(entry_for(row, _previous(row), entry_model=AuditEntry, instance=instance))
    return entries


def backfill(apps: Any, batch: int = 2000) -> int:
    """Entries for every history row that has none, from a migration's ``apps``; idempotent.

    Walks each history table in (object, history id) order, so that each row is described
    against the row before it without a query per row. Historical models have no ``__str__`` of
    the project's: the object is named by its address, name or username, else its id.
    """
    entry_model = apps.get_model("suppression", "AuditEntry")
    plain = {m._meta.model_name: m for m in apps.get_models() if not _is_history(m)}
    written = 0
    for history_model in [m for m in apps.get_models() if _is_history(m)]:
        instance_model = plain.get(history_model._meta.model_name.removeprefix("historical"))
        if instance_model is None:
            continue
        meta = instance_model._meta
        pk_name = meta.pk.attname
        previous = None
        entries: list[Any] = []
        rows = (
            history_model._default_manager.select_related("history_user")
            .order_by(pk_name, "history_id")
            .iterator(chunk_size=batch)
        )
        for row in rows:
            same = previous is not None and getattr(previous, pk_name) == getattr(row, pk_name)
            named = next(
                (
                    getattr(row, name)
                    for name in ("address", "name", "username")
                    if isinstance(getattr(row, name, None), str)
                ),
                f"{meta.verbose_name} #{getattr(row, pk_name)}",
            )
            entries.append(
                build_entry(
                    row,
                    previous if same and row.history_type != "+" else None,
                    entry_model=entry_model,
                    object_type=f"{meta.app_label}.{meta.model_name}",
                    pk_name=pk_name,
                    text=named,
                    actor_name=row.history_user.username if row.history_user_id else NOBODY,
                )
            )
            previous = row
            if len(entries) >= batch:
                entry_model.objects.bulk_create(entries, ignore_conflicts=True)
                written += len(entries)
                entries = []
        entry_model.objects.bulk_create(entries, ignore_conflicts=True)
        written += len(entries)
    return written


def _is_history(model: Any) -> bool:
    names = {field.name for field in model._meta.get_fields()}
    return {"history_id", "history_type", "history_date"} <= names


def history_object_types() -> list[tuple[str, str]]:
    """(app_label.model, "Verbose name") of every history-tracked model, for the filter."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        if hasattr(model, "instance_type") and hasattr(model, "history_object"):
            meta = model.instance_type._meta
            found.append(
                (f"{meta.app_label}.{meta.model_name}", str(meta.verbose_name).capitalize())
            )
    return sorted(set(found), key=lambda pair: pair[1])


def history_models() -> list[Any]:
    """Every live history model simple-history built, whichever app registered it."""
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if hasattr(model, "instance_type") and _is_history(model)
    ]
