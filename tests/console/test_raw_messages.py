"""Point 3: the raw bounce message behind a DSN event, stored compressed and once, then purged."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from suppression.models import BounceEvent, BounceEventMessage, RawBounceMessage
from suppression.services.ingest import message_ingest
from suppression.services.raw_messages import raw_message_bytes, raw_messages_purge
from tests.factories import bounce
from tests.ingest.messages import kwiga_dsn, sample

pytestmark = pytest.mark.django_db


def test_a_message_naming_two_recipients_is_stored_once_compressed() -> None:
    raw = sample("sendmail-two-recipients.eml")
    report = message_ingest(raw=raw, origin="test")
    assert len(report.recorded) == 2
    stored = RawBounceMessage.objects.get()
    assert raw_message_bytes(stored) == raw
    assert stored.size == len(raw) and len(bytes(stored.compressed)) < len(raw)
    assert BounceEventMessage.objects.filter(message=stored).count() == 2

    message_ingest(raw=raw, origin="again")  # the same message again: nothing new
    assert RawBounceMessage.objects.count() == 1
    assert BounceEventMessage.objects.count() == 2


def test_the_raw_message_is_shown_from_the_event(client, agent) -> None:
    message_ingest(raw=kwiga_dsn(), origin="test")
    event = BounceEvent.objects.get()
    client.force_login(agent)
    case = client.get(reverse("admin:suppression_emailaddress_change", args=[event.address_id]))
    raw_url = reverse("admin:suppression_bounceevent_raw", args=[event.pk])
    assert f'href="{raw_url}"'.encode() in case.content
    page = client.get(raw_url)
    assert page.status_code == 200
    assert b"Reporting-MTA: dns; mx1.kwiga.com" in page.content
    assert b"X-Kwiga-School: demo-school" in page.content


def test_an_api_event_has_no_raw_message_and_says_so(client, agent) -> None:
    event = bounce("api@example.com").event
    client.force_login(agent)
    case = client.get(reverse("admin:suppression_emailaddress_change", args=[event.address_id]))
    assert b"Raw message" not in case.content
    page = client.get(reverse("admin:suppression_bounceevent_raw", args=[event.pk]))
    assert b"No stored message for this event" in page.content


def test_purge_removes_old_messages_and_keeps_the_events(settings) -> None:
    message_ingest(raw=kwiga_dsn(recipient="old@example.com"), origin="old")
    message_ingest(
        raw=kwiga_dsn(recipient="new@example.com", message_id="<new@kwiga.com>"), origin="new"
    )
    old = RawBounceMessage.objects.get(event_links__event__address__address="old@example.com")
    RawBounceMessage.objects.filter(pk=old.pk).update(
        received_at=timezone.now() - timedelta(days=91)
    )
    out = StringIO()
    call_command("purge_raw_messages", stdout=out)
    assert "Deleted 1 raw bounce message(s) older than 90 days." in out.getvalue()
    assert list(
        RawBounceMessage.objects.values_list("event_links__event__address__address", flat=True)
    ) == ["new@example.com"]
    assert BounceEvent.objects.count() == 2  # the events are history: they stay

    settings.SUPPRESSION = {**settings.SUPPRESSION, "RAW_MESSAGE_RETENTION_DAYS": 1}
    assert raw_messages_purge(now=timezone.now() + timedelta(days=2)) == 1
    assert not RawBounceMessage.objects.exists() and BounceEvent.objects.count() == 2


def test_the_demo_shows_raw_messages_for_its_bounce_messages(client, agent) -> None:
    from suppression.demo import seed_demo

    seed_demo(addresses=12)
    event = BounceEvent.objects.filter(
        address__address="olena.kovalenko@gmail.com", source="dsn"
    ).first()
    assert event is not None and BounceEventMessage.objects.filter(event=event).exists()
    client.force_login(agent)
    page = client.get(reverse("admin:suppression_bounceevent_raw", args=[event.pk]))
    assert b"Final-Recipient: rfc822; olena.kovalenko@gmail.com" in page.content
