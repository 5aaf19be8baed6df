"""Incidents where support looks first: the dashboard lists open ones (and silent ways in), and
the case page of an address at a paused domain says so, naming the incident."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from suppression import services
from suppression.models import Source, SourceLiveness
from suppression.taxonomy import Reason

from .helpers import page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_threshold(settings) -> None:
    settings.SUPPRESSION = {**settings.SUPPRESSION, "INCIDENT_THRESHOLD": 3}


def _refuse(n: int) -> None:
    for i in range(n):
        services.bounce_record(
            email=f"user{i}@contoso.com",
            source=Source.API,
            dedupe_key=f"panel-{i}",
            occurred_at=timezone.now(),
            reason=Reason.SENDER_REPUTATION,
            status="5.7.1",
            diagnostic="550 5.7.1 blocked using Spamhaus",
            remote_mta="contoso-com.mail.protection.outlook.com",
        )


def test_the_dashboard_lists_open_incidents(client, auditor) -> None:
    client.force_login(auditor)
    assert "No open incident" in page(client, "/admin/")
    _refuse(3)
    html = page(client, "/admin/")
    section = html.split('id="open-incidents"', 1)[1].split("</table>", 1)[0]
    assert "outlook.com" in section and "contoso.com" in section


def test_the_dashboard_names_a_silent_way_in(client, auditor) -> None:
    SourceLiveness.objects.create(
        source="lmtp", last_delivered_at=timezone.now() - timedelta(days=2)
    )
    client.force_login(auditor)
    html = page(client, "/admin/")
    assert 'id="silent-sources"' in html
    assert "LMTP server" in html.split('id="silent-sources"', 1)[1].split("</p>", 1)[0]


def test_the_case_page_says_the_domain_is_paused_not_the_address(client, agent) -> None:
    _refuse(3)
    address = services.bounce_record(
        email="user0@contoso.com",
        source=Source.API,
        dedupe_key="panel-own",
        occurred_at=timezone.now(),
        reason=Reason.MAILBOX_FULL,
        status="4.2.2",
    ).event.address
    client.force_login(agent)
    html = page(client, f"/admin/suppression/emailaddress/{address.pk}/change/")
    line = html.split('id="domain-paused"', 1)[1].split("</p>", 1)[0]
    assert "contoso.com is paused" in line and "incident #" in line
    assert "Sending is on" in html
