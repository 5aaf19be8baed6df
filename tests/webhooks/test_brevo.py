from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from suppression.models import BounceEvent

from .conftest import basic_auth, post_json

URL = "/webhooks/brevo/tracking/"
pytestmark = pytest.mark.django_db


def event(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "event": "hard_bounce",
        "email": "Example@Domain.com",
        "id": 26224,
        "date": "2024-03-04 13:34:56",
        "ts": 1709555696,
        "message-id": "<202403041234.12345678901@smtp-relay.mailin.fr>",
        "ts_event": 1709555696,
        "subject": "Your certificate is ready",
        "X-Mailin-custom": json.dumps({"kwiga_school": "demo-school", "kwiga_stream": "system"}),
        "sending_ip": "185.41.28.109",
        "ts_epoch": 1709555696000,
        "template_id": 22,
        "tag": '["certificates"]',
        "tags": ["certificates"],
        "reason": "550 5.1.1 <example@domain.com>: Recipient address rejected: User unknown in "
        "virtual mailbox table",
    }
    data.update(changes)
    return data


def post(client: Client, body: dict[str, Any], *, auth: str | None = basic_auth()) -> Any:
    return post_json(client, URL, body, auth=auth)


def test_a_hard_bounce_records_every_field(client: Client, school) -> None:
    body = event()

    response = post(client, body)

    assert response.status_code == 200
    recorded = BounceEvent.objects.select_related("address").get()
    assert recorded.address.address == "example@domain.com"
    assert recorded.source == "brevo"
    # Brevo gives no event id: the raw event's hash is the key, so retries record once.
    digest = hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    assert recorded.dedupe_key == f"raw:{digest}:example@domain.com"
    assert recorded.occurred_at == datetime(2024, 3, 4, 12, 34, 56, tzinfo=UTC)
    assert (recorded.bounce_type, recorded.reason) == ("hard", "mailbox_unknown")
    assert (recorded.status, recorded.smtp_code, recorded.rule) == ("5.1.1", "550", "status:5.1.1")
    assert recorded.diagnostic == body["reason"]
    assert recorded.remote_mta == ""
    assert (recorded.school, recorded.stream) == (school, "system")
    assert recorded.message_id == "202403041234.12345678901@smtp-relay.mailin.fr"


def test_a_soft_bounce_with_a_temporary_code_is_soft(client: Client) -> None:
    post(
        client,
        event(event="soft_bounce", email="full@example.org", reason="452 4.2.2 Mailbox full"),
    )

    recorded = BounceEvent.objects.get()
    assert (recorded.bounce_type, recorded.reason, recorded.status) == (
        "soft",
        "mailbox_full",
        "4.2.2",
    )
    assert recorded.suppression is None


def test_a_soft_bounce_with_a_permanent_code_is_hard(client: Client) -> None:
    post(
        client,
        event(
            event="soft_bounce",
            email="gone@example.org",
            reason="550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown",
        ),
    )

    recorded = BounceEvent.objects.get()
    assert (recorded.bounce_type, recorded.reason) == ("hard", "mailbox_unknown")
    assert recorded.suppression is not None


@pytest.mark.parametrize("kind", ["spam", "complaint"])
def test_a_spam_report_is_a_complaint(client: Client, kind: str) -> None:
    post(client, event(event=kind, email="reader@example.net", reason=""))

    recorded = BounceEvent.objects.get()
    assert (recorded.bounce_type, recorded.reason, recorded.rule) == (
        "complaint",
        "complaint",
        f"esp:complaint:{kind}",
    )


@pytest.mark.parametrize("kind", ["deferred", "delivered", "opened", "unsubscribe"])
def test_events_that_are_not_bounces_record_nothing(client: Client, kind: str) -> None:
    response = post(client, event(event=kind, reason="421 4.7.0 try again later"))

    assert response.status_code == 200
    assert not BounceEvent.objects.exists()


def test_a_retried_event_records_once(client: Client) -> None:
    post(client, event())
    post(client, event())

    assert BounceEvent.objects.count() == 1


def test_an_address_that_is_not_valid_is_dropped_without_an_error(client: Client) -> None:
    response = post(client, event(email="not an address@"))

    # An error would only make Brevo retry the same event for days.
    assert response.status_code == 200
    assert not BounceEvent.objects.exists()


@pytest.mark.parametrize("auth", [None, basic_auth("kwiga-esp:wrong")])
def test_a_request_without_the_secret_records_nothing(client: Client, auth: str | None) -> None:
    response = post(client, event(), auth=auth)

    assert response.status_code == 400
    assert not BounceEvent.objects.exists()


def test_a_nul_character_in_the_reason_is_dropped(client: Client) -> None:
    post(client, event(reason="550 5.1.1 User unknown\u0000 (mailbox gone)"))

    recorded = BounceEvent.objects.get()
    assert recorded.diagnostic == "550 5.1.1 User unknown (mailbox gone)"
