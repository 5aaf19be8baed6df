"""Real threads on PostgreSQL: incidents and resume batches under concurrent writers."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from suppression import services
from suppression.models import (
    BounceEvent,
    Incident,
    ReputationRefusal,
    ResumeBatchItem,
    Source,
    Suppression,
    SuppressionChange,
)
from suppression.services import waves
from suppression.services.incidents import incident_lift
from suppression.services.waves import WaveCriteria, batch_create
from suppression.taxonomy import Reason

from ..factories import bounce, user_in_role
from ..test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _settings(settings, monkeypatch) -> None:
    settings.SUPPRESSION = {
        **settings.SUPPRESSION,
        "INCIDENT_THRESHOLD": 10,
        "RESUME_BATCH_CHUNK": 25,
    }
    monkeypatch.setattr(waves, "batch_enqueue", lambda batch_id: None)


def refuse(i: int, domain: str = "contoso.com") -> object:
    return services.bounce_record(
        email=f"u{i}@{domain}",
        source=Source.SENDGRID,
        dedupe_key=f"webhook-{domain}-{i}",
        occurred_at=timezone.now(),
        reason=Reason.SENDER_REPUTATION,
        status="5.7.1",
        remote_mta="mx3.eur.protection.outlook.com",
    )


def test_webhooks_arriving_together_open_exactly_one_incident_and_lose_no_refusal() -> None:
    # 10 is the threshold: every one must be counted, whatever order they commit in.
    results = run_together([lambda i=i: refuse(i, f"d{i % 3}.example") for i in range(10)])
    assert not [r for r in results if isinstance(r, Exception)], results
    incident = Incident.objects.get()
    assert ReputationRefusal.objects.filter(incident=incident).count() == 10
    assert set(incident.domains.values_list("domain", flat=True)) == {
        "d0.example",
        "d1.example",
        "d2.example",
    }
    assert SuppressionChange.objects.filter(kind="domain_paused").count() == 3
    assert not Suppression.objects.exists()


def test_twenty_webhooks_past_the_threshold_still_open_one_incident() -> None:
    results = run_together([lambda i=i: refuse(i) for i in range(20)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Incident.objects.count() == 1
    assert ReputationRefusal.objects.count() == 20
    assert ReputationRefusal.objects.filter(incident__isnull=False).count() == 20


def test_refusals_arriving_while_a_lead_lifts_join_before_or_count_after() -> None:
    lead = user_in_role("lead", "Support lead")
    for i in range(10):
        refuse(i)
    incident = Incident.objects.get()
    results = run_together(
        [lambda: incident_lift(incident=incident, actor=lead, note="Delisted")]
        + [lambda i=i: refuse(100 + i) for i in range(5)]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    incident.refresh_from_db()
    assert incident.lifted_at is not None
    # Every refusal is either part of the lifted incident (joined before the lift) or counted
    # afterwards toward the next one (5 < 10: nothing new opens); none joined after the lift.
    assert ReputationRefusal.objects.count() == 15
    joined = ReputationRefusal.objects.filter(incident=incident)
    assert all(r.received_at <= incident.lifted_at for r in joined)
    assert not Incident.objects.filter(lifted_at__isnull=True).exists()
    # The feed saw the pause and then the lift, in that order.
    kinds = list(SuppressionChange.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["domain_paused", "domain_lifted"]


def _wave(n: int) -> None:
    for i in range(n):
        bounce(f"w{i}@outlook.com", Reason.SENDER_BLOCKED, status="5.7.1")


def test_two_workers_on_one_batch_resume_nothing_twice() -> None:
    lead = user_in_role("lead", "Support lead")
    _wave(120)
    batch = batch_create(criteria=WaveCriteria(), actor=lead, note="wave")
    results = run_together([lambda: waves.run(batch.pk), lambda: waves.run(batch.pk)])
    assert not [r for r in results if isinstance(r, Exception)], results
    batch.refresh_from_db()
    assert (batch.status, batch.resumed) == ("done", 120)
    assert SuppressionChange.objects.filter(kind="lifted").count() == 120
    for suppression in Suppression.objects.all():
        assert suppression.history.filter(lifted_at__isnull=False).count() == 1


def test_two_leads_running_the_same_selection_at_once_resume_each_address_once() -> None:
    leads = [user_in_role(f"lead{i}", "Support lead") for i in range(2)]
    _wave(100)
    batches = [batch_create(criteria=WaveCriteria(), actor=lead, note="wave") for lead in leads]
    results = run_together([lambda b=b: waves.run(b.pk) for b in batches])
    assert not [r for r in results if isinstance(r, Exception)], results
    resumed = ResumeBatchItem.objects.filter(state="resumed")
    assert resumed.count() == 100
    assert Counter(resumed.values_list("suppression_id", flat=True)).most_common(1)[0][1] == 1
    assert SuppressionChange.objects.filter(kind="lifted").count() == 100


def test_a_hard_bounce_arriving_while_a_batch_runs_is_never_lost() -> None:
    lead = user_in_role("lead", "Support lead")
    _wave(100)
    batch = batch_create(criteria=WaveCriteria(), actor=lead, note="wave")
    targets = [f"w{i}@outlook.com" for i in range(0, 100, 10)]
    results = run_together(
        [lambda: waves.run(batch.pk)]
        + [lambda e=e: bounce(e, Reason.MAILBOX_UNKNOWN) for e in targets]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    batch.refresh_from_db()
    assert batch.status == "done"
    assert BounceEvent.objects.filter(reason="mailbox_unknown").count() == 10
    # Whichever came first, each of them ends suppressed: left out (the bounce came first) or
    # suppressed again on probation (the resume came first).
    for email in targets:
        assert Suppression.objects.filter(address__address=email, lifted_at__isnull=True).exists()
    assert batch.resumed + batch.left_out == 100
