"""The console's incident and resume-batch pages, over HTTP as a browser would use them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from suppression import services
from suppression.models import Incident, ResumeBatch, Source, Suppression
from suppression.services import waves
from suppression.taxonomy import Reason

from ..adminhttp import csrf_client, get_then_post
from ..factories import bounce

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(settings) -> Incident:
    settings.SUPPRESSION = {**settings.SUPPRESSION, "INCIDENT_THRESHOLD": 2}
    for i in range(2):
        services.bounce_record(
            email=f"u{i}@contoso.com",
            source=Source.API,
            dedupe_key=f"adm-{i}",
            occurred_at=timezone.now(),
            reason=Reason.SENDER_REPUTATION,
            status="5.7.1",
            diagnostic="550 5.7.1 <script>alert(1)</script> blocked using zen.spamhaus.org",
            remote_mta="mx.protection.outlook.com",
        )
    return Incident.objects.get()


def test_the_incident_page_shows_domains_and_the_refusals_escaped(agent, incident) -> None:
    client = csrf_client(agent)
    listing = client.get(reverse("admin:suppression_incident_changelist") + "?state=open")
    assert "outlook.com" in listing.content.decode()
    page = client.get(reverse("admin:suppression_incident_change", args=[incident.pk]))
    html = page.content.decode()
    assert "contoso.com" in html
    assert "u0@contoso.com" in html and "u1@contoso.com" in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert "Lift the pause now" not in html  # an agent is not offered the lift


def test_a_lead_lifts_from_the_console_with_a_note(lead, incident) -> None:
    client = csrf_client(lead)
    page = client.get(reverse("admin:suppression_incident_change", args=[incident.pk]))
    assert "Lift the pause now" in page.content.decode()
    url = reverse("admin:suppression_incident_lift", args=[incident.pk])
    refused = get_then_post(client, url, {"note": ""})
    assert refused.status_code == 200
    incident.refresh_from_db()
    assert incident.is_open
    done = get_then_post(client, url, {"note": "Spamhaus delisted us at 10:20."})
    assert done.status_code == 302
    incident.refresh_from_db()
    assert (incident.lift_kind, incident.lifted_by, incident.lift_note) == (
        "lead",
        lead,
        "Spamhaus delisted us at 10:20.",
    )
    after = client.get(reverse("admin:suppression_incident_change", args=[incident.pk]))
    assert "Spamhaus delisted us" in after.content.decode()


def test_a_lead_previews_a_wave_then_resumes_it_with_a_note(lead, monkeypatch) -> None:
    monkeypatch.setattr(waves, "batch_enqueue", lambda batch_id: None)
    for i in range(3):
        bounce(f"w{i}@outlook.com", Reason.SENDER_BLOCKED, status="5.7.1")
    bounce("other@gmail.com", Reason.SENDER_BLOCKED, status="5.7.1")
    client = csrf_client(lead)
    url = reverse("admin:suppression_resumebatch_wave")
    preview = client.get(url, {"domain": "outlook.com", "reasons": "sender_blocked"})
    html = preview.content.decode()
    assert "Preview: 3 open suppressions" in html
    assert "w0@outlook.com" in html and "other@gmail.com" not in html
    response = get_then_post(
        client,
        url + "?domain=outlook.com&reasons=sender_blocked",
        {"note": "Blocklisted 10 May."},
    )
    assert response.status_code == 302
    batch = ResumeBatch.objects.get()
    assert batch.selected == 3 and batch.criteria["domain"] == "outlook.com"
    waves.run(batch.pk)
    assert Suppression.objects.filter(lifted_at__isnull=True).count() == 1
    page = client.get(reverse("admin:suppression_resumebatch_change", args=[batch.pk]))
    assert "Undo this batch" in page.content.decode()
    undo = get_then_post(
        client,
        reverse("admin:suppression_resumebatch_undo", args=[batch.pk]),
        {"note": "Wrong wave."},
    )
    assert undo.status_code == 302
    waves.run(batch.pk)
    assert Suppression.objects.filter(lifted_at__isnull=True).count() == 4


def test_an_agent_cannot_open_the_wave_page(agent) -> None:
    response = csrf_client(agent).get(reverse("admin:suppression_resumebatch_wave"))
    assert response.status_code == 403
