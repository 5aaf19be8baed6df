"""The soft-bounce threshold depends on the set of bounces, never on the order they arrive in.

Both write paths (``bounce_record`` one event at a time, ``bounce_record_batch`` for the API) are
checked against an oracle written from docs/design.md's words: an address is suppressed when some
``threshold`` of its soft bounces happened within less than the window of each other, the newest
of them within the window before now.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from datetime import datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suppression import services
from suppression.models import EmailAddress, Source, Suppression
from suppression.services.bounce_batches import BounceInput, bounce_record_batch
from suppression.taxonomy import Reason

from .api.test_bounce_batches import _snapshot

pytestmark = pytest.mark.django_db

WINDOW = timedelta(days=14)

# (address number, hours before now)
Event = tuple[int, int]


def oracle(events: list[Event], *, now: datetime, threshold: int) -> set[int]:
    """The addresses due a suppression, by brute force over every group of ``threshold``."""
    times: dict[int, list[datetime]] = defaultdict(list)
    for who, hours in events:
        times[who].append(now - timedelta(hours=hours))
    return {
        who
        for who, occurred in times.items()
        if any(
            max(group) - min(group) < WINDOW and max(group) > now - WINDOW
            for group in itertools.combinations(occurred, threshold)
        )
    }


def _item(prefix: str, n: int, event: Event, now: datetime) -> BounceInput:
    who, hours = event
    return BounceInput(
        email=f"{prefix}-{who}@example.com",
        dedupe_key=f"{prefix}-{n}",
        occurred_at=now - timedelta(hours=hours),
        reason=Reason.MAILBOX_FULL,
        status="4.2.2",
    )


def one_by_one(prefix: str, events: list[Event], now: datetime) -> None:
    for n, event in enumerate(events):
        item = _item(prefix, n, event, now)
        services.bounce_record(
            email=item.email,
            source=Source.API,
            dedupe_key=item.dedupe_key,
            occurred_at=item.occurred_at,
            reason=item.reason,
            status=item.status,
        )


def in_batches(prefix: str, events: list[Event], now: datetime, size: int) -> None:
    items = [_item(prefix, n, event, now) for n, event in enumerate(events)]
    for start in range(0, len(items), size):
        bounce_record_batch(items=items[start : start + size], source=Source.API)


def suppressed(prefix: str) -> set[int]:
    return {
        int(address.removeprefix(f"{prefix}-").split("@")[0])
        for address in Suppression.objects.filter(
            lifted_at__isnull=True, address__address__startswith=f"{prefix}-"
        ).values_list("address__address", flat=True)
    }


events_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3),
        # Hours back, clustered enough to make windows: up to 40 days, a few ahead of now.
        st.one_of(st.integers(-20, 40 * 24), st.sampled_from([0, 24, 13 * 24, 14 * 24, 27 * 24])),
    ),
    max_size=14,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    events=events_strategy,
    threshold=st.sampled_from([1, 2, 3, 3]),
    batch_size=st.integers(min_value=1, max_value=8),
    data=st.data(),
)
def test_any_arrival_order_ends_in_the_oracles_state_through_both_paths(
    events: list[Event], threshold: int, batch_size: int, data: st.DataObject
) -> None:
    arrival = data.draw(st.permutations(events), label="arrival order")
    now = timezone.now().replace(microsecond=0)
    due = oracle(events, now=now, threshold=threshold)
    limits = {"SOFT_BOUNCE_THRESHOLD": threshold, "SOFT_BOUNCE_WINDOW_DAYS": 14}
    with override_settings(SUPPRESSION=limits), transaction.atomic():
        one_by_one("single", arrival, now)
        in_batches("batch", arrival, now, batch_size)
        assert suppressed("single") == due
        assert suppressed("batch") == due
        # The same arrivals leave exactly the same rows either way (events, links, history).
        assert _snapshot("batch") == _snapshot("single")
        transaction.set_rollback(True)


def test_the_issue_example_arrives_newest_first_through_both_paths() -> None:
    now = timezone.now().replace(microsecond=0)
    newest_first = [(0, 0), (0, 1), (0, 2)]  # 12:00, 11:00, 10:00
    one_by_one("single", newest_first, now)
    in_batches("batch", newest_first, now, size=500)
    assert suppressed("single") == suppressed("batch") == {0}
    assert _snapshot("batch") == _snapshot("single")


def _thousand_events(rng: random.Random) -> list[Event]:
    """1,000 soft bounces over 300 addresses, spread over three weeks."""
    return [(rng.randrange(300), rng.randrange(21 * 24)) for _ in range(1000)]


def test_a_thousand_events_suppress_the_same_addresses_in_any_order() -> None:
    # The issue's run: the API's batches of 500, three arrival orders of the same events.
    rng = random.Random(20261129)
    events = _thousand_events(rng)
    now = timezone.now().replace(microsecond=0)
    due = oracle(events, now=now, threshold=3)
    assert 100 < len(due) < 250  # some are due and some are not
    for run in range(3):
        arrival = rng.sample(events, len(events))
        in_batches(f"batch{run}", arrival, now, size=500)
        assert suppressed(f"batch{run}") == due
    assert EmailAddress.objects.count() == 3 * len({who for who, _ in events})


def test_the_batch_weighs_soft_bounces_without_a_query_per_event() -> None:
    def statements(prefix: str, per_address: int) -> int:
        now = timezone.now()
        events = [(who, 15 * 24 + n) for who in range(3) for n in range(per_address)]
        with CaptureQueriesContext(connection) as queries:
            in_batches(prefix, events, now, size=500)
        return len(queries)

    statements("warm", 1)  # the content types and the like, cached once
    # (SQLite splits an insert of more than about 50 events; PostgreSQL does not)
    assert statements("few", 2) == statements("many", 15)
