"""Decisions on normalized events that the per-provider posts do not reach; no database."""

from __future__ import annotations

from typing import Any

from anymail.signals import AnymailTrackingEvent, EventType, RejectReason

from suppression.webhooks.mapping import EspBounce, Ignored, esp_bounce


def tracking(**kwargs: Any) -> AnymailTrackingEvent:
    kwargs.setdefault("event_id", "evt-1")
    kwargs.setdefault("recipient", "someone@example.com")
    kwargs.setdefault("esp_event", {})
    return AnymailTrackingEvent(**kwargs)


def test_an_ses_reject_is_about_the_content_so_it_is_soft() -> None:
    event = tracking(
        event_type=EventType.REJECTED,
        reject_reason=RejectReason.BLOCKED,
        description="Bad content",
        esp_event={"eventType": "Reject", "reject": {"reason": "Bad content"}, "mail": {}},
    )

    mapped = esp_bounce(event, "Amazon SES")

    assert isinstance(mapped, EspBounce)
    assert (mapped.source, mapped.reason, mapped.rule) == (
        "amazon_ses",
        "spam_filtered",
        "esp:Reject",
    )


def test_an_ses_bounce_for_an_unsubscribed_recipient_is_not_a_bounce() -> None:
    event = tracking(
        event_type=EventType.BOUNCED,
        esp_event={
            "bounce": {
                "bounceType": "Permanent",
                "bounceSubType": "UnsubscribedRecipient",
                "bouncedRecipients": [{"emailAddress": "someone@example.com"}],
            }
        },
    )

    assert isinstance(esp_bounce(event, "Amazon SES"), Ignored)


def test_a_not_spam_report_is_not_a_complaint() -> None:
    event = tracking(
        event_type=EventType.COMPLAINED,
        esp_event={"complaint": {"complaintFeedbackType": "not-spam"}},
    )

    assert isinstance(esp_bounce(event, "Amazon SES"), Ignored)


def test_a_rejection_that_says_nothing_about_the_recipient_is_not_recorded() -> None:
    event = tracking(
        event_type=EventType.REJECTED,
        reject_reason=RejectReason.OTHER,
        description="Sandbox subdomains are for test purposes only",
        esp_event={"event-data": {"event": "rejected", "reject": {"reason": "sandbox"}}},
    )

    assert isinstance(esp_bounce(event, "Mailgun"), Ignored)


def test_another_esp_is_recorded_as_esp_with_its_name_in_the_key() -> None:
    event = tracking(
        event_type=EventType.BOUNCED,
        mta_response="550 5.1.1 <someone@example.com>: user unknown",
        esp_event={"type": "bounce"},
    )

    mapped = esp_bounce(event, "SparkPost")

    assert isinstance(mapped, EspBounce)
    assert (mapped.source, mapped.dedupe_key) == ("esp", "SparkPost:evt-1:someone@example.com")
    assert (mapped.reason, mapped.status, mapped.smtp_code) == ("mailbox_unknown", "5.1.1", "550")


def test_a_very_long_event_id_is_hashed_into_the_key() -> None:
    event = tracking(event_type=EventType.COMPLAINED, event_id="x" * 300)

    mapped = esp_bounce(event, "Postmark")

    assert isinstance(mapped, EspBounce)
    assert mapped.dedupe_key.startswith("sha256:") and len(mapped.dedupe_key) == 71


def test_an_event_without_recipient_is_not_recorded() -> None:
    event = tracking(event_type=EventType.BOUNCED, recipient=None)

    assert isinstance(esp_bounce(event, "Brevo"), Ignored)
