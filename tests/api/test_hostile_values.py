"""Values no real server sends must not crash recording, jam the MTA pipe, or soften a bounce."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from suppression import services
from suppression.exceptions import InvalidBounce
from suppression.models import BounceEvent, Source
from suppression.services.bounces import occurred_or_now
from suppression.services.ingest import message_ingest
from suppression.taxonomy import Reason

pytestmark = pytest.mark.django_db

BOUNCE = b"""\
From: MAILER-DAEMON@mx.example.net
To: bounces@kwiga.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <early-1@mx.example.net>
Date: %(date)s
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; student@example.org
Action: failed
Status: 4.2.2
Diagnostic-Code: smtp; 452 4.2.2 Mailbox full

--b1--
"""


@pytest.mark.parametrize("when", [datetime(1, 1, 2, tzinfo=UTC), datetime(2999, 1, 1, tzinfo=UTC)])
def test_an_implausible_time_is_a_field_error_not_a_crash(when: datetime) -> None:
    with pytest.raises(InvalidBounce) as caught:
        services.bounce_record(
            email="a@example.com",
            source=Source.API,
            dedupe_key="k",
            occurred_at=when,
            reason=Reason.MAILBOX_FULL,
        )
    assert "occurred_at" in caught.value.field_errors


def test_a_bounce_dated_in_the_far_future_is_recorded_as_received() -> None:
    before = timezone.now()
    report = message_ingest(
        raw=BOUNCE % {b"date": b"Fri, 01 Jan 2100 00:00:00 +0000"}, origin="absurd-date"
    )
    assert len(report.recorded) == 1
    assert before <= BounceEvent.objects.get().occurred_at <= timezone.now()


@pytest.mark.parametrize(
    "when", [datetime(1, 1, 2, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC), None]
)
def test_an_unusable_reported_time_becomes_the_time_we_received_it(when) -> None:
    before = timezone.now()
    assert before <= occurred_or_now(when) <= timezone.now()


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "\uff15.1.1"), ("smtp_code", "\uff15\uff15\uff10"), ("status", "5.1.\u00b2")],
)
def test_non_ascii_digits_are_not_a_status_or_reply_code(field: str, value: str) -> None:
    args = dict(
        email="a@example.com",
        source=Source.API,
        dedupe_key="k",
        occurred_at=timezone.now(),
        reason=Reason.UNKNOWN,
        status="5.1.1",
        smtp_code="550",
    )
    args[field] = value
    with pytest.raises(InvalidBounce) as caught:
        services.bounce_record(**args)
    assert field in caught.value.field_errors


def test_a_lone_surrogate_in_a_check_is_a_clean_answer(api) -> None:
    response = api.post("/suppressions/check", {"emails": ["\ud800@example.com", "ok@example.com"]})
    assert response.status_code == 200
    body = json.loads(response.content)
    assert set(body["invalid"]) == {"\ud800@example.com"}


def test_a_lone_surrogate_event_id_is_answered_and_the_good_event_kept(api) -> None:
    good = {
        "event_id": "good-1",
        "address": "kate@example.com",
        "status": "5.1.1",
        "occurred_at": "2026-01-01T00:00:00Z",
    }
    bad = {**good, "event_id": "bad-\ud800", "address": "other@example.com"}
    response = api.post("/bounces", {"events": [good, bad]})
    assert response.status_code in (200, 207)
    results = json.loads(response.content)["results"]
    assert results[0]["result"] == "recorded"
    assert BounceEvent.objects.filter(address__address="kate@example.com").exists()
