"""The request queue: pending requests oldest first, with age, school, address and latest bounce
reason; late ones marked against the response-time target; filters; a click to the case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from suppression import services
from suppression.taxonomy import Reason

from ..factories import SchoolFactory, bounce
from .helpers import page, queries, request_at, table_rows

pytestmark = pytest.mark.django_db
QUEUE = "/admin/suppression/reinstatementrequest/"


@pytest.fixture
def queue(agent, school):
    """Three pending requests (2 h, 30 h and 3 days old) and one rejected."""
    now = timezone.now()
    other = SchoolFactory(name="Yoga School", slug="yoga")
    bounce("young@example.com", Reason.MAILBOX_FULL, school=school, at=now - timedelta(days=9))
    bounce("young@example.com", Reason.MAILBOX_FULL, school=school, at=now - timedelta(days=8))
    bounce("young@example.com", Reason.MAILBOX_FULL, school=school, at=now - timedelta(days=7))
    bounce("middle@example.com", Reason.MAILBOX_UNKNOWN, school=other, at=now - timedelta(days=5))
    bounce("old@example.com", Reason.COMPLAINT, school=school, at=now - timedelta(days=5))
    bounce("done@example.com", Reason.MAILBOX_UNKNOWN, school=school, at=now - timedelta(days=5))
    requests = {
        "young": request_at(
            now - timedelta(hours=2), email="young@example.com", school=school, actor=agent
        ),
        "middle": request_at(
            now - timedelta(hours=30), email="middle@example.com", school=other, actor=agent
        ),
        "old": request_at(
            now - timedelta(days=3), email="old@example.com", school=school, actor=agent
        ),
        "done": request_at(
            now - timedelta(days=4), email="done@example.com", school=school, actor=agent
        ),
    }
    services.request_reject(request=requests["done"], actor=agent, note="Still bouncing.")
    return requests


def test_pending_requests_oldest_first_with_age_school_and_latest_reason(
    client, auditor, queue
) -> None:
    client.force_login(auditor)
    rows = table_rows(page(client, QUEUE), "request-queue")
    assert rows[0].startswith("late 3 days old@example.com Demo School Spam complaint Pending")
    assert rows[1].startswith("late 1 day, 6 hours middle@example.com Yoga School Non-existent")
    assert rows[2].startswith("2 hours young@example.com Demo School Mailbox full Pending")
    assert not any("done@example.com" in row for row in rows)


def test_late_means_past_the_response_time_target(client, auditor, queue, settings) -> None:
    client.force_login(auditor)
    rows = table_rows(page(client, QUEUE), "request-queue")
    assert [row.startswith("late") for row in rows] == [True, True, False]
    settings.SUPPRESSION = {**settings.SUPPRESSION, "REQUEST_RESPONSE_TARGET_HOURS": 1}
    rows = table_rows(page(client, QUEUE), "request-queue")
    assert [row.startswith("late") for row in rows] == [True, True, True]
    settings.SUPPRESSION = {**settings.SUPPRESSION, "REQUEST_RESPONSE_TARGET_HOURS": 100}
    html = page(client, QUEUE)
    assert [row.startswith("late") for row in table_rows(html, "request-queue")] == [
        False,
        False,
        False,
    ]
    assert "The response-time target is 100 hours" in html


def test_filters_by_status_reason_school_and_age(client, auditor, queue) -> None:
    client.force_login(auditor)

    def addresses(query: str) -> list[str]:
        rows = table_rows(page(client, f"{QUEUE}?{query}"), "request-queue")
        return [word for row in rows for word in row.split() if "@" in word]

    assert addresses("status=rejected") == ["done@example.com"]
    assert addresses("status=all") == [
        "young@example.com",
        "middle@example.com",
        "old@example.com",
        "done@example.com",
    ]
    assert addresses("reason=mailbox_full") == ["young@example.com"]
    yoga = queue["middle"].school_id
    assert addresses(f"school={yoga}") == ["middle@example.com"]
    assert addresses("school=yoga") == ["middle@example.com"]
    assert "No school has that slug." in page(client, f"{QUEUE}?school=nope")
    assert addresses("age=late") == ["old@example.com", "middle@example.com"]
    assert addresses("age=1d") == ["old@example.com", "middle@example.com"]
    assert addresses("age=3d") == ["old@example.com"]


def test_a_row_opens_the_address_case_page(client, agent, queue) -> None:
    client.force_login(agent)
    html = page(client, QUEUE)
    address_id = queue["old"].address_id
    assert f'href="/admin/suppression/emailaddress/{address_id}/change/">old@example.com' in html


def test_pages_by_keyset_and_the_query_count_does_not_grow_with_the_page(
    client, auditor, agent, school
) -> None:
    now = timezone.now()
    for i in range(12):
        bounce(f"q{i}@example.com", school=school, at=now - timedelta(days=20))
        request_at(
            now - timedelta(hours=12 - i), email=f"q{i}@example.com", school=school, actor=agent
        )
    client.force_login(auditor)
    with queries() as small:
        first = page(client, f"{QUEUE}?n=50&status=pending")
    seen = [w for row in table_rows(first, "request-queue") for w in row.split() if "@" in w]
    assert seen == [f"q{i}@example.com" for i in range(12)]
    # Five pages of 5, 5 and 2 rows through the "next" link.
    url, walked = f"{QUEUE}?status=pending&n=5", []
    with queries() as paged:
        html = page(client, url)
    while True:
        walked += [w for row in table_rows(html, "request-queue") for w in row.split() if "@" in w]
        found = [link for link in html.split('href="') if 'rel="next"' in link.split(">")[0]]
        if not found:
            break
        html = page(client, QUEUE + found[0].split('"')[0].replace("&amp;", "&"))
    assert walked == seen
    assert len(small.captured_queries) == len(paged.captured_queries)
    assert not any("OFFSET" in q["sql"] for q in small.captured_queries)
