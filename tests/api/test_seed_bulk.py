"""seed_bulk: consistent full-size data through COPY, re-runnable."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Q

from suppression.models import BounceEvent, EmailAddress, Suppression, SuppressionChange


def _seed(*extra: str) -> str:
    out = io.StringIO()
    call_command("seed_bulk", "--addresses", "2000", "--events", "9000", *extra, stdout=out)
    return out.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_seed_bulk_loads_consistent_data_and_can_run_again() -> None:
    assert "Loaded 2,000 addresses" in _seed()
    assert EmailAddress.objects.count() == 2000
    assert BounceEvent.objects.count() == 9000
    open_count = Suppression.objects.filter(lifted_at__isnull=True).count()
    lifted = Suppression.objects.filter(lifted_at__isnull=False).count()
    assert 0 < lifted < open_count <= 2000
    # the feed has one row per opening and per lifting, in time order
    assert SuppressionChange.objects.count() == open_count + 2 * lifted
    ats = list(SuppressionChange.objects.order_by("id").values_list("at", flat=True))
    assert ats == sorted(ats)
    # every event belongs to its address's episode, and reasons and schools are spread
    assert not BounceEvent.objects.exclude(suppression__address_id=F("address_id")).exists()
    assert BounceEvent.objects.values("reason").distinct().count() == 11
    assert BounceEvent.objects.values("school").distinct().count() > 100
    assert EmailAddress.objects.values("domain").distinct().count() > 100
    assert (
        not EmailAddress.objects.annotate(
            n=Count("suppressions", filter=Q(suppressions__lifted_at__isnull=True))
        )
        .filter(n__gt=1)
        .exists()
    )

    _seed()  # again: appends a second batch
    assert EmailAddress.objects.count() == 4000
    _seed("--reset")
    assert EmailAddress.objects.count() == 2000
    assert BounceEvent.objects.count() == 9000
    with connection.cursor() as cursor:  # sequences moved past the copied ids
        cursor.execute("SELECT nextval(pg_get_serial_sequence('suppression_bounceevent', 'id'))")
        assert cursor.fetchone()[0] > BounceEvent.objects.order_by("-id").first().pk


@pytest.mark.django_db
def test_seed_bulk_refuses_sqlite() -> None:
    if connection.vendor == "postgresql":
        pytest.skip("only SQLite refuses")
    with pytest.raises(CommandError, match="PostgreSQL"):
        _seed()
