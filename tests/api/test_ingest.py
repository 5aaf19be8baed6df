"""Ingest: the platform's MTA pushes bounce events; each gets its own result."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from suppression.models import BounceEvent, Source
from suppression.selectors import is_suppressed
from suppression.services.api_clients import api_client_create

from .conftest import ApiCaller

pytestmark = pytest.mark.django_db

AT = "2025-05-01T10:00:00Z"


def event(event_id: str, address: str = "ann@example.com", **extra: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "address": address,
        "occurred_at": AT,
        "status": "5.1.1",
        "smtp_code": "550",
        "diagnostic": "550 5.1.1 user unknown",
        **extra,
    }


def test_events_are_recorded_classified_and_suppress(api, school) -> None:
    response = api.post(
        "/bounces",
        {
            "events": [
                event(
                    "e1",
                    stream="campaign",
                    school=school.slug,
                    message_id="<m1@kwiga.com>",
                    remote_mta="mx.example.com",
                ),
                event(
                    "e2",
                    "bob@example.com",
                    status="4.2.2",
                    smtp_code="452",
                    diagnostic="mailbox full",
                ),
            ]
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["recorded"], body["duplicate"], body["invalid"]) == (2, 0, 0)
    assert [(r["event_id"], r["result"], r["suppressed"]) for r in body["results"]] == [
        ("e1", "recorded", True),
        ("e2", "recorded", False),
    ]
    recorded = BounceEvent.objects.get(address__address="ann@example.com")
    assert (recorded.reason, recorded.bounce_type, recorded.source) == (
        "mailbox_unknown",
        "hard",
        Source.API,
    )
    assert (recorded.school, recorded.stream, recorded.message_id) == (
        school,
        "campaign",
        "<m1@kwiga.com>",
    )
    assert recorded.occurred_at == datetime(2025, 5, 1, 10, tzinfo=UTC)
    assert recorded.rule == "dsn:status:5.1.1"
    assert BounceEvent.objects.get(address__address="bob@example.com").reason == "mailbox_full"
    assert is_suppressed("ann@example.com") and not is_suppressed("bob@example.com")


def test_an_explicit_reason_wins_over_classification(api) -> None:
    api.post("/bounces", {"events": [event("e1", reason="complaint", status="")]})
    assert BounceEvent.objects.get().reason == "complaint"


def test_replaying_a_batch_records_nothing_new(api) -> None:
    batch = {"events": [event(f"e{i}", f"user{i}@example.com") for i in range(20)]}
    assert api.post("/bounces", batch).json()["recorded"] == 20
    again = api.post("/bounces", batch)
    assert again.status_code == 200
    assert (again.json()["recorded"], again.json()["duplicate"]) == (0, 20)
    assert BounceEvent.objects.count() == 20


def test_an_event_repeated_inside_a_batch_is_recorded_once(api) -> None:
    body = api.post("/bounces", {"events": [event("e1"), event("e2"), event("e1")]}).json()
    assert [r["result"] for r in body["results"]] == ["recorded", "recorded", "duplicate"]
    assert BounceEvent.objects.count() == 2


def test_two_clients_event_ids_never_collide(api, client) -> None:
    other = api_client_create(name="second-mta", scopes=["ingest"], actor=None)
    api.post("/bounces", {"events": [event("e1")]})
    second = ApiCaller(client, other.token).post("/bounces", {"events": [event("e1")]})
    assert second.json()["recorded"] == 1
    assert BounceEvent.objects.count() == 2


def test_bad_events_get_field_errors_and_the_rest_are_recorded(api) -> None:
    response = api.post(
        "/bounces",
        {
            "events": [
                event("ok"),
                event("bad-address", "not-an-address"),
                event("bad-school", school="no-such-school"),
                {
                    "event_id": "bad-fields",
                    "address": "c@example.com",
                    "occurred_at": "yesterday",
                    "smtp_code": "5500",
                    "stream": "newsletter",
                    "surprise": 1,
                },
                event("naive-time", occurred_at="2025-05-01T10:00:00"),
                event("nul", school="\x00", diagnostic="a\x00b"),
                event("far-off", occurred_at="0001-01-01T00:00:00+14:00"),
                "not an object",
            ]
        },
    )
    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["result"] for r in results] == ["recorded"] + ["invalid"] * 7
    assert "address" in results[1]["field_errors"]
    assert "no-such-school" in results[2]["field_errors"]["school"]
    assert set(results[3]["field_errors"]) == {"occurred_at", "smtp_code", "stream", "surprise"}
    assert "occurred_at" in results[4]["field_errors"]
    assert set(results[5]["field_errors"]) == {"school", "diagnostic"}
    assert set(results[6]["field_errors"]) == {"occurred_at"}
    assert results[7]["event_id"] is None and results[7]["field_errors"]
    assert BounceEvent.objects.count() == 1


def test_a_batch_of_only_invalid_addresses_is_400_with_field_errors(api) -> None:
    response = api.post("/bounces", {"events": [event(f"e{i}", f"bad{i}") for i in range(3)]})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_events"
    assert set(body["field_errors"]) == {f"events.{i}.address" for i in range(3)}
    assert BounceEvent.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"",
        [event("e1")],
        {"events": "e1"},
        {"events": []},
        {"events": [event("e1")], "more": 1},
        {"events": [event(f"e{i}") for i in range(1001)]},
    ],
)
def test_bodies_that_are_not_a_batch_are_400(api, body) -> None:
    response = api.post("/bounces", body)
    assert response.status_code == 400
    assert response.json()["detail"]
    assert BounceEvent.objects.count() == 0


def test_a_body_over_the_ingest_limit_is_413(api, monkeypatch) -> None:
    monkeypatch.setattr("suppression.api.bounces.INGEST_MAX_BYTES", 10_000)
    response = api.post("/bounces", {"events": [event(f"e{i}") for i in range(200)]})
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_a_full_batch_with_long_diagnostics_is_accepted(api) -> None:
    events = [
        {
            "event_id": f"long-{i}",
            "address": f"long{i}@example.com",
            "status": "5.1.1",
            "occurred_at": "2026-01-01T00:00:00Z",
            "diagnostic": "550 5.1.1 " + "x" * 9_000,
        }
        for i in range(400)
    ]
    response = api.post("/bounces", {"events": events})
    assert response.status_code == 200, response.content[:300]
    assert response.json()["recorded"] == 400
