from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from suppression.models import BounceEvent

from .conftest import basic_auth, post_json

URL = "/webhooks/amazon_ses/tracking/"
pytestmark = pytest.mark.django_db

MAIL = {
    "timestamp": "2024-03-04T12:34:50.000Z",
    "source": "Demo School <noreply@mail.kwiga.com>",
    "sourceArn": "arn:aws:ses:eu-west-1:111122223333:identity/mail.kwiga.com",
    "sendingAccountId": "111122223333",
    "messageId": "0102018e0a8c6f2e-7c2b1a4e-6d0f-4b4c-9a53-2f1e0c9d8b7a-000000",
    "destination": ["Jane.Doe@Example.COM", "full@example.org"],
    "headersTruncated": False,
    "headers": [
        {"name": "From", "value": "Demo School <noreply@mail.kwiga.com>"},
        {"name": "To", "value": "Jane.Doe@Example.COM, full@example.org"},
        {"name": "Subject", "value": "Spring sale"},
        {"name": "Message-ID", "value": "<campaign-42@mail.kwiga.com>"},
        {"name": "X-Kwiga-School", "value": "demo-school"},
        {"name": "X-Kwiga-Stream", "value": "campaign"},
    ],
    "commonHeaders": {
        "from": ["Demo School <noreply@mail.kwiga.com>"],
        "to": ["Jane.Doe@Example.COM", "full@example.org"],
        "messageId": "<campaign-42@mail.kwiga.com>",
        "subject": "Spring sale",
    },
    "tags": {"ses:configuration-set": ["kwiga-tracking"]},
}

BOUNCE = {
    "eventType": "Bounce",
    "bounce": {
        "feedbackId": "0102018e0a8c7b3a-5f3d2c1b-0a9e-4d8c-b7a6-1e2f3a4b5c6d-000000",
        # SES files this under Transient although the servers' codes are permanent for one.
        "bounceType": "Transient",
        "bounceSubType": "General",
        "bouncedRecipients": [
            {
                "emailAddress": "Jane.Doe@Example.COM",
                "action": "failed",
                "status": "5.1.1",
                "diagnosticCode": "smtp; 550 5.1.1 <jane.doe@example.com>: Recipient address "
                "rejected: User unknown in virtual mailbox table",
            },
            {
                "emailAddress": "full@example.org",
                "action": "failed",
                "status": "4.2.2",
                "diagnosticCode": "smtp; 452 4.2.2 The email account that you tried to reach "
                "is over quota.",
            },
        ],
        "timestamp": "2024-03-04T12:34:56.789Z",
        "reportingMTA": "dns; a7-12.smtp-out.eu-west-1.amazonses.com",
        "remoteMtaIp": "203.0.113.25",
    },
    "mail": MAIL,
}

COMPLAINT = {
    "notificationType": "Complaint",
    "complaint": {
        "feedbackId": "0102018e0a9d1c2b-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-000000",
        "complaintSubType": None,
        "complainedRecipients": [{"emailAddress": "reader@example.net"}],
        "timestamp": "2024-03-04T13:00:01.000Z",
        "userAgent": "Yahoo!-Mail-Feedback/2.0",
        "complaintFeedbackType": "abuse",
        "arrivalDate": "2024-03-04T12:59:00.000Z",
    },
    "mail": {**MAIL, "destination": ["reader@example.net"]},
}

DELIVERY = {
    "eventType": "Delivery",
    "mail": MAIL,
    "delivery": {
        "timestamp": "2024-03-04T12:34:52.000Z",
        "processingTimeMillis": 1234,
        "recipients": ["ok@example.com"],
        "smtpResponse": "250 2.0.0 OK 1709555692 d2-20020a05",
        "reportingMTA": "a7-12.smtp-out.eu-west-1.amazonses.com",
    },
}


def sns(message: dict[str, Any], message_id: str) -> dict[str, Any]:
    return {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": "arn:aws:sns:eu-west-1:111122223333:kwiga-ses-events",
        "Subject": "Amazon SES Email Event Notification",
        "Message": json.dumps(message),
        "Timestamp": "2024-03-04T12:34:57.123Z",
        "SignatureVersion": "1",
        "Signature": "dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ==",
        "SigningCertURL": "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem",
        "UnsubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&x=1",
    }


def post_sns(client: Client, body: dict[str, Any], *, auth: str | None = basic_auth()) -> Any:
    return post_json(
        client,
        URL,
        body,
        auth=auth,
        x_amz_sns_message_type=body["Type"],
        x_amz_sns_message_id=body["MessageId"],
    )


def test_a_bounce_records_each_recipient_with_its_own_code_over_the_label(
    client: Client, school
) -> None:
    response = post_sns(client, sns(BOUNCE, "5b1e2f3a-0001-5e6f-8a9b-0c1d2e3f4a5b"))

    assert response.status_code == 200
    soft, hard = BounceEvent.objects.select_related("address").order_by("address__address")
    assert hard.address.address == "jane.doe@example.com"
    assert hard.source == "amazon_ses"
    assert hard.dedupe_key == (
        "0102018e0a8c7b3a-5f3d2c1b-0a9e-4d8c-b7a6-1e2f3a4b5c6d-000000:jane.doe@example.com"
    )
    assert hard.occurred_at == datetime(2024, 3, 4, 12, 34, 56, 789000, tzinfo=UTC)
    assert (hard.bounce_type, hard.reason) == ("hard", "mailbox_unknown")
    assert (hard.status, hard.smtp_code, hard.rule) == ("5.1.1", "550", "status:5.1.1")
    assert hard.diagnostic == (
        "550 5.1.1 <jane.doe@example.com>: Recipient address rejected: User unknown in "
        "virtual mailbox table"
    )
    assert hard.remote_mta == "203.0.113.25"
    assert (hard.school, hard.stream) == (school, "campaign")
    assert hard.message_id == "campaign-42@mail.kwiga.com"
    assert hard.suppression is not None

    assert soft.address.address == "full@example.org"
    assert (soft.bounce_type, soft.reason) == ("soft", "mailbox_full")
    assert (soft.status, soft.smtp_code, soft.rule) == ("4.2.2", "452", "status:4.2.2")
    assert soft.diagnostic == "452 4.2.2 The email account that you tried to reach is over quota."
    assert soft.suppression is None


def test_sns_retries_and_a_second_topic_record_the_bounce_once(client: Client) -> None:
    post_sns(client, sns(BOUNCE, "5b1e2f3a-0001-5e6f-8a9b-0c1d2e3f4a5b"))
    post_sns(client, sns(BOUNCE, "5b1e2f3a-0001-5e6f-8a9b-0c1d2e3f4a5b"))
    post_sns(client, sns(BOUNCE, "9c8d7e6f-0002-5e6f-8a9b-0c1d2e3f4a5b"))

    assert BounceEvent.objects.count() == 2


def test_a_permanent_bounce_without_codes_takes_the_reason_from_the_subtype(
    client: Client,
) -> None:
    bounce = {
        **BOUNCE,
        "bounce": {
            **BOUNCE["bounce"],
            "bounceType": "Permanent",
            "bounceSubType": "NoEmail",
            "bouncedRecipients": [{"emailAddress": "gone@example.com"}],
        },
    }

    post_sns(client, sns(bounce, "7a6b5c4d-0003-5e6f-8a9b-0c1d2e3f4a5b"))

    event = BounceEvent.objects.get()
    assert (event.bounce_type, event.reason, event.rule) == (
        "hard",
        "mailbox_unknown",
        "esp:Permanent/NoEmail",
    )
    # Nothing from the server: the provider's own words, so that support sees something.
    assert (event.status, event.smtp_code, event.diagnostic) == ("", "", "Permanent: NoEmail")


def test_a_complaint_is_recorded_as_a_complaint(client: Client, school) -> None:
    post_sns(client, sns(COMPLAINT, "1f2e3d4c-0004-5e6f-8a9b-0c1d2e3f4a5b"))

    event = BounceEvent.objects.select_related("address").get()
    assert event.address.address == "reader@example.net"
    assert (event.source, event.bounce_type, event.reason) == (
        "amazon_ses",
        "complaint",
        "complaint",
    )
    assert event.rule == "esp:complaint:abuse"
    assert event.diagnostic == "abuse (Yahoo!-Mail-Feedback/2.0)"
    assert event.dedupe_key == (
        "0102018e0a9d1c2b-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-000000:reader@example.net"
    )
    assert event.occurred_at == datetime(2024, 3, 4, 13, 0, 1, tzinfo=UTC)
    assert (event.status, event.smtp_code, event.remote_mta) == ("", "", "")
    assert (event.school, event.stream) == (school, "campaign")
    assert event.suppression is not None and event.suppression.trigger == "complaint"


def test_a_delivery_records_nothing(client: Client) -> None:
    response = post_sns(client, sns(DELIVERY, "2a3b4c5d-0005-5e6f-8a9b-0c1d2e3f4a5b"))

    assert response.status_code == 200
    assert not BounceEvent.objects.exists()


@pytest.mark.parametrize(
    ("auth", "status"),
    [(None, 401), (basic_auth("kwiga-esp:wrong"), 400), (basic_auth("someone:else"), 400)],
)
def test_a_request_without_the_secret_records_nothing(
    client: Client, auth: str | None, status: int
) -> None:
    response = post_sns(client, sns(BOUNCE, "3c4d5e6f-0006-5e6f-8a9b-0c1d2e3f4a5b"), auth=auth)

    assert response.status_code == status
    assert not BounceEvent.objects.exists()


def test_headers_that_do_not_match_the_body_are_refused(client: Client) -> None:
    body = sns(BOUNCE, "4d5e6f7a-0007-5e6f-8a9b-0c1d2e3f4a5b")

    response = post_json(
        client,
        URL,
        body,
        auth=basic_auth(),
        x_amz_sns_message_type="Notification",
        x_amz_sns_message_id="forged",
    )

    assert response.status_code == 400
    assert not BounceEvent.objects.exists()
