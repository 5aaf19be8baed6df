"""Liveness: every way in notes when it last delivered, cheaply; support hears of a silence once."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from suppression.models import LivenessSource, SourceLiveness
from suppression.selectors import source_liveness
from suppression.services.api_clients import api_client_create
from suppression.services.liveness import forget_writes, silent_sources_alarm, source_delivered

from .api.conftest import ApiCaller
from .ingest.messages import kwiga_dsn
from .webhooks.conftest import basic_auth, post_json

pytestmark = pytest.mark.django_db

SUPPORT = "support@kwiga.example"


@pytest.fixture(autouse=True)
def _fresh_process(settings) -> Iterator[None]:
    settings.SUPPRESSION = {
        **settings.SUPPRESSION,
        "SUPPORT_EMAIL": SUPPORT,
        "LIVENESS_WRITE_SECONDS": 60,
        "LIVENESS_SILENCE_MINUTES": 120,
    }
    forget_writes()
    yield
    forget_writes()


def last(source: str) -> object:
    row = SourceLiveness.objects.filter(source=source).first()
    return row.last_delivered_at if row else None


def test_a_source_writes_at_most_once_per_interval_not_per_event(
    django_assert_num_queries,
) -> None:
    start = timezone.now()
    assert source_delivered("lmtp", now=start) is True

    # The same process within the interval: not even a query.
    with django_assert_num_queries(0):
        for second in range(1, 60):
            assert source_delivered("lmtp", now=start + timedelta(seconds=second)) is False
    # Another process (the pipe: one per message) within the interval: it asks, writes nothing.
    forget_writes()
    assert source_delivered("lmtp", now=start + timedelta(seconds=30)) is False
    assert last("lmtp") == start

    later = start + timedelta(seconds=61)
    assert source_delivered("lmtp", now=later) is True
    assert last("lmtp") == later
    assert SourceLiveness.objects.count() == 1


def test_each_way_in_notes_its_delivery(client: Client, monkeypatch, settings) -> None:
    settings.ANYMAIL = {"WEBHOOK_SECRET": "kwiga-esp:Tr0ub4dor&3"}
    # An ESP webhook, even for an event that is not a bounce.
    delivered = {"event": "delivered", "email": "a@example.com", "id": 1, "ts_event": 1709555696}
    response = post_json(client, "/webhooks/brevo/tracking/", delivered, auth=basic_auth())
    assert response.status_code == 200
    # The platform's API.
    issued = api_client_create(name="mta", scopes=["ingest"], actor=None)
    api = ApiCaller(Client(), issued.token)
    event = {"event_id": "e1", "address": "ann@example.com", "occurred_at": "2025-05-01T10:00:00Z"}
    assert api.post("/bounces", {"events": [event | {"status": "5.1.1"}]}).status_code == 200
    # The MTA pipe: one message on stdin.
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(kwiga_dsn())))
    call_command("ingest_bounces", "-", stdout=io.StringIO())
    # Files ingested by hand are not a way in that can fall silent.
    forget_writes()

    assert set(SourceLiveness.objects.values_list("source", flat=True)) == {
        "brevo",
        "api",
        "pipe",
    }


def test_support_is_mailed_once_per_silence() -> None:
    now = timezone.now()
    source_delivered("postmark", now=now - timedelta(hours=3))
    source_delivered("lmtp", now=now - timedelta(minutes=5))

    first = silent_sources_alarm(now=now)
    second = silent_sources_alarm(now=now + timedelta(hours=1))

    assert [row.source for row in first] == ["postmark"]
    assert second == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [SUPPORT]
    assert mail.outbox[0].subject == "Bounces stopped arriving: Postmark webhook"
    assert "3.0 hours ago" in mail.outbox[0].body

    # It delivers again, then falls silent again: a new silence, a new mail.
    forget_writes()
    source_delivered("postmark", now=now + timedelta(hours=2))
    assert SourceLiveness.objects.get(source="postmark").alarmed_at is None
    # (The LMTP server fell silent meanwhile too: its first alarm.)
    assert [row.source for row in silent_sources_alarm(now=now + timedelta(hours=3))] == ["lmtp"]
    assert [row.source for row in silent_sources_alarm(now=now + timedelta(hours=5))] == [
        "postmark"
    ]
    assert len(mail.outbox) == 3


def test_a_source_that_never_delivered_raises_no_alarm_and_a_failed_mail_is_retried(
    settings,
) -> None:
    settings.EMAIL_BACKEND = "tests.test_liveness.RefusingBackend"
    source_delivered("sendgrid", now=timezone.now() - timedelta(days=2))

    with pytest.raises(ConnectionRefusedError):
        silent_sources_alarm()
    assert SourceLiveness.objects.get(source="sendgrid").alarmed_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("check_liveness", stdout=(out := io.StringIO()))
    assert out.getvalue() == f"Mailed {SUPPORT} about: SendGrid webhook\n"
    assert [m.subject for m in mail.outbox] == ["Bounces stopped arriving: SendGrid webhook"]


class RefusingBackend:
    def __init__(self, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: object) -> int:
        raise ConnectionRefusedError("the mail server is down")


def test_the_selector_puts_silent_sources_first_and_lists_every_source() -> None:
    now = timezone.now()
    source_delivered("mailgun", now=now - timedelta(hours=5))
    source_delivered("lmtp", now=now - timedelta(minutes=1))

    rows = source_liveness(now=now)

    assert [(r.source, r.silent) for r in rows[:2]] == [("mailgun", True), ("lmtp", False)]
    assert {r.source for r in rows} == set(LivenessSource.values)
    assert all(r.last_delivered_at is None for r in rows[2:])


def test_the_console_page_shows_each_source_and_marks_the_silent(client: Client, agent) -> None:
    now = timezone.now()
    source_delivered("amazon_ses", now=now - timedelta(hours=7))
    source_delivered("lmtp", now=now - timedelta(minutes=2))
    client.force_login(agent)

    response = client.get("/admin/suppression/sourceliveness/")

    assert response.status_code == 200
    page = response.content.decode()
    rows = page.split('<tr class="liveness-')[1:]
    assert rows[0].startswith('silent">') and "Amazon SES webhook" in rows[0]
    assert "7\xa0hours ago" in rows[0]
    assert rows[1].startswith('live">') and "LMTP server" in rows[1]
    assert sum(row.startswith('never">') for row in rows) == len(LivenessSource) - 2
    # The other pages of a model admin do not exist: the rows are nobody's to edit.
    assert client.get("/admin/suppression/sourceliveness/1/change/").status_code == 404
