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


def _postmark_bounce(
    kind: str, details: str = "", event_type: str = EventType.BOUNCED
) -> AnymailTrackingEvent:
    return tracking(
        event_type=event_type,
        esp_event={"RecordType": "Bounce", "Type": kind, "Details": details},
    )


def test_a_postmark_spam_notification_is_a_content_refusal_not_a_complaint() -> None:
    # The receiving server's filter refused the message; Postmark does not deactivate on it.
    # anymail normalizes it to "complained"; Postmark documents it as the filter's refusal.
    event = _postmark_bounce("SpamNotification", event_type=EventType.COMPLAINED)
    mapped = esp_bounce(event, "Postmark")

    assert isinstance(mapped, EspBounce)
    assert (mapped.reason, mapped.rule) == ("spam_filtered", "esp:Bounce/SpamNotification")


def test_a_failure_without_diagnostic_or_subtype_is_unknown_typed_by_its_class() -> None:
    from suppression.taxonomy import bounce_type_for

    ses = tracking(
        event_type=EventType.BOUNCED,
        esp_event={
            "bounce": {
                "bounceType": "Permanent",
                "bounceSubType": "General",
                "bouncedRecipients": [{"emailAddress": "someone@example.com", "status": "5.0.0"}],
            }
        },
    )
    postmark = _postmark_bounce("HardBounce")
    brevo = tracking(event_type=EventType.BOUNCED, esp_event={"event": "hard_bounce"})

    for event, esp in ((ses, "Amazon SES"), (postmark, "Postmark"), (brevo, "Brevo")):
        mapped = esp_bounce(event, esp)
        assert isinstance(mapped, EspBounce)
        assert mapped.reason == "unknown", esp
    mapped = esp_bounce(ses, "Amazon SES")
    assert isinstance(mapped, EspBounce)
    assert bounce_type_for(mapped.reason, mapped.status, mapped.smtp_code) == "hard"
    mapped = esp_bounce(postmark, "Postmark")
    assert isinstance(mapped, EspBounce)
    # No status at all: a guess must not suppress the address.
    assert bounce_type_for(mapped.reason, mapped.status, mapped.smtp_code) == "soft"


def test_a_providers_no_mx_soft_bounce_is_a_dns_problem() -> None:
    postmark = _postmark_bounce("SoftBounce", "No MX for example.com")
    mailgun = tracking(
        event_type=EventType.BOUNCED,
        esp_event={
            "event-data": {
                "event": "failed",
                "severity": "temporary",
                "reason": "generic",
                "delivery-status": {"message": "No MX for example.com"},
            }
        },
    )

    brevo = tracking(
        event_type=EventType.BOUNCED,
        esp_event={"event": "soft_bounce", "reason": "Unable to find MX of domain example.com"},
    )

    for event, esp in ((postmark, "Postmark"), (mailgun, "Mailgun"), (brevo, "Brevo")):
        mapped = esp_bounce(event, esp)
        assert isinstance(mapped, EspBounce)
        assert mapped.reason == "dns_error", (esp, mapped.rule)


def test_reputation_and_volume_labels_blame_the_platform_not_the_address() -> None:
    for classification in ("Reputation", "Frequency or Volume"):
        event = tracking(
            event_type=EventType.BOUNCED,
            esp_event={"event": "bounce", "bounce_classification": classification},
        )
        mapped = esp_bounce(event, "SendGrid")
        assert isinstance(mapped, EspBounce)
        assert mapped.reason == "sender_reputation", classification
    mapped = esp_bounce(_postmark_bounce("DMARCPolicy"), "Postmark")
    assert isinstance(mapped, EspBounce)
    assert mapped.reason == "sender_reputation"


def test_the_servers_words_draw_the_line_between_reputation_and_a_blocked_sender() -> None:
    listed = _postmark_bounce(
        "HardBounce", "smtp;554 5.7.1 Client host [192.0.2.10] blocked using zen.spamhaus.org"
    )
    personal = _postmark_bounce(
        "HardBounce", "smtp;550 5.7.1 The recipient has blocked messages from this sender"
    )

    by_listing = esp_bounce(listed, "Postmark")
    by_recipient = esp_bounce(personal, "Postmark")

    assert isinstance(by_listing, EspBounce) and isinstance(by_recipient, EspBounce)
    assert by_listing.reason == "sender_reputation"
    assert by_recipient.reason == "sender_blocked"
