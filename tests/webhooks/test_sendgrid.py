from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from suppression.models import BounceEvent

from .conftest import basic_auth, post_json

URL = "/webhooks/sendgrid/tracking/"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailNotSupportedWarning"),
]

COMMON = {
    "timestamp": 1709555696,
    "smtp-id": "<campaign-42.jane@mail.kwiga.com>",
    "category": ["campaign"],
    "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
    "kwiga_school": "demo-school",
    "kwiga_stream": "automation",
}

BATCH = [
    {
        **COMMON,
        "email": "Jane.Doe@example.com",
        "event": "bounce",
        "sg_event_id": "6g4ZI7SA-xmRDv57GoPIPw==",
        # A catch-all status; the server's own reply says more.
        "status": "5.0.0",
        "reason": "550 5.1.1 The email account that you tried to reach does not exist. Please "
        "try double-checking the recipient's email address for typos or unnecessary spaces.",
        "type": "bounce",
        "bounce_classification": "Invalid Address",
        "tls": 1,
        "ip": "198.51.100.7",
    },
    {
        **COMMON,
        "email": "slow@example.org",
        "event": "deferred",
        "sg_event_id": "DEFERRED-1Rk1J7m5sQeOqw==",
        "response": "451 4.7.650 The mail server has been temporarily rate limited.",
        "attempt": "3",
    },
    {
        **COMMON,
        "email": "ok@example.com",
        "event": "delivered",
        "sg_event_id": "DELIVERED-rbtnWrG1DVDGGGFHFyun0A==",
        "response": "250 2.0.0 OK 1709555696 d2-20020a05",
    },
    {
        **COMMON,
        "email": "angry@example.net",
        "event": "spamreport",
        "sg_event_id": "SPAM-QiHhu6v8T1OqmAhxV3Ww8g==",
    },
    {
        **COMMON,
        "email": "old@example.com",
        "event": "dropped",
        "sg_event_id": "DROPPED-BOUNCED-zmzJhfJgAfUSOW80yEbPyw==",
        "reason": "Bounced Address",
        "status": "5.0.0",
    },
    {
        **COMMON,
        "email": "left@example.com",
        "event": "dropped",
        "sg_event_id": "DROPPED-UNSUB-GkA-zA8ZDXtVmXBCbkNgNw==",
        "reason": "Unsubscribed Address",
        "status": "5.0.0",
    },
]


def test_a_batch_records_bounces_complaints_and_drops_and_skips_the_rest(
    client: Client, school
) -> None:
    response = post_json(client, URL, BATCH, auth=basic_auth())

    assert response.status_code == 200
    events = {e.address.address: e for e in BounceEvent.objects.select_related("address")}
    assert sorted(events) == ["angry@example.net", "jane.doe@example.com", "old@example.com"]

    bounce = events["jane.doe@example.com"]
    assert bounce.source == "sendgrid"
    assert bounce.dedupe_key == "6g4ZI7SA-xmRDv57GoPIPw==:jane.doe@example.com"
    assert bounce.occurred_at == datetime(2024, 3, 4, 12, 34, 56, tzinfo=UTC)
    assert (bounce.bounce_type, bounce.reason) == ("hard", "mailbox_unknown")
    assert (bounce.status, bounce.smtp_code, bounce.rule) == ("5.1.1", "550", "status:5.1.1")
    assert bounce.diagnostic == BATCH[0]["reason"]
    assert bounce.remote_mta == ""
    assert (bounce.school, bounce.stream) == (school, "automation")
    assert bounce.message_id == "campaign-42.jane@mail.kwiga.com"

    complaint = events["angry@example.net"]
    assert (complaint.bounce_type, complaint.reason, complaint.rule) == (
        "complaint",
        "complaint",
        "esp:complaint:spamreport",
    )
    assert complaint.dedupe_key == "SPAM-QiHhu6v8T1OqmAhxV3Ww8g==:angry@example.net"
    assert (complaint.status, complaint.smtp_code, complaint.diagnostic) == ("", "", "")

    dropped = events["old@example.com"]
    assert (dropped.bounce_type, dropped.reason, dropped.rule) == (
        "hard",
        "rejected",
        "esp:dropped/Bounced Address",
    )
    assert (dropped.status, dropped.smtp_code, dropped.diagnostic) == (
        "5.0.0",
        "",
        "Bounced Address",
    )


def test_the_servers_temporary_code_outranks_the_providers_blocked_label(
    client: Client,
) -> None:
    event = {
        **COMMON,
        "email": "busy@example.com",
        "event": "bounce",
        "sg_event_id": "BLOCKED-4S5sgcy2Q0ylzXw2fu8Z7A==",
        "status": "4.0.0",
        "reason": "421 4.4.2 mx.example.com Error: timeout exceeded",
        "type": "blocked",
    }

    post_json(client, URL, [event], auth=basic_auth())

    recorded = BounceEvent.objects.get()
    assert (recorded.bounce_type, recorded.reason) == ("soft", "server_unavailable")
    assert (recorded.status, recorded.smtp_code, recorded.rule) == (
        "4.4.2",
        "421",
        "phrase:expired",
    )
    assert recorded.suppression is None


def test_a_retried_batch_records_nothing_new(client: Client) -> None:
    post_json(client, URL, BATCH, auth=basic_auth())
    post_json(client, URL, BATCH, auth=basic_auth())

    assert BounceEvent.objects.count() == 3


@pytest.mark.parametrize("auth", [None, basic_auth("kwiga-esp:wrong")])
def test_a_request_without_the_secret_records_nothing(client: Client, auth: str | None) -> None:
    response = post_json(client, URL, BATCH, auth=auth)

    assert response.status_code == 400
    assert not BounceEvent.objects.exists()
