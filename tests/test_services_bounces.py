"""Recording bounces through the service: events, suppressions, history, the changes feed."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from suppression import services
from suppression.exceptions import AlreadySuppressed, InvalidBounce, NotAllowed, NoteRequired
from suppression.models import (
    BounceEvent,
    EmailAddress,
    Source,
    Suppression,
    SuppressionChange,
)
from suppression.selectors import is_suppressed, suppressed_among
from suppression.taxonomy import Reason

from .factories import bounce

pytestmark = pytest.mark.django_db


def test_hard_bounce_records_the_event_and_suppresses(school) -> None:
    outcome = services.bounce_record(
        email="Kate.Smith@Example.com",
        source=Source.DSN,
        dedupe_key="<bounce-1@mx.example.com>/kate.smith@example.com",
        occurred_at=timezone.now() - timedelta(minutes=5),
        reason=Reason.MAILBOX_UNKNOWN,
        status="5.1.1",
        smtp_code="550",
        diagnostic="550 5.1.1 <kate.smith@example.com>: Recipient address rejected: User unknown",
        rule="status:5.1.1",
        remote_mta="mx.example.com",
        stream="campaign",
        school=school,
        message_id="<campaign-42@kwiga.com>",
    )
    assert outcome.created
    event = outcome.event
    assert event.address.address == "kate.smith@example.com"
    assert event.address.display == "Kate.Smith@Example.com"
    assert (event.bounce_type, event.reason, event.status, event.smtp_code) == (
        "hard",
        "mailbox_unknown",
        "5.1.1",
        "550",
    )
    assert event.school == school and event.stream == "campaign"
    suppression = outcome.opened
    assert suppression is not None and suppression.is_open
    assert event.suppression == suppression
    assert (suppression.trigger, suppression.reason, suppression.bounce_type) == (
        "hard_bounce",
        "mailbox_unknown",
        "hard",
    )
    history = suppression.history.get()
    assert history.history_type == "+"
    assert history.history_user is None
    assert "hard bounce" in history.history_change_reason
    assert "5.1.1" in history.history_change_reason
    assert list(SuppressionChange.objects.values_list("kind", flat=True)) == ["opened"]
    assert is_suppressed("KATE.SMITH@example.com")


def test_the_same_report_twice_records_once() -> None:
    first = bounce("dup@example.com", key="esp-event-1")
    second = bounce("dup@example.com", key="esp-event-1")
    assert first.created and not second.created
    assert second.event.pk == first.event.pk
    assert BounceEvent.objects.count() == 1
    assert Suppression.objects.count() == 1


def test_same_key_from_another_source_is_another_event() -> None:
    bounce("x@example.com", key="k1", source=Source.SENDGRID)
    bounce("x@example.com", key="k1", source=Source.MAILGUN)
    assert BounceEvent.objects.count() == 2


def test_two_soft_bounces_in_fourteen_days_do_not_suppress() -> None:
    now = timezone.now()
    bounce("soft@example.com", Reason.MAILBOX_FULL, at=now - timedelta(days=13))
    outcome = bounce("soft@example.com", Reason.MAILBOX_FULL, at=now)
    assert outcome.opened is None
    assert not is_suppressed("soft@example.com")
    assert outcome.event.suppression is None


def test_three_soft_bounces_in_fourteen_days_suppress() -> None:
    now = timezone.now()
    bounce("soft@example.com", Reason.MAILBOX_FULL, at=now - timedelta(days=13, hours=23))
    bounce("soft@example.com", Reason.SERVER_UNAVAILABLE, at=now - timedelta(days=6))
    outcome = bounce("soft@example.com", Reason.MAILBOX_FULL, at=now)
    assert outcome.opened is not None
    assert outcome.opened.trigger == "soft_threshold"
    assert outcome.opened.reason == "mailbox_full"


def test_three_soft_bounces_over_fifteen_days_do_not_suppress() -> None:
    now = timezone.now()
    bounce("soft@example.com", Reason.MAILBOX_FULL, at=now - timedelta(days=15))
    bounce("soft@example.com", Reason.MAILBOX_FULL, at=now - timedelta(days=7))
    outcome = bounce("soft@example.com", Reason.MAILBOX_FULL, at=now)
    assert outcome.opened is None
    assert not is_suppressed("soft@example.com")


@pytest.mark.parametrize("order", list(itertools.permutations((0, 1, 2))))
def test_three_soft_bounces_suppress_whatever_order_they_arrive_in(order) -> None:
    # 12:00, 11:00 and 10:00 today, in every arrival order: the third to arrive suppresses.
    noon = timezone.now().replace(microsecond=0)
    outcomes = [
        bounce("soft@example.com", Reason.MAILBOX_FULL, at=noon - timedelta(hours=hours))
        for hours in order
    ]
    assert [o.opened is not None for o in outcomes] == [False, False, True]
    assert outcomes[-1].opened.trigger == "soft_threshold"  # type: ignore[union-attr]
    assert is_suppressed("soft@example.com")


def test_a_late_bounce_completes_an_earlier_window() -> None:
    # Today's bounce arrives first; three that fell within ten days, three weeks ago to ten days
    # ago, arrive after it: the window that counts ends ten days ago, not at any arrival.
    now = timezone.now()
    outcomes = [
        bounce("late@example.com", Reason.MAILBOX_FULL, at=now - timedelta(days=days))
        for days in (0, 10, 20, 19)
    ]
    assert [o.opened is not None for o in outcomes] == [False, False, False, True]
    assert is_suppressed("late@example.com")


def test_a_replayed_year_old_batch_suppresses_nobody_today() -> None:
    year_ago = timezone.now() - timedelta(days=365)
    for hours in (0, 1, 2, 3):
        bounce("old@example.com", Reason.MAILBOX_FULL, at=year_ago + timedelta(hours=hours))
    assert not is_suppressed("old@example.com")
    # A fresh one today is the only recent one: one of three.
    outcome = bounce("old@example.com", Reason.MAILBOX_FULL)
    assert outcome.opened is None
    assert outcome.decision is not None and outcome.decision.why.startswith("1 of 3")


@pytest.mark.parametrize(("days_ago", "suppressed"), [(0, True), (13, True), (15, False)])
def test_threshold_one_stops_sending_on_any_recent_soft_bounce(
    settings, days_ago, suppressed
) -> None:
    settings.SUPPRESSION = {**settings.SUPPRESSION, "SOFT_BOUNCE_THRESHOLD": 1}
    at = timezone.now() - timedelta(days=days_ago)
    outcome = bounce("one@example.com", Reason.MAILBOX_FULL, at=at)
    assert (outcome.opened is not None) is suppressed
    assert is_suppressed("one@example.com") is suppressed


def test_complaint_suppresses_at_once() -> None:
    outcome = bounce("angry@example.com", Reason.COMPLAINT)
    assert outcome.event.bounce_type == "complaint"
    assert outcome.opened is not None and outcome.opened.trigger == "complaint"


def test_bounce_during_open_suppression_is_linked_and_opens_nothing() -> None:
    first = bounce("gone@example.com")
    second = bounce("gone@example.com", Reason.MAILBOX_FULL)
    assert second.opened is None
    assert second.event.suppression == first.opened
    assert Suppression.objects.count() == 1
    assert SuppressionChange.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("email", {"email": "not-an-address"}),
        ("source", {"source": "carrier-pigeon"}),
        ("dedupe_key", {"dedupe_key": ""}),
        ("dedupe_key", {"dedupe_key": "k" * 256}),
        ("occurred_at", {"occurred_at": timezone.now().replace(tzinfo=None)}),
        ("reason", {"reason": "bad_luck"}),
        ("status", {"status": "five.one.one"}),
        ("smtp_code", {"smtp_code": "55"}),
        ("stream", {"stream": "newsletter"}),
    ],
)
def test_invalid_bounce_is_refused_with_field_errors_and_records_nothing(field, kwargs) -> None:
    args = dict(
        email="ok@example.com",
        source=Source.API,
        dedupe_key="k",
        occurred_at=timezone.now(),
        reason=Reason.MAILBOX_UNKNOWN,
    )
    args.update(kwargs)
    with pytest.raises(InvalidBounce) as caught:
        services.bounce_record(**args)
    assert field in caught.value.field_errors
    assert not EmailAddress.objects.exists()
    assert not BounceEvent.objects.exists()


def test_bounce_events_cannot_be_changed_or_deleted() -> None:
    event = bounce("fixed@example.com").event
    event.diagnostic = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_manual_suppression_records_who_and_why(agent) -> None:
    suppression = services.suppression_open_manual(
        email="Manual@Example.com", actor=agent, note="Owner asked us to stop: client left."
    )
    assert suppression.trigger == "manual" and suppression.opened_by == agent
    assert suppression.bounce_type == "hard"
    history = suppression.history.get()
    assert history.history_user == agent
    assert "client left" in history.history_change_reason
    assert is_suppressed("manual@example.com")


def test_manual_suppression_refusals(agent, auditor) -> None:
    with pytest.raises(NoteRequired):
        services.suppression_open_manual(email="m@example.com", actor=agent, note=" ")
    with pytest.raises(NotAllowed):
        services.suppression_open_manual(email="m@example.com", actor=auditor, note="why")
    bounce("m@example.com")
    with pytest.raises(AlreadySuppressed):
        services.suppression_open_manual(email="m@example.com", actor=agent, note="again")


def test_suppressed_among_is_one_query_keyed_by_input(django_assert_num_queries) -> None:
    bounce("one@example.com")
    bounce("two@example.com", Reason.COMPLAINT)
    bounce("three@example.com", Reason.MAILBOX_FULL)  # one soft bounce: not suppressed
    emails = [
        "ONE@example.com",
        "one@example.com",
        "two@example.com",
        "three@example.com",
        "four@example.com",
        "broken",
    ]
    # the open suppressions, and the paused domains (a handful of rows at most)
    with django_assert_num_queries(1):
        suppressed, invalid = suppressed_among(emails)
    assert set(suppressed) == {"ONE@example.com", "one@example.com", "two@example.com"}
    assert suppressed["two@example.com"].reason == "complaint"
    assert suppressed["two@example.com"].bounce_type == "complaint"
    assert set(invalid) == {"broken"}
