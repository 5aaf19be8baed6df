"""The incident demo and the batch recovery commands."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from suppression.models import Incident, ResumeBatch, Suppression
from suppression.services import waves
from suppression.services.waves import WaveCriteria, batch_create
from suppression.taxonomy import Reason

from ..factories import bounce

pytestmark = pytest.mark.django_db


def test_simulate_incident_pauses_the_domain_suppresses_nobody_and_a_lead_lifts(lead) -> None:
    out = StringIO()
    call_command("simulate_incident", "outlook.com", "--lift-as", "lead", stdout=out)
    text = out.getvalue()
    incident = Incident.objects.get()
    assert f"incident #{incident.pk} pauses outlook.com" in text
    assert "campaign paused (domain_paused), system may be mailed" in text
    assert "addresses suppressed by it: 0" in text
    assert not Suppression.objects.exists()
    assert incident.refusal_rows.count() == 20
    assert "the gate now says may be mailed" in text
    assert Incident.objects.get().lifted_by == lead


def test_resume_batches_finishes_a_batch_a_killed_worker_left(lead, monkeypatch) -> None:
    monkeypatch.setattr(waves, "batch_enqueue", lambda batch_id: None)  # the worker never ran
    for i in range(3):
        bounce(f"w{i}@outlook.com", Reason.SENDER_BLOCKED, status="5.7.1")
    batch = batch_create(criteria=WaveCriteria(), actor=lead, note="wave")
    out = StringIO()
    call_command("resume_batches", stdout=out)
    assert "3 resumed" in out.getvalue()
    assert ResumeBatch.objects.get(pk=batch.pk).status == "done"
