"""seed_bulk bypasses the services: it leaves the console's counts and audit log as they would."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum

from suppression.console.models import AuditEntry, BounceDayCount, OpenSuppressionCount
from suppression.models import BounceEvent, Suppression


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_seed_bulk_rebuilds_the_counts_and_writes_audit_entries() -> None:
    call_command("seed_bulk", "--addresses", "500", "--events", "2000", stdout=io.StringIO())
    assert BounceDayCount.objects.aggregate(n=Sum("n"))["n"] == BounceEvent.objects.count()
    assert (
        OpenSuppressionCount.objects.aggregate(n=Sum("n"))["n"]
        == Suppression.objects.filter(lifted_at__isnull=True).count()
    )
    opened = AuditEntry.objects.filter(object_type="suppression.suppression", action="+")
    assert opened.count() == Suppression.objects.count()
    call_command(
        "seed_bulk", "--reset", "--addresses", "500", "--events", "2000", stdout=io.StringIO()
    )
    assert opened.count() == Suppression.objects.count()
    assert BounceDayCount.objects.aggregate(n=Sum("n"))["n"] == 2000
