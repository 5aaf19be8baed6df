from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from suppression.models import BounceEvent

from .conftest import basic_auth, post_json

URL = "/webhooks/postmark/tracking/"
pytestmark = pytest.mark.django_db


def bounce(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "RecordType": "Bounce",
        "MessageStream": "outbound",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "TypeCode": 1,
        "Name": "Hard bounce",
        "Tag": "lesson-reminder",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {"kwiga_school": "demo-school", "kwiga_stream": "automation"},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user, "
        "mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist. "
        "Please try double-checking the recipient's email address for typos or unnecessary spaces.",
        "Email": "John@Example.com",
        "From": "noreply@kwiga.com",
        "BouncedAt": "2024-03-04T12:34:56.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Your lesson starts soon",
        "Content": "Return-Path: <>\nReceived: ...",
    }
    data.update(changes)
    return data


def post(client: Client, body: dict[str, Any], *, auth: str | None = basic_auth()) -> Any:
    return post_json(client, URL, body, auth=auth)


def test_a_hard_bounce_records_every_field(client: Client, school) -> None:
    response = post(client, bounce())

    assert response.status_code == 200
    event = BounceEvent.objects.select_related("address").get()
    assert event.address.address == "john@example.com"
    assert event.source == "postmark"
    assert event.dedupe_key == "4323372036854775807:john@example.com"
    assert event.occurred_at == datetime(2024, 3, 4, 12, 34, 56, 907025, tzinfo=UTC)
    assert (event.bounce_type, event.reason) == ("hard", "mailbox_unknown")
    assert (event.status, event.smtp_code, event.rule) == ("5.1.1", "550", "status:5.1.1")
    assert event.diagnostic.startswith("550 5.1.1 The email account that you tried to reach")
    assert event.remote_mta == ""
    assert (event.school, event.stream) == (school, "automation")
    assert event.message_id == "883953f4-6105-42a2-a16a-77a8eac79483"


def test_a_soft_bounce_with_a_permanent_code_is_hard(client: Client) -> None:
    post(
        client,
        bounce(
            ID=4323372036854775808,
            Type="SoftBounce",
            TypeCode=4096,
            Email="quota@example.org",
            Description="Unable to temporarily deliver this email.",
            Details="smtp;552 5.2.2 The email account that you tried to reach is over quota and "
            "inactive.",
        ),
    )

    event = BounceEvent.objects.get()
    # 5.2.2 is "mailbox full": soft by the taxonomy, whatever the class; the code decided it.
    assert (event.reason, event.status, event.smtp_code) == ("mailbox_full", "5.2.2", "552")


def test_a_soft_bounce_without_details_takes_the_type(client: Client) -> None:
    post(
        client,
        bounce(
            ID=4323372036854775809,
            Type="SoftBounce",
            TypeCode=4096,
            Email="soft@example.org",
            Description="Unable to temporarily deliver this email.",
            Details="",
        ),
    )

    event = BounceEvent.objects.get()
    assert (event.bounce_type, event.reason, event.rule) == (
        "soft",
        "server_unavailable",
        "esp:Bounce/SoftBounce",
    )
    assert event.diagnostic == "Unable to temporarily deliver this email."


def test_a_spam_notification_is_a_content_refusal_not_a_complaint(client: Client) -> None:
    post(
        client,
        bounce(
            ID=692560174,
            Type="SpamNotification",
            TypeCode=512,
            Name="Spam notification",
            Email="reader@example.net",
            Details="",
            Description="The message was delivered, but was either blocked by the user, or "
            "classified as spam, bulk mail, or had rejected content.",
        ),
    )

    event = BounceEvent.objects.select_related("address").get()
    assert (event.bounce_type, event.reason) == ("soft", "spam_filtered")
    assert event.rule == "esp:Bounce/SpamNotification"
    assert not event.address.suppressions.exists()


def test_a_spam_complaint_is_recorded(client: Client) -> None:
    post(
        client,
        bounce(
            RecordType="SpamComplaint",
            ID=692560173,
            Type="SpamComplaint",
            TypeCode=512,
            Name="Spam complaint",
            Email="reader@example.net",
            Details="Test spam complaint details",
            Description="The subscriber explicitly marked this message as spam.",
            Metadata={},
        ),
    )

    event = BounceEvent.objects.select_related("address").get()
    assert event.address.address == "reader@example.net"
    assert (event.bounce_type, event.reason) == ("complaint", "complaint")
    assert event.rule == "esp:complaint:SpamComplaint/SpamComplaint"
    assert event.dedupe_key == "692560173:reader@example.net"
    assert (event.school, event.stream) == (None, "")


@pytest.mark.parametrize(
    "payload",
    [
        bounce(Type="Transient", TypeCode=2, Details="smtp;421 4.4.2 Connection timed out"),
        bounce(Type="AutoResponder", TypeCode=32, Details="Out of office until Monday"),
        {
            "RecordType": "Delivery",
            "ServerID": 23,
            "MessageStream": "outbound",
            "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
            "Recipient": "john@example.com",
            "Tag": "",
            "DeliveredAt": "2024-03-04T12:34:56Z",
            "Details": "Test delivery webhook details",
            "Metadata": {},
        },
        {
            # Postmark echoes the hard bounce above as a suppression change: already recorded.
            "RecordType": "SubscriptionChange",
            "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
            "ServerID": 23,
            "MessageStream": "outbound",
            "ChangedAt": "2024-03-04T12:34:57Z",
            "Recipient": "john@example.com",
            "Origin": "Recipient",
            "SuppressSending": True,
            "SuppressionReason": "HardBounce",
            "Tag": "",
            "Metadata": {},
        },
    ],
    ids=["transient", "autoresponder", "delivery", "subscription-change"],
)
def test_events_that_are_not_bounces_record_nothing(
    client: Client, payload: dict[str, Any]
) -> None:
    response = post(client, payload)

    assert response.status_code == 200
    assert not BounceEvent.objects.exists()


def test_a_retried_bounce_records_once(client: Client) -> None:
    post(client, bounce())
    post(client, bounce())

    assert BounceEvent.objects.count() == 1


@pytest.mark.parametrize("auth", [None, basic_auth("kwiga-esp:wrong")])
def test_a_request_without_the_secret_records_nothing(client: Client, auth: str | None) -> None:
    response = post(client, bounce(), auth=auth)

    assert response.status_code == 400
    assert not BounceEvent.objects.exists()


def test_without_a_configured_secret_every_request_is_refused(client: Client, settings) -> None:
    settings.ANYMAIL = {}

    response = post(client, bounce(), auth=None)

    assert response.status_code == 400
    assert not BounceEvent.objects.exists()
