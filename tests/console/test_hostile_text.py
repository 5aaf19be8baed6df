"""Point 9: text from outside renders as text on the case page, the raw message and the search."""

from __future__ import annotations

import base64

import pytest
from django.urls import reverse

from suppression import services
from suppression.models import BounceEvent, EmailAddress
from suppression.services.api_clients import api_client_create
from suppression.services.ingest import message_ingest
from tests.api.conftest import ApiCaller
from tests.ingest.messages import kwiga_dsn

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
ENCODED = "=?UTF-8?B?" + base64.b64encode(SCRIPT.encode()).decode() + "?="
# What must never reach a page unescaped, whichever layer decodes what.
LIVE = ("<script>alert", "<img src=x", "onerror=alert(1)>")


def assert_inert(html: str) -> None:
    for live in LIVE:
        assert live not in html, live


@pytest.fixture
def hostile(school, owner, client) -> EmailAddress:
    """One address whose every outside text carries the payloads, through ingestion and the API."""
    raw = kwiga_dsn(
        recipient="victim@example.com",
        reply=f"550 5.1.1 {SCRIPT} {IMG} {ENCODED}",
    ).replace(b"Subject: Spring sale", f"Subject: {ENCODED} {IMG}".encode())
    assert message_ingest(raw=raw, origin=f"mailbox {SCRIPT}").recorded
    issued = api_client_create(name="platform", scopes=["ingest"], actor=None)
    response = ApiCaller(client, issued.token).post(
        "/bounces",
        {
            "events": [
                {
                    "event_id": "hostile-1",
                    "address": "victim@example.com",
                    "occurred_at": "2026-11-01T10:00:00Z",
                    "status": "5.1.1",
                    "smtp_code": "550",
                    "diagnostic": f"{IMG} {ENCODED}",
                    "remote_mta": SCRIPT,
                    "message_id": f"<{IMG}@x>",
                }
            ]
        },
    )
    assert response.status_code == 200 and response.json()["recorded"] == 1
    services.request_submit(
        email="victim@example.com",
        school=school,
        actor=owner,
        explanation=f"The client fixed it {SCRIPT} {IMG} {ENCODED}",
    )
    return EmailAddress.objects.get(address="victim@example.com")


def test_the_case_page_shows_hostile_text_as_text(client, agent, hostile) -> None:
    client.force_login(agent)
    page = client.get(reverse("admin:suppression_emailaddress_change", args=[hostile.pk]))
    html = page.content.decode()
    assert_inert(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert ENCODED in html


def test_the_raw_message_page_shows_hostile_text_as_text(client, agent, hostile) -> None:
    client.force_login(agent)
    event = BounceEvent.objects.get(address=hostile, source="dsn")
    html = client.get(reverse("admin:suppression_bounceevent_raw", args=[event.pk])).content
    html = html.decode()
    assert_inert(html)
    assert f"Subject: {ENCODED} &quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_search_and_its_results_show_hostile_text_as_text(client, agent, hostile) -> None:
    client.force_login(agent)
    find = reverse("admin:suppression_emailaddress_find")
    for term in (SCRIPT, IMG, ENCODED):
        html = client.get(find, {"q": term}).content.decode()
        assert_inert(html)
    services.suppression_open_manual(email="second@example.com", actor=agent, note=IMG)
    html = client.get(find, {"q": "example.com"}).content.decode()  # a list of two
    assert "victim@example.com" in html and "second@example.com" in html
    assert_inert(html)


def test_the_decision_page_shows_hostile_text_as_text(client, agent, hostile) -> None:
    client.force_login(agent)
    pending = hostile.requests.get()
    url = reverse("admin:suppression_reinstatementrequest_resume", args=[pending.pk])
    html = client.post(url, {"note": f"Fine {SCRIPT} {IMG}"}).content.decode()
    assert "Resume sending to victim@example.com?" in html
    assert_inert(html)
