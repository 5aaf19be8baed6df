"""The database itself refuses what would break the invariants, whatever code tries it."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from suppression.models import (
    BounceEvent,
    EmailAddress,
    ReinstatementRequest,
    Suppression,
)

from .factories import bounce

pytestmark = pytest.mark.django_db


def refused(fn) -> bool:
    try:
        with transaction.atomic():
            fn()
    except IntegrityError:
        return True
    return False


def test_one_row_per_normalized_address() -> None:
    EmailAddress.objects.create(address="a@example.com", domain="example.com", display="A")
    assert refused(
        lambda: EmailAddress.objects.create(
            address="a@example.com", domain="example.com", display="a"
        )
    )


def test_at_most_one_open_suppression_per_address() -> None:
    first = bounce("a@example.com").opened
    assert refused(
        lambda: Suppression.objects.create(
            address=first.address, trigger="manual", reason="unknown", bounce_type="hard"
        )
    )
    # A lifted episode does not count: history keeps any number of closed ones.
    first.lifted_at = timezone.now()
    first.save()
    Suppression.objects.create(
        address=first.address, trigger="manual", reason="unknown", bounce_type="hard"
    )


def test_unique_dedupe_key_per_source() -> None:
    event = bounce("a@example.com", key="same").event
    copy = dict(
        address=event.address,
        occurred_at=event.occurred_at,
        bounce_type="hard",
        reason="mailbox_unknown",
        source=event.source,
        dedupe_key="same",
    )
    assert refused(lambda: BounceEvent.objects.create(**copy))
    assert refused(lambda: BounceEvent.objects.create(**{**copy, "dedupe_key": ""}))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reason", "bad_luck"),
        ("bounce_type", "medium"),
        ("source", "pigeon"),
        ("stream", "newsletter"),
    ],
)
def test_bounce_event_values_are_checked(field: str, value: str) -> None:
    address = EmailAddress.objects.create(address="a@example.com", domain="example.com")
    row = dict(
        address=address,
        occurred_at=timezone.now(),
        bounce_type="hard",
        reason="mailbox_unknown",
        source="api",
        dedupe_key="k",
    )
    row[field] = value
    assert refused(lambda: BounceEvent.objects.create(**row))


@pytest.mark.parametrize(
    ("field", "value"), [("trigger", "whim"), ("reason", "bad"), ("bounce_type", "x")]
)
def test_suppression_values_are_checked(field: str, value: str) -> None:
    address = EmailAddress.objects.create(address="a@example.com", domain="example.com")
    row = dict(address=address, trigger="manual", reason="unknown", bounce_type="hard")
    row[field] = value
    assert refused(lambda: Suppression.objects.create(**row))


def test_request_status_and_decision_are_consistent(school, owner) -> None:
    suppression = bounce("a@example.com", school=school).opened
    row = dict(
        address=suppression.address,
        school=school,
        suppression=suppression,
        requested_by=owner,
        explanation="fixed",
    )
    assert refused(lambda: ReinstatementRequest.objects.create(**row, status="maybe"))
    assert refused(lambda: ReinstatementRequest.objects.create(**row, status="approved"))
    assert refused(lambda: ReinstatementRequest.objects.create(**{**row, "explanation": ""}))
    ReinstatementRequest.objects.create(**row)
    assert refused(lambda: ReinstatementRequest.objects.create(**row))


def test_bounce_events_and_the_feed_cannot_be_updated_in_sql() -> None:
    bounce("a@example.com")
    for table in ("suppression_bounceevent", "suppression_suppressionchange"):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"UPDATE {table} SET id = id")


@pytest.mark.postgres
def test_bounce_events_and_history_cannot_be_deleted_in_sql() -> None:
    outcome = bounce("a@example.com")
    for table, pk in (
        ("suppression_bounceevent", outcome.event.pk),
        ("suppression_historicalsuppression", outcome.opened.history.get().history_id),
    ):
        pk_column = "history_id" if "historical" in table else "id"
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"DELETE FROM {table} WHERE {pk_column} = %s", [pk])
