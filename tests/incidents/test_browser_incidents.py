"""A lead handles a blocklisting in a real browser: the incident, its lift, and undoing a wave."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from suppression import services
from suppression.models import Incident, ResumeBatch, Source
from suppression.services import waves
from suppression.taxonomy import Reason

from ..browser import chromium_page
from ..factories import bounce, user_in_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "incidents"


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "kwiga-test")
    page.click("input[type=submit]")


def test_a_lead_reads_an_incident_lifts_it_and_resumes_a_wave(live_server, monkeypatch) -> None:
    monkeypatch.setattr(waves, "batch_enqueue", lambda batch_id: None)
    SHOTS.mkdir(parents=True, exist_ok=True)
    user_in_role("lead", "Support lead")
    for i in range(20):
        services.bounce_record(
            email=f"student{i}@{'contoso.com' if i % 2 else 'fabrikam.com'}",
            source=Source.SENDGRID,
            dedupe_key=f"browser-{i}",
            occurred_at=timezone.now(),
            reason=Reason.SENDER_REPUTATION,
            status="5.7.1",
            smtp_code="550",
            diagnostic="550 5.7.1 Service unavailable, Client host [203.0.113.25] blocked "
            "using Spamhaus",
            remote_mta="contoso-com.mail.protection.outlook.com",
        )
    for i in range(4):
        bounce(f"w{i}@outlook.com", Reason.SENDER_BLOCKED, status="5.7.1")
    incident = Incident.objects.get()
    with chromium_page() as page:
        sign_in(page, live_server, "lead")
        page.goto(f"{live_server.url}/admin/suppression/incident/")
        page.get_by_role("link", name="outlook.com").click()
        page.get_by_text("fabrikam.com").first.wait_for()
        page.screenshot(path=str(SHOTS / "incident.png"), full_page=True)
        page.get_by_role("link", name="Lift the pause now").click()
        page.get_by_label("Note").fill("Spamhaus delisted 203.0.113.25 at 10:20.")
        page.screenshot(path=str(SHOTS / "lift.png"), full_page=True)
        page.get_by_role("button", name="Lift the pause").click()
        page.get_by_text("is lifted").wait_for()
        page.goto(f"{live_server.url}/admin/suppression/resumebatch/wave/")
        page.get_by_role("textbox", name="Domain:").fill("outlook.com")
        page.get_by_role("button", name="Preview").click()
        page.get_by_text("Preview: 4 open suppressions").wait_for()
        page.get_by_label("Note").fill("The Spamhaus listing of 10 May, not the recipients.")
        page.screenshot(path=str(SHOTS / "wave-preview.png"), full_page=True)
        page.get_by_role("button", name="Resume these 4 addresses").click()
        page.get_by_text("resumes 4 addresses").wait_for()
        page.screenshot(path=str(SHOTS / "batch.png"), full_page=True)
    incident.refresh_from_db()
    assert incident.lift_kind == "lead"
    assert ResumeBatch.objects.get().selected == 4
