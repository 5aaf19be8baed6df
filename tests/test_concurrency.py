"""Real threads against PostgreSQL: the row locks, not luck, keep the invariants."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from suppression import exceptions as errors
from suppression import services
from suppression.models import BounceEvent, ReinstatementRequest, Suppression
from suppression.selectors import is_suppressed
from suppression.taxonomy import Reason

from .factories import SchoolFactory, bounce, owner_of, user_in_role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(workers: list[Callable[[], object]]) -> list[object]:
    """Start every worker at once on its own connection; return each result or exception."""
    barrier = threading.Barrier(len(workers))
    results: list[object] = [None] * len(workers)

    def run(i: int, work: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[i] = work()
        except Exception as error:
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _mailbox_full(email: str, school) -> None:
    now = timezone.now()
    for days in (5, 3, 0):
        bounce(email, Reason.MAILBOX_FULL, school=school, at=now - timedelta(days=days))


def test_twenty_concurrent_approvals_resume_exactly_once() -> None:
    assert connection.vendor == "postgresql"
    school = SchoolFactory(slug="race-school")
    owner = owner_of(school, "race-owner")
    agents = [user_in_role(f"agent{i}", "Support agent") for i in range(20)]
    _mailbox_full("race@example.com", school)
    request = services.request_submit(
        email="race@example.com", school=school, actor=owner, explanation="Cleared the mailbox."
    )
    results = run_together(
        [
            (lambda a=a: services.request_approve(request=request, actor=a, note="ok"))
            for a in agents
        ]
    )
    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {"ReinstatementRequest": 1, "AlreadyDecided": 19}, kinds
    request.refresh_from_db()
    assert request.status == "approved"
    suppression = Suppression.objects.get(address__address="race@example.com")
    assert suppression.lifted_at is not None
    assert request.history.filter(status="approved").count() == 1
    assert suppression.history.filter(lifted_at__isnull=False).count() == 1


def test_hard_bounce_racing_an_approval_is_never_lost() -> None:
    """Whichever commits first, the address ends suppressed or the approval is refused.

    Approval and recording both lock the address row first. If the bounce wins, the approval
    sees an event received after the request and refuses (NewBounceSinceRequest). If the approval
    wins, the bounce finds the address on probation and re-suppresses it as a repeat.
    """
    school = SchoolFactory(slug="race-school-2")
    owner = owner_of(school, "race-owner-2")
    agent = user_in_role("race-agent", "Support agent")
    outcomes: Counter[str] = Counter()
    for round_no in range(10):
        email = f"race{round_no}@example.com"
        _mailbox_full(email, school)
        request = services.request_submit(
            email=email, school=school, actor=owner, explanation="Cleared the mailbox."
        )
        approve, hard = run_together(
            [
                lambda r=request: services.request_approve(request=r, actor=agent),
                lambda e=email: bounce(e, Reason.MAILBOX_UNKNOWN, school=school),
            ]
        )
        assert not isinstance(hard, Exception), hard
        assert (
            BounceEvent.objects.filter(address__address=email, reason="mailbox_unknown").count()
            == 1
        )
        assert is_suppressed(email), f"round {round_no}: a hard bounce was lost"
        request.refresh_from_db()
        if isinstance(approve, errors.NewBounceSinceRequest):
            assert request.is_pending
            outcomes["refused"] += 1
        else:
            assert isinstance(approve, ReinstatementRequest), approve
            latest = Suppression.objects.filter(address__address=email).latest("opened_at")
            assert latest.is_repeat and latest.is_open
            outcomes["re-suppressed"] += 1
    assert sum(outcomes.values()) == 10
    print(dict(outcomes))


def test_concurrent_duplicate_reports_record_once() -> None:
    results = run_together(
        [(lambda: bounce("dup@example.com", key="same-event")) for _ in range(10)]
    )
    assert all(not isinstance(r, Exception) for r in results), results
    assert sum(r.created for r in results) == 1
    assert BounceEvent.objects.filter(dedupe_key="same-event").count() == 1
    assert Suppression.objects.filter(address__address="dup@example.com").count() == 1


def test_concurrent_first_bounces_of_new_addresses_create_each_once() -> None:
    results = run_together(
        [(lambda i=i: bounce("fresh@example.com", key=f"event-{i}")) for i in range(10)]
    )
    assert all(not isinstance(r, Exception) for r in results), results
    assert BounceEvent.objects.filter(address__address="fresh@example.com").count() == 10
    assert Suppression.objects.filter(address__address="fresh@example.com").count() == 1
    assert ReinstatementRequest.objects.count() == 0
