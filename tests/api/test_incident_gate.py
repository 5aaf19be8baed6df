"""The gate and the changes feed during an incident, as the sending system reads them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from suppression import services
from suppression.models import Incident, Source
from suppression.services.incidents import incident_lift
from suppression.taxonomy import Reason

from ..factories import bounce, user_in_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(settings) -> Incident:
    settings.SUPPRESSION = {**settings.SUPPRESSION, "INCIDENT_THRESHOLD": 2}
    for i, domain in enumerate(("contoso.com", "fabrikam.com")):
        services.bounce_record(
            email=f"u{i}@{domain}",
            source=Source.SENDGRID,
            dedupe_key=f"gate-{i}",
            occurred_at=timezone.now(),
            reason=Reason.SENDER_REPUTATION,
            status="5.7.606",
            remote_mta="contoso-com.mail.protection.outlook.com",
        )
    return Incident.objects.get()


def test_single_check_answers_domain_paused_with_incident_and_until(api, incident) -> None:
    body = api.get("/suppressions/Someone@Contoso.com").json()
    assert body["suppressed"] is True
    assert body["reason"] == "domain_paused"
    assert body["type"] is None
    assert body["incident"] == incident.pk
    assert body["domain"] == "contoso.com"
    assert body["until"].startswith(incident.until.strftime("%Y-%m-%dT%H:%M"))
    assert body["streams"] == ["campaign", "automation"]
    # System mail (a password reset) still goes.
    system = api.get("/suppressions/someone@contoso.com", stream="system").json()
    assert system["suppressed"] is False
    assert api.get("/suppressions/x@elsewhere.example").json()["suppressed"] is False


def test_bulk_check_answers_paused_addresses_in_the_suppressed_map(api, incident) -> None:
    bounce("gone@contoso.com", Reason.MAILBOX_UNKNOWN)
    body = api.post(
        "/suppressions/check",
        {"emails": ["a@contoso.com", "b@fabrikam.com", "gone@contoso.com", "c@ok.example"]},
    ).json()
    assert set(body["suppressed"]) == {"a@contoso.com", "b@fabrikam.com", "gone@contoso.com"}
    paused = body["suppressed"]["a@contoso.com"]
    assert (paused["reason"], paused["incident"], paused["domain"]) == (
        "domain_paused",
        incident.pk,
        "contoso.com",
    )
    assert body["suppressed"]["gone@contoso.com"]["reason"] == "mailbox_unknown"
    system = api.post(
        "/suppressions/check", {"emails": ["a@contoso.com"], "stream": "system"}
    ).json()
    assert system["suppressed"] == {}
    refused = api.post("/suppressions/check", {"emails": [], "stream": "newsletter"})
    assert refused.status_code == 400


def test_the_feed_has_one_row_per_domain_for_the_pause_and_for_the_lift(api, incident) -> None:
    incident_lift(incident=incident, actor=user_in_role("lead", "Support lead"), note="Delisted")
    changes = api.get("/suppressions/changes").json()["changes"]
    rows = [(c["kind"], c["domain"], c["incident"], c["suppressed"]) for c in changes]
    assert rows == [
        ("domain_paused", "contoso.com", incident.pk, True),
        ("domain_paused", "fabrikam.com", incident.pk, True),
        ("domain_lifted", "contoso.com", incident.pk, False),
        ("domain_lifted", "fabrikam.com", incident.pk, False),
    ]
    assert changes[0]["until"] is not None and changes[2]["until"] is None
    assert all(c.get("address") is None for c in changes)
    assert api.get("/suppressions/a@contoso.com").json()["suppressed"] is False
