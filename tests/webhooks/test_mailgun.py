from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from suppression.models import BounceEvent

from .conftest import basic_auth, mailgun_signature, post_json

URL = "/webhooks/mailgun/tracking/"
pytestmark = pytest.mark.django_db


def post(client: Client, body: dict[str, Any], *, auth: str | None = basic_auth()) -> Any:
    return post_json(client, URL, body, auth=auth)


def signed(event_data: dict[str, Any], token: str, *, key: str | None = None) -> dict[str, Any]:
    timestamp = "1709555697"
    signature = mailgun_signature(timestamp, token, *([key] if key else []))
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": event_data,
    }


def failed(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "CPgfbmQMTCKtHW6uIWtuVe",
        "timestamp": 1709555695.123456,
        "log-level": "error",
        "event": "failed",
        "severity": "permanent",
        "reason": "bounce",
        "delivery-status": {
            "attempt-no": 1,
            "message": "5.1.1 The email account that you tried to reach does not exist. Please "
            "try double-checking the recipient's email address for typos or unnecessary spaces.",
            "code": 550,
            "enhanced-code": "5.1.1",
            "description": "",
            "session-seconds": 0.43,
            "mx-host": "gmail-smtp-in.l.google.com",
            "tls": True,
            "certificate-verified": True,
        },
        "flags": {"is-routed": False, "is-authenticated": True, "is-test-mode": False},
        "envelope": {
            "sender": "bounces@mg.kwiga.com",
            "transport": "smtp",
            "targets": "alice@example.com",
            "sending-ip": "198.51.100.9",
        },
        "message": {
            "headers": {
                "to": "Alice <alice@example.com>",
                "message-id": "20240304123450.1.ABCDEF0123@mg.kwiga.com",
                "from": "Kwiga <noreply@mg.kwiga.com>",
                "subject": "Your practice was reviewed",
            },
            "attachments": [],
            "size": 4231,
        },
        "recipient": "alice@example.com",
        "recipient-domain": "example.com",
        "storage": {"url": "https://storage.eu.mailgun.net/v3/domains/x/messages/y", "key": "y"},
        "campaigns": [],
        "tags": [],
        "user-variables": {"kwiga_school": "demo-school", "kwiga_stream": "system"},
    }
    data.update(changes)
    return data


def test_a_permanent_failure_records_every_field(client: Client, school) -> None:
    response = post(client, signed(failed(), "a8ce0edb2dd8301dee6c2405235584e4"))

    assert response.status_code == 200
    event = BounceEvent.objects.select_related("address").get()
    assert event.address.address == "alice@example.com"
    assert event.source == "mailgun"
    assert event.dedupe_key == "CPgfbmQMTCKtHW6uIWtuVe:alice@example.com"
    assert event.occurred_at == datetime(2024, 3, 4, 12, 34, 55, 123456, tzinfo=UTC)
    assert (event.bounce_type, event.reason) == ("hard", "mailbox_unknown")
    assert (event.status, event.smtp_code, event.rule) == ("5.1.1", "550", "status:5.1.1")
    assert event.diagnostic.startswith("5.1.1 The email account that you tried to reach")
    assert event.remote_mta == "gmail-smtp-in.l.google.com"
    assert (event.school, event.stream) == (school, "system")
    assert event.message_id == "20240304123450.1.ABCDEF0123@mg.kwiga.com"


def test_a_redelivered_event_with_a_new_token_records_once(client: Client) -> None:
    post(client, signed(failed(), "a8ce0edb2dd8301dee6c2405235584e4"))
    post(client, signed(failed(), "ffce0edb2dd8301dee6c2405235584ff"))

    assert BounceEvent.objects.count() == 1


def test_a_temporary_failure_with_a_permanent_code_is_a_hard_bounce(client: Client) -> None:
    data = failed(
        id="Y2kBvYHgTEyQ2Xrc2dQjlg",
        severity="temporary",
        reason="generic",
        recipient="listed@example.net",
        **{
            "delivery-status": {
                "attempt-no": 2,
                "message": "5.7.1 <listed@example.net>: Recipient address rejected: the sender "
                "is on the recipient's block list",
                "code": 550,
                "enhanced-code": "5.7.1",
                "description": "",
                "mx-host": "mx.example.net",
                "retry-seconds": 600,
            }
        },
    )

    post(client, signed(data, "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"))

    event = BounceEvent.objects.get()
    assert (event.bounce_type, event.reason) == ("hard", "sender_blocked")
    assert (event.status, event.smtp_code, event.remote_mta) == ("5.7.1", "550", "mx.example.net")


def test_a_temporary_failure_with_a_temporary_code_records_nothing(client: Client) -> None:
    data = failed(
        id="TmpFailTmpCode00000001",
        severity="temporary",
        reason="generic",
        **{
            "delivery-status": {
                "message": "4.2.2 The email account that you tried to reach is over quota.",
                "code": 452,
                "enhanced-code": "4.2.2",
                "mx-host": "gmail-smtp-in.l.google.com",
            }
        },
    )

    response = post(client, signed(data, "1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f"))

    assert response.status_code == 200
    assert not BounceEvent.objects.exists()


def test_a_complaint_is_recorded(client: Client) -> None:
    data = {
        "id": "ncV2XwymRUKbPek_MIM-Gw",
        "timestamp": 1709556000.0,
        "log-level": "warn",
        "event": "complained",
        "envelope": {"sending-ip": "198.51.100.9"},
        "flags": {"is-test-mode": False},
        "message": {"headers": {"to": "bob@example.org", "message-id": "c-1@mg.kwiga.com"}},
        "recipient": "bob@example.org",
        "campaigns": [],
        "tags": [],
        "user-variables": {},
    }

    post(client, signed(data, "2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a"))

    event = BounceEvent.objects.select_related("address").get()
    assert event.address.address == "bob@example.org"
    assert (event.bounce_type, event.reason, event.rule) == (
        "complaint",
        "complaint",
        "esp:complaint",
    )
    assert event.dedupe_key == "ncV2XwymRUKbPek_MIM-Gw:bob@example.org"
    assert event.occurred_at == datetime(2024, 3, 4, 12, 40, tzinfo=UTC)
    assert (event.school, event.stream, event.message_id) == (None, "", "c-1@mg.kwiga.com")


def test_a_delivered_event_records_nothing(client: Client) -> None:
    data = failed(id="DeliveredEvent00000001", event="delivered", severity=None, reason=None)

    response = post(client, signed(data, "3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b"))

    assert response.status_code == 200
    assert not BounceEvent.objects.exists()


def test_a_bad_signature_records_nothing(client: Client) -> None:
    forged = signed(failed(), "4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c", key="key-not-ours")

    response = post(client, forged)

    assert response.status_code == 400
    assert not BounceEvent.objects.exists()


def test_with_a_secret_set_basic_auth_is_checked_too(client: Client) -> None:
    body = signed(failed(), "5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d")

    refused = post(client, body, auth=basic_auth("kwiga-esp:wrong"))
    accepted = post(client, body)

    assert (refused.status_code, accepted.status_code) == (400, 200)
    assert BounceEvent.objects.count() == 1


def test_the_signature_alone_is_enough_when_no_secret_is_set(client: Client, settings) -> None:
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": []}

    accepted = post(client, signed(failed(), "6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e"), auth=None)
    refused = post(client, signed(failed(id="other"), "7c8d9e", key="key-not-ours"), auth=None)

    assert (accepted.status_code, refused.status_code) == (200, 400)
    assert BounceEvent.objects.count() == 1


def test_a_legacy_form_post_retried_with_a_new_signature_records_once(client: Client) -> None:
    def legacy(token: str, timestamp: str) -> dict[str, str]:
        return {
            "event": "bounced",
            "recipient": "legacy.student@example.org",
            "code": "550",
            "error": "550 5.1.1 The email account that you tried to reach does not exist.",
            "Message-Id": "<legacy-1@mail.kwiga.com>",
            "timestamp": timestamp,
            "token": token,
            "signature": mailgun_signature(timestamp, token),
        }

    for token, timestamp in (("a" * 50, "1709555697"), ("b" * 50, "1709555999")):
        response = client.post(URL, legacy(token, timestamp), HTTP_AUTHORIZATION=basic_auth())
        assert response.status_code == 200
    event = BounceEvent.objects.get()
    assert (event.address.address, event.source, event.reason) == (
        "legacy.student@example.org",
        "mailgun",
        "mailbox_unknown",
    )
    assert event.dedupe_key.startswith("legacy:")
