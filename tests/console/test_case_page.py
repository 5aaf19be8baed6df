"""Point 2: one screen per address, newest first, paged by keyset, fast with 5,000 events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from suppression import services
from suppression.models import BounceEvent, EmailAddress, Source
from suppression.taxonomy import Reason
from tests.factories import SchoolFactory, bounce, owner_of

pytestmark = pytest.mark.django_db


def case_url(email: str) -> str:
    pk = EmailAddress.objects.get(address=email).pk
    return reverse("admin:suppression_emailaddress_change", args=[pk])


def test_the_case_page_shows_status_timeline_episodes_requests_and_history(
    client, agent, lead, school, owner
) -> None:
    services.bounce_record(
        email="kate@example.com",
        source=Source.API,
        dedupe_key="k1",
        occurred_at=timezone.now() - timedelta(days=40),
        reason=Reason.MAILBOX_UNKNOWN,
        status="5.1.1",
        smtp_code="550",
        diagnostic="550 5.1.1 <kate@example.com>: Recipient address rejected: User unknown",
        rule="status:5.1.1",
        remote_mta="mx.example.com",
        stream="campaign",
        school=school,
        message_id="<campaign-42@mail.kwiga.com>",
    )
    first = services.request_submit(
        email="kate@example.com", school=school, actor=owner, explanation="Typo in the mailbox."
    )
    services.request_approve(request=first, actor=agent, note="The mailbox exists again.")
    bounce("kate@example.com", Reason.MAILBOX_UNKNOWN, school=school)  # on probation: again
    other = SchoolFactory(name="Yoga School", slug="yoga")
    owner_of(other, "yoga-owner")
    services.request_submit(
        email="kate@example.com", school=other, actor=lead, explanation="Owner phoned: fixed."
    )
    client.force_login(agent)
    page = client.get(case_url("kate@example.com")).content.decode()

    banner = page.split('id="status-banner"')[1].split("</section>")[0]
    assert "Sending is paused." in banner and "Paused since" in banner
    assert "because: Non-existent address (hard bounce on probation)" in banner
    timeline = page.split('id="timeline"')[1].split("</table>")[0]
    for shown in (
        "Hard",
        "Non-existent address",
        "status:5.1.1",
        "5.1.1",
        "550",
        "550 5.1.1 &lt;kate@example.com&gt;: Recipient address rejected: User unknown",
        "mx.example.com",
        "Platform MTA (API)",
        "Campaign",
        "Demo School",
        "&lt;campaign-42@mail.kwiga.com&gt;",
    ):
        assert shown in timeline, shown
    assert timeline.index("test bounce") < timeline.index("Recipient address rejected")  # newest
    episodes = page.split('id="episodes"')[1].split("</table>")[0]
    assert "agent: The mailbox exists again." in episodes and "<strong>open</strong>" in episodes
    requests = page.split('id="requests"')[1].split("</table>")[0]
    assert "Yoga School" in requests and "lead (for the owner)" in requests
    assert "Approved" in requests and "Pending" in requests
    history = page.split('id="history"')[1].split("</table>")[0]
    assert "approved: The mailbox exists again." in history
    assert "request submitted on behalf of the owner" in history
    # the pending request's panel: explanation, previous resumes, guards
    assert "Owner phoned: fixed." in page and "by agent: The mailbox exists again." in page
    assert "No hard bounce within 30 days of the last resume" in page


def _many_events(email: str, count: int) -> EmailAddress:
    bounce(email, Reason.MAILBOX_UNKNOWN)
    address = EmailAddress.objects.get(address=email)
    now = timezone.now()
    BounceEvent.objects.bulk_create(
        BounceEvent(
            address=address,
            occurred_at=now - timedelta(minutes=i),
            bounce_type="hard",
            reason=Reason.MAILBOX_UNKNOWN,
            status="5.1.1",
            diagnostic=f"event number {i}",
            source=Source.API,
            dedupe_key=f"many-{i}",
        )
        for i in range(1, count)
    )
    return address


def test_the_timeline_pages_by_keyset_newest_first_without_gaps(client, agent, settings) -> None:
    settings.SUPPRESSION = {**settings.SUPPRESSION, "CASE_TIMELINE_PAGE_SIZE": 40}
    address = _many_events("busy@example.com", 100)
    client.force_login(agent)
    url = case_url("busy@example.com")
    seen: list[str] = []
    page = client.get(url).content.decode()
    while True:
        rows = page.split('id="timeline"')[1].split("<tbody>")[1].split("</tbody>")[0].count("<tr>")
        seen += [
            line for line in page.split("\n") if "event number" in line or "test bounce" in line
        ]
        assert rows <= 40
        if "Older bounces" not in page:
            break
        cursor = page.split('href="?before=')[1].split('"')[0]
        page = client.get(f"{url}?before={cursor}").content.decode()
    assert len(seen) == 100 == address.events.count()
    assert len(set(seen)) == 100
    assert "test bounce" in seen[0] and "event number 99" in seen[-1]


def test_the_query_count_does_not_grow_with_events_or_page_size(client, agent, settings) -> None:
    _many_events("huge@example.com", 5000)
    client.force_login(agent)
    url = case_url("huge@example.com")
    counts = []
    for size in (10, 200):
        settings.SUPPRESSION = {**settings.SUPPRESSION, "CASE_TIMELINE_PAGE_SIZE": size}
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count("event number") == size - 1  # + the first one
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_case_page_is_read_only_for_an_auditor_and_never_a_post_target(
    client, auditor, school, owner
) -> None:
    bounce("kate@example.com", Reason.MAILBOX_FULL, status="5.2.2", school=school)
    bounce("kate@example.com", Reason.MAILBOX_UNKNOWN, school=school)
    services.request_submit(
        email="kate@example.com", school=school, actor=owner, explanation="Cleared the mailbox."
    )
    client.force_login(auditor)
    response = client.get(case_url("kate@example.com"))
    page = response.content.decode()
    assert response.status_code == 200 and "Cleared the mailbox." in page
    assert page.count('method="post"') == 1  # the sign-out button only
    assert "Resume sending" not in page and "Suppress by hand" not in page
    assert client.post(case_url("kate@example.com")).status_code == 405
