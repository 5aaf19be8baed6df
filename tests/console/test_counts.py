"""The daily counts the dashboard and the event list read are kept by the bounce services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from suppression import services
from suppression.console import counts
from suppression.console.models import BounceDayCount, OpenSuppressionCount, RefusalDayCount
from suppression.models import BounceEvent
from suppression.services.bounce_batches import BounceInput, bounce_record_batch
from suppression.taxonomy import Reason

from ..factories import bounce

pytestmark = pytest.mark.django_db


def _count(**key) -> int:
    return sum(BounceDayCount.objects.filter(**key).values_list("n", flat=True))


def _open(reason: str) -> int:
    row = OpenSuppressionCount.objects.filter(reason=reason).first()
    return row.n if row else 0


def test_one_bounce_counts_on_its_day_by_type_reason_source_and_stream() -> None:
    at = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)
    bounce("a@example.com", Reason.MAILBOX_FULL, at=at, source="dsn")
    bounce("b@example.com", Reason.MAILBOX_FULL, at=at + timedelta(hours=1), source="dsn")
    assert _count(day=at.date(), reason="mailbox_full", bounce_type="soft", source="dsn") == 1
    assert _count(day=at.date() + timedelta(days=1), reason="mailbox_full") == 1


def test_a_duplicate_is_not_counted_twice() -> None:
    at = timezone.now()
    bounce("a@example.com", at=at, key="same")
    bounce("a@example.com", at=at, key="same")
    assert _count(reason="mailbox_unknown") == 1


def test_a_batch_counts_each_new_event_and_its_refusals_per_domain() -> None:
    now = timezone.now()
    items = [
        BounceInput(
            email=f"user{i}@refusing.example",
            dedupe_key=f"k{i}",
            occurred_at=now,
            reason=Reason.SENDER_REPUTATION,
            status="5.7.1",
            stream="campaign",
        )
        for i in range(5)
    ]
    items.append(BounceInput(email="x@y.example", dedupe_key="k0", occurred_at=now, reason="x"))
    bounce_record_batch(items=items, source="api")
    assert _count(reason="sender_reputation", stream="campaign", source="api") == 5
    assert RefusalDayCount.objects.get(domain="refusing.example").n == 5
    assert BounceEvent.objects.count() == 5


def test_open_suppressions_are_counted_by_reason_as_they_open_and_lift(agent, school) -> None:
    bounce("gone@example.com", Reason.MAILBOX_UNKNOWN, school=school)
    bounce("full@example.com", Reason.COMPLAINT, school=school)
    assert (_open("mailbox_unknown"), _open("complaint")) == (1, 1)
    request = services.request_submit(
        email="gone@example.com", school=school, actor=agent, explanation="Fixed the typo."
    )
    services.request_approve(request=request, actor=agent, note="Resumed.")
    assert (_open("mailbox_unknown"), _open("complaint")) == (0, 1)


def test_a_batch_counts_the_suppressions_it_opens() -> None:
    now = timezone.now()
    bounce_record_batch(
        items=[
            BounceInput(
                email=f"u{i}@example.com",
                dedupe_key=f"b{i}",
                occurred_at=now,
                reason=Reason.MAILBOX_UNKNOWN,
                status="5.1.1",
            )
            for i in range(3)
        ],
        source="api",
    )
    assert _open("mailbox_unknown") == 3


def test_rebuild_recounts_from_the_events() -> None:
    bounce("a@example.com", Reason.MAILBOX_UNKNOWN)
    bounce("b@example.com", Reason.SENDER_REPUTATION, status="5.7.1")
    before = (
        sorted(BounceDayCount.objects.values_list("day", "reason", "source", "stream", "n")),
        sorted(RefusalDayCount.objects.values_list("day", "domain", "n")),
        sorted(OpenSuppressionCount.objects.filter(n__gt=0).values_list("reason", "n")),
    )
    counts.rebuild()
    after = (
        sorted(BounceDayCount.objects.values_list("day", "reason", "source", "stream", "n")),
        sorted(RefusalDayCount.objects.values_list("day", "domain", "n")),
        sorted(OpenSuppressionCount.objects.filter(n__gt=0).values_list("reason", "n")),
    )
    assert before == after
    assert before[1] and before[2]
