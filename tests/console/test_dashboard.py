"""The admin index's dashboard: paused addresses by reason, the 30-day chart, the queue's size
and age, and receiving domains whose refusals of the platform rose sharply."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from suppression.taxonomy import Reason

from ..factories import bounce
from .helpers import page, queries, request_at, sql_of, table_rows

pytestmark = pytest.mark.django_db


def test_the_index_shows_paused_addresses_by_reason(client, auditor) -> None:
    for i in range(3):
        bounce(f"gone{i}@example.com", Reason.MAILBOX_UNKNOWN)
    bounce("spam@example.com", Reason.COMPLAINT)
    client.force_login(auditor)
    rows = table_rows(page(client, "/admin/"), "suppressed-by-reason")
    assert rows == ["Non-existent address 3", "Spam complaint 1", "In all 4"]


def test_the_chart_draws_one_stacked_bar_per_type_and_day_from_the_page_itself(
    client, auditor
) -> None:
    now = timezone.now()
    bounce("a@example.com", Reason.MAILBOX_UNKNOWN, at=now - timedelta(days=2))
    bounce("b@example.com", Reason.MAILBOX_UNKNOWN, at=now - timedelta(days=2))
    bounce("c@example.com", Reason.MAILBOX_FULL, at=now - timedelta(days=2))
    bounce("d@example.com", Reason.MAILBOX_FULL, at=now - timedelta(days=40))  # outside
    client.force_login(auditor)
    html = page(client, "/admin/")
    svg = html.split('<svg class="console-chart"', 1)[1].split("</svg>", 1)[0]
    bars = re.findall(r'<rect class="(bar-\w+)"[^>]*height="([\d.]+)"', svg)
    assert [css for css, _ in bars] == ["bar-hard", "bar-soft"]
    hard, soft = (float(height) for _, height in bars)
    assert hard == pytest.approx(2 * soft, rel=0.01)  # scaled to the busiest day: 2 + 1
    day = (now - timedelta(days=2)).strftime("%d %b")
    assert f"<title>{day}: 2 hard</title>" in svg
    assert "the busiest day had 3." in svg
    # CSP: no inline script or style (the admin's own scripts are files).
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "style=" not in svg


def test_pending_requests_and_the_oldest_ones_age(client, auditor, agent, school) -> None:
    now = timezone.now()
    for i, days in enumerate((3, 1)):
        bounce(f"p{i}@example.com", school=school, at=now - timedelta(days=days + 1))
        request_at(
            now - timedelta(days=days), email=f"p{i}@example.com", school=school, actor=agent
        )
    client.force_login(auditor)
    html = page(client, "/admin/")
    assert "2 pending requests" in html
    assert "the oldest has waited 3\xa0days" in html


def test_a_domain_whose_refusals_rose_sharply_this_week_is_named(client, auditor) -> None:
    now = timezone.now()
    for i in range(25):  # this week, against nothing before
        bounce(
            f"r{i}@rising.example",
            Reason.SENDER_REPUTATION,
            status="5.7.1",
            at=now - timedelta(hours=i),
        )
    for week in range(1, 5):  # steady: 25 this week and 25 in each of the four before
        for i in range(25):
            bounce(
                f"s{week}-{i}@steady.example",
                Reason.SENDER_REPUTATION,
                status="5.7.1",
                at=now - timedelta(days=7 * week, hours=i),
            )
    for i in range(25):
        bounce(
            f"t{i}@steady.example",
            Reason.SENDER_REPUTATION,
            status="5.7.1",
            at=now - timedelta(hours=i),
        )
    client.force_login(auditor)
    rows = table_rows(page(client, "/admin/"), "rising-domains")
    assert rows == ["rising.example 25 0.0"]


def test_the_dashboard_reads_no_event_and_no_suppression_row(client, auditor) -> None:
    for i in range(5):
        bounce(f"x{i}@example.com", Reason.MAILBOX_UNKNOWN)
    client.force_login(auditor)
    with queries() as captured:
        page(client, "/admin/")
    tables = " ".join(sql_of(captured))
    assert "suppression_bounceevent" not in tables
    assert '"suppression_suppression"' not in tables
    assert "suppression_bouncedaycount" in tables
