"""Bodies and values no provider sends: a clear 400, or the event recorded with the bad part cut."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client

from suppression.models import BounceEvent, School
from suppression.textsafety import CUT_MARK

from .conftest import basic_auth
from .test_amazon_ses import BOUNCE, sns
from .test_postmark import bounce as postmark_bounce

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailNotSupportedWarning"),
]

ESPS = ["amazon_ses", "brevo", "mailgun", "postmark", "sendgrid"]
RLO = "\u202e"


def post_raw(client: Client, esp: str, body: bytes) -> Any:
    return client.post(
        f"/webhooks/{esp}/tracking/",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth(),
        HTTP_X_AMZ_SNS_MESSAGE_TYPE="Notification",
        HTTP_X_AMZ_SNS_MESSAGE_ID="sns-1",
    )


@pytest.mark.parametrize("esp", ESPS)
@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"event": "bounce", ', b"The body is not valid JSON"),
        (b"", b"The body is not valid JSON"),
        (b"\xff\xfe{}", b"The body is not UTF-8 text"),
    ],
)
def test_a_malformed_body_is_a_clear_400_and_records_nothing(
    client: Client, esp: str, body: bytes, says: bytes
) -> None:
    response = post_raw(client, esp, body)

    assert response.status_code == 400
    assert response.content.startswith(says)
    assert BounceEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("esp", "body", "says"),
    [
        ("amazon_ses", b"[]", b"The body must be an object of Amazon SES event data, not list."),
        ("brevo", b'"bounce"', b"The body must be an object of Brevo event data, not str."),
        ("mailgun", b"[1, 2]", b"The body must be an object of Mailgun event data, not list."),
        ("postmark", b"42", b"The body must be an object of Postmark event data, not int."),
        ("postmark", b"null", b"The body must be an object of Postmark event data, not NoneType."),
        ("sendgrid", b"{}", b"The body must be an array of SendGrid event data, not dict."),
        ("sendgrid", b'["bounce"]', b"Every item of the SendGrid array must be a JSON object."),
        ("mailgun", b'{"signature": "x"}', b'The body has no Mailgun "signature" object.'),
    ],
)
def test_a_body_of_the_wrong_shape_is_a_clear_400(
    client: Client, esp: str, body: bytes, says: bytes
) -> None:
    response = post_raw(client, esp, body)

    assert response.status_code == 400
    assert response.content == says
    assert BounceEvent.objects.count() == 0


@pytest.mark.parametrize("message", ["{not json", "[1, 2]"])
def test_an_sns_notification_whose_message_is_not_an_ses_event_is_a_400(
    client: Client, message: str
) -> None:
    body = {**sns(BOUNCE, "sns-1"), "Message": message}

    response = post_raw(client, "amazon_ses", json.dumps(body).encode())

    assert response.status_code == 400
    assert response.content.startswith(b"The SNS Message")


@pytest.mark.parametrize("esp", ESPS)
def test_a_malformed_body_without_credentials_is_refused_before_it_is_read(
    client: Client, esp: str
) -> None:
    response = client.post(
        f"/webhooks/{esp}/tracking/",
        data=b"{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth("intruder:guess"),
    )

    assert response.status_code == 400
    assert b"JSON" not in response.content


def post_postmark(client: Client, **changes: Any) -> Any:
    body = postmark_bounce(**changes)
    return post_raw(client, "postmark", json.dumps(body).encode())


HUGE = "x" * 100_000


def test_a_100_kb_message_id_is_cut_with_a_mark_and_the_rest_kept(
    client: Client, school: School
) -> None:
    assert post_postmark(client, MessageID=HUGE).status_code == 200

    event = BounceEvent.objects.get()
    assert event.message_id == "x" * (998 - len(CUT_MARK)) + CUT_MARK
    assert event.school == school
    assert event.diagnostic.startswith("550 5.1.1 The email account")


def test_a_100_kb_diagnostic_is_cut_with_a_mark_and_the_rest_kept(
    client: Client, school: School
) -> None:
    assert post_postmark(client, Details=f"smtp;550 5.1.1 {HUGE}").status_code == 200

    event = BounceEvent.objects.get()
    assert len(event.diagnostic) == 10_000
    assert event.diagnostic.startswith("550 5.1.1 xxx")
    assert event.diagnostic.endswith(CUT_MARK)
    assert event.school == school
    assert event.message_id == "883953f4-6105-42a2-a16a-77a8eac79483"


def test_a_100_kb_school_names_no_school_says_so_and_keeps_the_rest(
    client: Client, school: School, caplog: pytest.LogCaptureFixture
) -> None:
    metadata = {"kwiga_school": "demo-school" + HUGE, "kwiga_stream": "automation"}

    with caplog.at_level(logging.WARNING, logger="suppression.webhooks.receivers"):
        assert post_postmark(client, Metadata=metadata).status_code == 200

    event = BounceEvent.objects.get()
    assert (event.school, event.stream) == (None, "automation")
    assert event.message_id == "883953f4-6105-42a2-a16a-77a8eac79483"
    assert event.diagnostic.startswith("550 5.1.1 The email account")
    assert "names no known school: demo-schoolxxx" in caplog.text
    assert len(caplog.text) < 1000


def test_nul_and_lone_surrogates_are_cleaned_and_the_event_recorded(
    client: Client, school: School
) -> None:
    body = postmark_bounce(
        MessageID="id-\ud800-1\x00",
        Details=f"smtp;550 5.1.1 gone\x00 {RLO}resu\udfff",
        Metadata={"kwiga_school": "demo-\x00school", "kwiga_stream": "automation\x00"},
    )

    response = post_raw(client, "postmark", json.dumps(body).encode())

    assert response.status_code == 200
    event = BounceEvent.objects.get()
    assert event.message_id == "id-\ufffd-1"
    # As the server wrote it, minus what no column can hold; shown visibly, not changed.
    assert event.diagnostic == f"550 5.1.1 gone {RLO}resu\ufffd"
    assert (event.school, event.stream) == (school, "automation")
