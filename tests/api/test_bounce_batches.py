"""A batch recorded at once ends exactly as the same events recorded one by one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from suppression import services
from suppression.exceptions import InvalidBounce
from suppression.models import BounceEvent, EmailAddress, Source, Suppression, SuppressionChange
from suppression.services.bounce_batches import BounceInput, bounce_record_batch
from suppression.taxonomy import Reason

from ..factories import bounce, owner_of

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _setup(prefix: str, school, agent) -> None:
    """Histories both runs start from: an open suppression, and an address on probation."""
    bounce(f"{prefix}-open@example.com", Reason.MAILBOX_UNKNOWN, key=f"{prefix}-setup-1")
    for n, days in enumerate((20, 10, 9, 8)):  # three soft bounces, then resumed
        bounce(
            f"{prefix}-probation@example.com",
            Reason.MAILBOX_FULL,
            school=school,
            at=NOW - timedelta(days=days),
            key=f"{prefix}-setup-soft-{n}",
        )
    owner = owner_of(school, f"{prefix}-owner")
    request = services.request_submit(
        email=f"{prefix}-probation@example.com",
        school=school,
        actor=owner,
        explanation="Cleared the mailbox.",
    )
    services.request_approve(request=request, actor=agent, note="ok")
    bounce(
        f"{prefix}-softpair@example.com",
        Reason.MAILBOX_FULL,
        at=NOW - timedelta(days=2),
        key=f"{prefix}-setup-pair",
    )


def _items(prefix: str) -> list[BounceInput]:
    def item(key: str, who: str, reason: Reason, days: float = 0, status: str = "") -> BounceInput:
        return BounceInput(
            email=f"{prefix}-{who}@Example.com",
            dedupe_key=f"{prefix}-{key}",
            occurred_at=NOW - timedelta(days=days),
            reason=reason,
            status=status,
        )

    return [
        item("1", "soft3", Reason.MAILBOX_FULL, 3, "4.2.2"),
        item("2", "soft3", Reason.MAILBOX_FULL, 2, "4.2.2"),
        item("3", "soft3", Reason.MAILBOX_FULL, 1, "4.2.2"),  # third in 14 days: opens
        item("4", "soft3", Reason.SERVER_UNAVAILABLE, 0),  # links
        item("5", "spread", Reason.MAILBOX_FULL, 30),
        item("6", "spread", Reason.MAILBOX_FULL, 1),
        item("7", "spread", Reason.MAILBOX_FULL, 0),  # only two in the window
        item("8", "hard", Reason.MAILBOX_UNKNOWN, 0, "5.1.1"),
        item("9", "hard", Reason.MAILBOX_UNKNOWN, 0, "5.1.1"),
        item("8", "hard", Reason.MAILBOX_UNKNOWN, 0, "5.1.1"),  # repeated in the batch
        item("setup-1", "open", Reason.MAILBOX_UNKNOWN, 0),  # recorded before the batch
        item("10", "open", Reason.DOMAIN_UNKNOWN, 0, "5.1.2"),  # links to the open one
        item("11", "complaint", Reason.COMPLAINT, 0),
        item("12", "probation", Reason.MAILBOX_UNKNOWN, 0, "5.1.1"),  # probation repeat
        item("13", "softpair", Reason.MAILBOX_FULL, 1),
        item("14", "softpair", Reason.MAILBOX_FULL, 0),  # with the setup one: opens
        item("15", "unknown", Reason.UNKNOWN, 0, "5.0.0"),  # hard by status class
        BounceInput(
            email="not an address",
            dedupe_key=f"{prefix}-16",
            occurred_at=NOW,
            reason=Reason.UNKNOWN,
        ),
    ]


def _snapshot(prefix: str) -> dict[str, object]:
    def local(address: str) -> str:
        return address.removeprefix(f"{prefix}-")

    addresses = EmailAddress.objects.filter(address__startswith=f"{prefix}-").order_by("address")
    state: dict[str, object] = {}
    for address in addresses:
        suppressions = list(address.suppressions.order_by("opened_at", "id"))
        state[local(address.address)] = {
            "probation": address.probation_until is not None,
            "history": address.history.count(),
            "suppressions": [
                (
                    s.trigger,
                    s.reason,
                    s.bounce_type,
                    s.is_repeat,
                    s.lifted_at is not None,
                    s.history.count(),
                    list(s.changes.values_list("kind", flat=True)),
                )
                for s in suppressions
            ],
            "events": [
                (
                    e.dedupe_key.removeprefix(f"{prefix}-"),
                    e.reason,
                    e.bounce_type,
                    suppressions.index(e.suppression) if e.suppression else None,
                )
                for e in address.events.order_by("dedupe_key")
            ],
        }
    return state


def test_a_batch_ends_exactly_like_the_same_events_one_by_one(school, agent) -> None:
    _setup("a", school, agent)
    _setup("b", school, agent)
    results = bounce_record_batch(items=_items("a"), source=Source.API)
    one_by_one = []
    for item in _items("b"):
        try:
            outcome = services.bounce_record(
                email=item.email,
                source=Source.API,
                dedupe_key=item.dedupe_key,
                occurred_at=item.occurred_at,
                reason=item.reason,
                status=item.status,
            )
            one_by_one.append(
                (outcome.created, outcome.created and outcome.event.suppression_id is not None)
            )
        except InvalidBounce:  # the invalid one
            one_by_one.append((False, False))
    assert [(r.created, r.suppressed) for r in results] == one_by_one
    assert results[-1].field_errors == {"email": results[-1].field_errors["email"]}
    batch, sequential = _snapshot("a"), _snapshot("b")
    assert batch == sequential
    assert batch["probation@example.com"]["suppressions"][-1][:4] == (  # type: ignore[index]
        "probation_repeat",
        "mailbox_unknown",
        "hard",
        True,
    )
    assert [s[0] for s in batch["soft3@example.com"]["suppressions"]] == ["soft_threshold"]  # type: ignore[index]
    assert batch["spread@example.com"]["suppressions"] == []  # type: ignore[index]


def test_a_replayed_batch_records_nothing(db) -> None:
    items = _items("r")
    first = bounce_record_batch(items=items, source=Source.API)
    counts = (
        BounceEvent.objects.count(),
        Suppression.objects.count(),
        SuppressionChange.objects.count(),
    )
    again = bounce_record_batch(items=items, source=Source.API)
    assert sum(r.created for r in first) == 16  # all but the invalid one and the repeat
    assert not any(r.created for r in again)
    assert counts == (
        BounceEvent.objects.count(),
        Suppression.objects.count(),
        SuppressionChange.objects.count(),
    )
