"""Incidents: refusals of the platform pause a receiving organisation, never the addresses."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from suppression import exceptions as errors
from suppression import policy, services
from suppression.models import (
    Incident,
    Source,
    Suppression,
    SuppressionChange,
)
from suppression.selectors import (
    check_many,
    incident_for_domain,
    open_incidents,
    paused_domains,
)
from suppression.services.bounce_batches import BounceInput, bounce_record_batch
from suppression.services.incidents import incident_lift, incidents_expire
from suppression.taxonomy import Reason

pytestmark = pytest.mark.django_db

OUTLOOK = "mx1.eur.protection.outlook.com"


@pytest.fixture(autouse=True)
def _small_threshold(settings) -> None:
    settings.SUPPRESSION = {
        **settings.SUPPRESSION,
        "INCIDENT_THRESHOLD": 3,
        "INCIDENT_WINDOW_MINUTES": 10,
        "SUPPORT_EMAIL": "support@kwiga.example",
    }


_n = iter(range(10**9))


def refuse(email: str, *, mta: str = OUTLOOK, at=None, source: str = Source.API):
    return services.bounce_record(
        email=email,
        source=source,
        dedupe_key=f"rep-{next(_n)}",
        occurred_at=at or timezone.now(),
        reason=Reason.SENDER_REPUTATION,
        status="5.7.1",
        smtp_code="550",
        diagnostic="550 5.7.1 Service unavailable; Client host [203.0.113.9] blocked using "
        "Spamhaus",
        remote_mta=mta,
    )


def test_refusals_at_many_customer_domains_of_one_provider_open_one_incident(
    django_capture_on_commit_callbacks,
) -> None:
    # Each Microsoft 365 customer domain alone stays below the threshold; the provider does not.
    refuse("ann@contoso.com")
    refuse("bob@fabrikam.com")
    assert not Incident.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        refuse("cid@northwind.example")
    incident = Incident.objects.get()
    assert incident.organisation == "outlook.com"
    assert set(incident.domains.values_list("domain", flat=True)) == {
        "contoso.com",
        "fabrikam.com",
        "northwind.example",
    }
    assert incident.refusal_rows.count() == 3
    assert incident.streams == ["campaign", "automation"]
    # Nobody is suppressed.
    assert not Suppression.objects.exists()
    # Support was told, after the commit.
    assert len(mail.outbox) == 1
    assert "outlook.com" in mail.outbox[0].subject
    assert incident.history.count() == 1


def test_without_a_remote_server_the_recipient_domain_is_the_organisation() -> None:
    for name in ("a", "b", "c"):
        refuse(f"{name}@smallco.example", mta="")
    assert Incident.objects.get().organisation == "smallco.example"


def test_refusals_below_the_threshold_or_outside_the_window_open_nothing() -> None:
    old = timezone.now() - timedelta(minutes=30)
    refuse("a@contoso.com", at=old)
    refuse("b@contoso.com", at=old)
    refuse("c@contoso.com")
    refuse("d@contoso.com")
    assert not Incident.objects.exists()


def test_a_domain_seen_while_the_incident_is_open_joins_it_with_a_feed_row() -> None:
    for name in ("a", "b", "c"):
        refuse(f"{name}@contoso.com")
    incident = Incident.objects.get()
    refuse("z@latecomer.example")
    assert Incident.objects.count() == 1
    assert "latecomer.example" in incident.domains.values_list("domain", flat=True)
    rows = SuppressionChange.objects.filter(kind="domain_paused").values_list("domain", flat=True)
    assert list(rows) == ["contoso.com", "latecomer.example"]
    assert incident.refusal_rows.count() == 4


def test_the_gate_answers_paused_for_campaign_and_not_for_system_mail() -> None:
    for name in ("a", "b", "c"):
        refuse(f"{name}@contoso.com")
    incident = Incident.objects.get()
    result = check_many(["New@Contoso.com", "x@elsewhere.example"], stream="campaign")
    pause = result.suppressed["New@Contoso.com"]
    assert pause["reason"] == "domain_paused"
    assert pause["incident"] == incident.pk
    assert abs(datetime.fromisoformat(pause["until"]) - incident.until) < timedelta(milliseconds=1)
    assert "x@elsewhere.example" not in result.suppressed
    assert check_many(["new@contoso.com"], stream="system").suppressed == {}
    # No stream given: every pause applies.
    assert "new@contoso.com" in check_many(["new@contoso.com"]).suppressed
    assert set(paused_domains("automation")) == {"contoso.com"}
    assert incident_for_domain("contoso.com") == incident
    assert list(open_incidents()) == [incident]


def test_an_address_with_its_own_suppression_keeps_its_own_reason() -> None:
    services.bounce_record(
        email="gone@contoso.com",
        source=Source.API,
        dedupe_key="own",
        occurred_at=timezone.now(),
        reason=Reason.MAILBOX_UNKNOWN,
        status="5.1.1",
    )
    for name in ("a", "b", "c"):
        refuse(f"{name}@contoso.com")
    assert check_many(["gone@contoso.com"]).suppressed["gone@contoso.com"]["reason"] == (
        "mailbox_unknown"
    )


def test_the_pause_lifts_by_itself_after_the_back_off_and_the_job_records_it() -> None:
    for name in ("a", "b", "c"):
        refuse(f"{name}@contoso.com")
    incident = Incident.objects.get()
    assert incident.until - incident.opened_at == timedelta(hours=1)
    later = incident.until + timedelta(seconds=1)
    # Past "until" the gate lets mail through even before the job runs.
    assert paused_domains(now=later) == {}
    call_command("lift_incidents", now=later.isoformat())
    incident.refresh_from_db()
    assert incident.lifted_at == incident.until
    assert incident.lift_kind == "expired"
    assert list(
        SuppressionChange.objects.filter(kind="domain_lifted").values_list("domain", flat=True)
    ) == ["contoso.com"]
    assert incident.history.filter(lifted_at__isnull=False).count() == 1
    assert incidents_expire(now=later) == []  # a second run records nothing


def test_the_back_off_doubles_on_repeats_up_to_the_maximum() -> None:
    lim = policy.incident_limits()
    assert [policy.incident_pause(n, lim) for n in range(7)] == [
        timedelta(hours=h) for h in (1, 2, 4, 8, 16, 24, 24)
    ]
    start = timezone.now()
    for round_ in range(3):
        with time_machine.travel(start + timedelta(days=round_)):
            for name in ("a", "b", "c"):
                refuse(f"{name}{round_}@contoso.com")
        incident = Incident.objects.get(lifted_at__isnull=True)
        assert incident.repeat == round_
        assert incident.until - incident.opened_at == timedelta(hours=2**round_)
        incidents_expire(now=incident.until)
    # Past the repeat window the back-off starts again from one hour.
    with time_machine.travel(start + timedelta(days=12)):
        for name in ("a", "b", "c"):
            refuse(f"{name}-later@contoso.com")
    incident = Incident.objects.get(lifted_at__isnull=True)
    assert incident.until - incident.opened_at == timedelta(hours=1)


def test_a_lead_lifts_early_with_a_note_and_an_agent_may_not(lead, agent) -> None:
    for name in ("a", "b", "c"):
        refuse(f"{name}@contoso.com")
    incident = Incident.objects.get()
    with pytest.raises(errors.NotAllowed):
        incident_lift(incident=incident, actor=agent, note="fixed")
    with pytest.raises(errors.NoteRequired):
        incident_lift(incident=incident, actor=lead, note="  ")
    incident_lift(incident=incident, actor=lead, note="Delisted by Spamhaus at 10:20")
    incident.refresh_from_db()
    assert incident.lifted_by == lead
    assert incident.lift_kind == "lead"
    assert incident.lift_note == "Delisted by Spamhaus at 10:20"
    assert check_many(["a@contoso.com"]).suppressed == {}
    last = incident.history.latest("history_date")
    assert last.history_user == lead
    assert "Delisted" in last.history_change_reason
    with pytest.raises(errors.AlreadyLifted):
        incident_lift(incident=incident, actor=lead, note="again")


def test_refusals_counted_before_a_lift_do_not_reopen_it_at_once(lead) -> None:
    for name in ("a", "b", "c"):
        refuse(f"{name}@contoso.com")
    incident_lift(incident=Incident.objects.get(), actor=lead, note="Delisted")
    refuse("d@contoso.com")
    assert not Incident.objects.filter(lifted_at__isnull=True).exists()
    refuse("e@contoso.com")
    refuse("f@contoso.com")
    assert Incident.objects.filter(lifted_at__isnull=True).count() == 1


def test_incident_history_is_append_only() -> None:
    from django.db import IntegrityError, InternalError, OperationalError, connection

    for name in ("a", "b", "c"):
        refuse(f"{name}@contoso.com")
    with (
        pytest.raises((IntegrityError, InternalError, OperationalError)),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE suppression_historicalincident SET organisation = 'x'")


def test_settings_checks_refuse_unknown_streams_and_a_maximum_below_the_first(settings) -> None:
    from suppression.checks import check_suppression_settings

    settings.SUPPRESSION = {
        **settings.SUPPRESSION,
        "INCIDENT_STREAMS": ["campaign", "newsletter"],
        "INCIDENT_PAUSE_MINUTES": 120,
        "INCIDENT_PAUSE_MAX_MINUTES": 60,
    }
    ids = {error.id for error in check_suppression_settings()}
    assert {"suppression.E042", "suppression.E043"} <= ids


def test_refusals_pushed_in_one_api_batch_open_the_incident() -> None:
    # The platform's MTA pushes its bounces in batches (POST /bounces): those refusals count
    # exactly as refusals recorded one by one.
    items = [
        BounceInput(
            email=f"user{n}@contoso.com",
            dedupe_key=f"batch-rep-{n}",
            occurred_at=timezone.now(),
            reason=Reason.SENDER_REPUTATION,
            status="5.7.1",
            smtp_code="550",
            diagnostic="550 5.7.1 blocked using Spamhaus",
            remote_mta=OUTLOOK,
        )
        for n in range(3)
    ]
    results = bounce_record_batch(items=items, source=Source.API)
    assert all(result.created and not result.suppressed for result in results)
    incident = Incident.objects.get()
    assert incident.organisation == "outlook.com"
    assert incident.refusals == 3
    assert set(incident.domains.values_list("domain", flat=True)) == {"contoso.com"}
    assert "user9@contoso.com" in check_many(["user9@contoso.com"], stream="campaign").suppressed
