from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from suppression.models import BounceEvent, EmailAddress, Suppression, UnparsedMessage
from suppression.services.ingest import MessageOutcome, dsn_dedupe_key, message_ingest

from .messages import kwiga_dsn, sample

pytestmark = pytest.mark.django_db


def test_a_kwiga_bounce_records_every_field_and_suppresses_the_address(school) -> None:
    report = message_ingest(raw=kwiga_dsn(), origin="/var/mail/bounces/new/1709555716.eml")

    assert report.outcome is MessageOutcome.RECORDED
    event = BounceEvent.objects.get()
    assert event.address.address == "jane.doe@example.com"
    assert event.source == "dsn"
    assert (
        event.dedupe_key
        == hashlib.sha256(
            b"mid:20240304123450.4711@bounces.kwiga.com\njane.doe@example.com"
        ).hexdigest()
    )
    # No Last-Attempt-Date: the bounce's own Date, not the earlier Arrival-Date of the original.
    assert event.occurred_at == datetime(2024, 3, 4, 12, 35, 16, tzinfo=UTC)
    assert event.bounce_type == "hard"
    assert event.reason == "mailbox_unknown"
    assert event.status == "5.1.1"
    assert event.smtp_code == "550"
    assert event.diagnostic == (
        "550 5.1.1 <jane.doe@example.com>: Recipient address rejected: User unknown"
    )
    assert event.rule == "status:5.1.1"
    assert event.remote_mta == "mx.example.com"
    assert event.stream == "campaign"
    assert event.school == school
    assert event.message_id == "campaign-42.jane@mail.kwiga.com"
    assert event.suppression is not None and event.suppression.is_open
    assert event.suppression.trigger == "hard_bounce"


def test_an_aliased_address_is_recorded_as_failed_and_names_the_alias(school) -> None:
    # The alias may be a list: one member's dead mailbox must not suppress it for all.
    raw = kwiga_dsn(recipient="old.member@example.net", original_recipient="team@school.example")
    report = message_ingest(raw=raw, origin="maildir/cur/2")

    [event] = report.recorded
    assert event.address.address == "old.member@example.net"
    assert event.diagnostic.startswith("(sent to team@school.example) 550 5.1.1")
    assert not EmailAddress.objects.filter(address="team@school.example").exists()


def test_ingesting_the_same_message_again_records_nothing_new(school) -> None:
    first = message_ingest(raw=kwiga_dsn(), origin="maildir/cur/1")
    again = message_ingest(raw=kwiga_dsn(), origin="archive.mbox#7")

    assert len(first.recorded) == 1
    assert again.recorded == [] and again.duplicates == 1
    assert again.outcome is MessageOutcome.DUPLICATE
    assert BounceEvent.objects.count() == 1
    assert Suppression.objects.count() == 1


def test_a_bounce_without_message_id_is_deduplicated_by_its_bytes(school) -> None:
    raw = kwiga_dsn(message_id="", status="4.2.2", reply="452 4.2.2 Mailbox full")

    message_ingest(raw=raw, origin="a")
    message_ingest(raw=raw, origin="a")
    message_ingest(raw=raw.replace(b"12:35:16", b"12:40:00"), origin="another bounce")

    events = BounceEvent.objects.order_by("id")
    assert [e.reason for e in events] == ["mailbox_full", "mailbox_full"]
    assert [e.bounce_type for e in events] == ["soft", "soft"]
    assert events[0].dedupe_key == dsn_dedupe_key(
        raw=raw, bounce_message_id="", recipient="jane.doe@example.com"
    )
    # Two soft bounces stay under the threshold of three.
    assert not Suppression.objects.exists()


def test_unknown_school_and_stream_record_without_them(school) -> None:
    message_ingest(raw=kwiga_dsn(school="closed-school", stream="newsletter"), origin="x")

    event = BounceEvent.objects.get()
    assert event.school is None
    assert event.stream == ""


def test_every_recipient_of_a_multi_recipient_bounce_is_recorded() -> None:
    name = "sendmail-two-recipients.eml"
    report = message_ingest(raw=sample(name), origin=name)

    assert len(report.recorded) == 2
    rows = {
        e.address.address: (e.reason, e.status, e.smtp_code, e.remote_mta, e.rule)
        for e in BounceEvent.objects.select_related("address")
    }
    assert rows == {
        "old.student@college.example": (
            "mailbox_unknown",
            "5.2.1",
            "550",
            "mx.college.example",
            "status:5.2.1",
        ),
        "nobody.here@college.example": (
            "mailbox_unknown",
            "5.1.1",
            "550",
            "mx.college.example",
            "status:5.1.1",
        ),
    }
    event = BounceEvent.objects.first()
    assert event is not None
    # No per-recipient time in this DSN: its Arrival-Date or the bounce's Date, not today.
    arrival = datetime(2026, 11, 19, 7, 13, 58, tzinfo=UTC)
    dated = datetime(2026, 11, 19, 7, 14, 2, tzinfo=UTC)
    assert arrival <= event.occurred_at <= dated
    assert event.message_id == ""


def test_a_feedback_report_records_a_complaint() -> None:
    report = message_ingest(raw=sample("arf-abuse.eml"), origin="arf-abuse.eml")

    assert report.kind == "complaint"
    event = BounceEvent.objects.get()
    assert event.address.address == "marta.reader@mailprovider.example"
    assert (event.reason, event.bounce_type, event.rule) == ("complaint", "complaint", "arf:abuse")
    assert event.suppression is not None and event.suppression.trigger == "complaint"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("vacation.eml", "auto_reply"),
        ("not-a-bounce.eml", "not_a_bounce"),
    ],
)
def test_messages_that_are_not_failures_record_nothing(name: str, kind: str) -> None:
    report = message_ingest(raw=sample(name), origin=name)

    assert report.kind == kind
    assert report.outcome is MessageOutcome.NOT_A_FAILURE
    assert not BounceEvent.objects.exists()
    assert not UnparsedMessage.objects.exists()


def test_a_delay_warning_records_nothing() -> None:
    raw = kwiga_dsn(status="4.4.1", reply="451 4.4.1 timeout").replace(
        b"Action: failed", b"Action: delayed"
    )

    report = message_ingest(raw=raw, origin="delay")

    assert report.kind == "delayed"
    assert not BounceEvent.objects.exists()


def test_an_unparseable_message_is_kept_once_for_inspection() -> None:
    raw = sample("arf-no-recipient.eml")

    first = message_ingest(raw=raw, origin="/srv/bounces/arf-no-recipient.eml")
    again = message_ingest(raw=raw, origin="again")

    assert first.outcome is MessageOutcome.UNPARSEABLE
    assert again.unparsed == first.unparsed
    kept = UnparsedMessage.objects.get()
    assert kept.origin == "/srv/bounces/arf-no-recipient.eml"
    assert kept.sha256 == hashlib.sha256(raw).hexdigest()
    assert kept.size == len(raw)
    assert bytes(kept.raw) == raw
    assert kept.detail == "feedback report names no recipient"
    assert not BounceEvent.objects.exists()


def test_a_message_over_the_size_limit_is_kept_truncated(settings) -> None:
    settings.SUPPRESSION = {**settings.SUPPRESSION, "MAX_MESSAGE_BYTES": 1000}
    raw = kwiga_dsn() + b"x" * 2000

    report = message_ingest(raw=raw, origin="huge.eml")

    assert report.outcome is MessageOutcome.UNPARSEABLE
    kept = UnparsedMessage.objects.get()
    assert kept.size == len(raw)
    assert bytes(kept.raw) == raw[:1000]
    assert kept.sha256 == hashlib.sha256(raw).hexdigest()
    assert "over the 1000-byte limit" in kept.detail
    assert "kept the first 1000" in kept.detail
    assert not BounceEvent.objects.exists()


def test_a_recipient_that_is_not_a_valid_address_is_reported_and_the_message_kept() -> None:
    name = "postfix-invalid-recipient.eml"
    report = message_ingest(raw=sample(name), origin=name)

    assert [item.recipient for item in report.invalid] == ["stu..dent.@mailbox.example"]
    assert "period" in report.invalid[0].why
    assert report.outcome is MessageOutcome.UNPARSEABLE
    kept = UnparsedMessage.objects.get()
    assert kept.detail.startswith("no valid recipient: 'stu..dent.@mailbox.example'")
    assert not EmailAddress.objects.exists()


def test_a_message_without_any_date_is_dated_now() -> None:
    raw = (
        kwiga_dsn()
        .replace(b"Date: Mon,  4 Mar 2024 12:35:16 +0000 (UTC)\n", b"")
        .replace(b"Arrival-Date: Mon,  4 Mar 2024 12:34:50 +0000 (UTC)\n", b"")
    )
    before = timezone.now()

    message_ingest(raw=raw, origin="undated")

    event = BounceEvent.objects.get()
    assert before <= event.occurred_at <= timezone.now()


def test_a_nul_character_in_the_diagnostic_is_dropped_not_fatal() -> None:
    # Its quoted-printable "LinkId=00000000" decodes to a NUL, which PostgreSQL cannot store.
    report = message_ingest(raw=sample("exchange-online-nul.eml"), origin="office365")

    assert len(report.recorded) == 1
    event = BounceEvent.objects.get()
    assert "\x00" not in event.diagnostic
    assert "fwlink/?LinkId000000" in event.diagnostic
