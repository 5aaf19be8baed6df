"""``services.fastsql``: the ingest hot path's INSERTs and SELECTs on PostgreSQL without the ORM
building each query, writing what ``bulk_create`` and simple-history would write."""

from __future__ import annotations

import zlib
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from suppression.models import EmailAddress, RawBounceMessage, Suppression, SuppressionChange
from suppression.services import fastsql

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def address(name: str) -> EmailAddress:
    return EmailAddress.objects.create(address=f"{name}@example.com", domain="example.com")


AT = timezone.now() - timedelta(minutes=5)


def opened(on: EmailAddress, **changes: object) -> Suppression:
    fields = {
        "address": on,
        "trigger": "hard_bounce",
        "reason": "mailbox_unknown",
        "bounce_type": "hard",
        "opened_at": AT,
        **changes,
    }
    return Suppression(**fields)


def columns(obj: object) -> dict[str, object]:
    return {
        field.attname: getattr(obj, field.attname)
        for field in type(obj)._meta.concrete_fields  # type: ignore[attr-defined]
        if not field.primary_key
    }


@pytest.mark.parametrize("count", [1, 3, 60])  # 60 rows of 11 columns: as arrays
def test_insert_writes_what_bulk_create_writes_and_sets_the_keys(count: int) -> None:
    assert bool(fastsql.rows_key(count, 11)) == (count < 60)  # both ways of sending rows
    ours = [opened(address(f"ours{n}"), open_note=f"note {n}") for n in range(count)]
    theirs = [opened(address(f"theirs{n}"), open_note=f"note {n}") for n in range(count)]
    keys = fastsql.insert(ours)
    Suppression.objects.bulk_create(theirs)

    assert keys == [s.pk for s in ours] and all(key is not None for key in keys)
    assert all(not s._state.adding for s in ours)
    for mine, django in zip(ours, theirs, strict=True):
        stored = Suppression.objects.get(pk=mine.pk)
        reference = Suppression.objects.get(pk=django.pk)
        assert {**columns(stored), "address_id": None} == {
            **columns(reference),
            "address_id": None,
        }
        assert stored.address_id == mine.address_id


def test_an_object_saved_after_it_was_related_gives_its_key() -> None:
    on = address("related")
    suppression = opened(on)
    change = SuppressionChange(suppression=suppression, address_id=on.pk, kind="opened")
    fastsql.insert([suppression])
    fastsql.insert([change])
    assert SuppressionChange.objects.get(pk=change.pk).suppression_id == suppression.pk

    unsaved = SuppressionChange(suppression=opened(on), address_id=on.pk, kind="opened")
    with pytest.raises(ValueError, match="not saved"):
        fastsql.insert([unsaved])


def test_a_conflict_skips_the_rows_stored_already_and_returns_the_new_keys() -> None:
    def message(text: bytes) -> RawBounceMessage:
        return RawBounceMessage(
            sha256=f"{hash(text) & 0xFFFF:064x}", size=len(text), compressed=zlib.compress(text)
        )

    first = fastsql.insert([message(b"one")], conflict="sha256")
    again = fastsql.insert([message(b"one"), message(b"two")], conflict="sha256")
    assert len(first) == 1 and len(again) == 1 and again[0] != first[0]
    assert RawBounceMessage.objects.count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        fastsql.insert([message(b"two")])  # without ``conflict`` a duplicate is Django's error


def test_select_reads_the_fields_asked_for_and_defers_the_rest() -> None:
    fastsql.insert([RawBounceMessage(sha256="a" * 64, size=3, compressed=zlib.compress(b"abc"))])
    (found,) = fastsql.select(
        RawBounceMessage, ("id", "sha256", "size"), "sha256 = ANY(%s)", [["a" * 64, "b" * 64]]
    )
    assert (found.sha256, found.size) == ("a" * 64, 3)
    assert found.get_deferred_fields() == {"received_at", "compressed"}


def test_history_rows_are_the_ones_simple_history_writes() -> None:
    mine, theirs = opened(address("h1")), opened(address("h2"))
    for suppression in (mine, theirs):
        suppression._change_reason = "hard bounce: mailbox_unknown via dsn"
        suppression._history_user = None
    fastsql.insert([mine])
    Suppression.objects.bulk_create([theirs])
    (ours,) = fastsql.history_insert([mine])
    (reference,) = Suppression.history.bulk_history_create([theirs])

    skip = {"history_id", "history_date", "id", "address_id"}
    stored = Suppression.history.get(history_id=ours.history_id)
    expected = Suppression.history.get(history_id=reference.history_id)
    assert {k: v for k, v in columns(stored).items() if k not in skip} == {
        k: v for k, v in columns(expected).items() if k not in skip
    }
    assert stored.id == mine.pk and stored.history_type == "+"


def test_statements_are_seen_by_query_capture_and_bound_on_the_server() -> None:
    on = address("seen")
    with CaptureQueriesContext(connection) as queries:
        fastsql.insert([opened(on, open_note="a note of its own")])
    (query,) = queries.captured_queries
    assert query["sql"].startswith('INSERT INTO "suppression_suppression"')
    # Bound on the server: the statement's text has no values in it, the same for every row.
    assert "a note of its own" not in query["sql"]


def test_statements_are_prepared_on_the_server_unless_turned_off(settings) -> None:
    def prepared() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return {row[0] for row in cursor.fetchall()}

    on = address("prepared")
    fastsql.insert([opened(on)])
    assert any("suppression_suppression" in text for text in prepared())

    settings.SUPPRESSION = {**settings.SUPPRESSION, "DB_PREPARED_STATEMENTS": False}
    fastsql.insert([opened(on, lifted_at=AT), opened(on, lifted_at=AT)])
    # The two-row INSERT has a text of its own: it ran, and was not prepared.
    assert not any(text.count("(%s") == 2 or text.count("($") == 2 for text in prepared())
    assert Suppression.objects.filter(address=on).count() == 3
