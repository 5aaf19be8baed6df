"""A ``sender_reputation`` refusal blames the platform, never the address (docs/design.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from suppression.models import BounceEvent, Source, Suppression
from suppression.selectors import is_suppressed
from suppression.services.bounce_batches import BounceInput, bounce_record_batch
from suppression.taxonomy import BounceType, Reason, bounce_type_for, suppresses_address

from .factories import bounce

pytestmark = pytest.mark.django_db


def test_the_reason_is_soft_and_never_suppresses() -> None:
    assert bounce_type_for(Reason.SENDER_REPUTATION, "5.7.1", "550") == BounceType.SOFT
    assert not suppresses_address(Reason.SENDER_REPUTATION)
    assert suppresses_address(Reason.SENDER_BLOCKED)


def test_a_refusal_is_recorded_and_suppresses_nothing() -> None:
    outcome = bounce("good@outlook.example", Reason.SENDER_REPUTATION, status="5.7.1")
    assert outcome.created
    assert outcome.opened is None
    assert outcome.event.reason == "sender_reputation"
    assert not is_suppressed("good@outlook.example")


def test_refusals_never_count_toward_the_soft_threshold() -> None:
    now = timezone.now()
    for hours in (3, 2, 1):
        bounce("many@gmail.example", Reason.SENDER_REPUTATION, at=now - timedelta(hours=hours))
    # Two real soft bounces: below the threshold of three, whatever the refusals beside them.
    bounce("many@gmail.example", Reason.MAILBOX_FULL, at=now - timedelta(minutes=30))
    outcome = bounce("many@gmail.example", Reason.MAILBOX_FULL, at=now)
    assert outcome.opened is None
    assert not is_suppressed("many@gmail.example")
    assert BounceEvent.objects.filter(address__address="many@gmail.example").count() == 5


def test_a_refusal_during_an_open_suppression_is_linked() -> None:
    first = bounce("gone@example.com", Reason.MAILBOX_UNKNOWN)
    outcome = bounce("gone@example.com", Reason.SENDER_REPUTATION)
    assert outcome.event.suppression_id == first.opened.pk
    assert Suppression.objects.filter(address__address="gone@example.com").count() == 1


def test_a_batch_of_refusals_suppresses_nobody() -> None:
    now = timezone.now()
    items = [
        BounceInput(
            email=f"user{n % 3}@hotmail.example",
            dedupe_key=f"rep-{n}",
            occurred_at=now - timedelta(minutes=n),
            reason=Reason.SENDER_REPUTATION,
            status="5.7.1",
        )
        for n in range(9)
    ]
    results = bounce_record_batch(items=items, source=Source.API)
    assert all(r.created and not r.suppressed for r in results)
    assert BounceEvent.objects.filter(reason="sender_reputation").count() == 9
    assert not Suppression.objects.exists()
