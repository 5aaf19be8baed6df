"""Real HTTP, real threads, real PostgreSQL: replays racing each other record every event once."""

from __future__ import annotations

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from suppression.models import BounceEvent, Source, Suppression, SuppressionChange
from suppression.services.api_clients import api_client_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _post(url: str, token: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status, json.loads(response.read())


def test_1000_events_each_posted_3_times_concurrently_record_exactly_1000(
    live_server, live_server_connections_close
) -> None:
    token = api_client_create(name="mta", scopes=["ingest"], actor=None).token
    # 400 addresses, some bouncing several times, so that racing writers share address rows.
    events = [
        {
            "event_id": f"evt-{i}",
            "address": f"user{i % 400}@example.com",
            "occurred_at": f"2025-05-01T10:{i % 60:02d}:00Z",
            "status": "5.1.1",
            "smtp_code": "550",
            "diagnostic": "user unknown",
        }
        for i in range(1000)
    ]
    batches = [{"events": events[start : start + 100]} for start in range(0, 1000, 100)]
    url = f"{live_server.url}/api/v1/bounces"
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda body: _post(url, token, body), batches * 3))

    assert {status for status, _ in answers} == {200}
    assert sum(body["recorded"] for _, body in answers) == 1000
    assert sum(body["duplicate"] for _, body in answers) == 2000
    assert BounceEvent.objects.filter(source=Source.API).count() == 1000
    # one suppression per address, opened once, in the feed once
    assert Suppression.objects.count() == 400
    assert SuppressionChange.objects.filter(kind="opened").count() == 400
