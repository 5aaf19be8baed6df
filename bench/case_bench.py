"""Time the console's case page and search (run on PostgreSQL; seed_bulk data makes it at size).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/kwiga_bench
    .venv/bin/python bench/case_bench.py

Adds (once) an address with 5,000 bounce events, then renders its case page (first page and a
deep keyset page) and the search (exact, domain, part) in-process through Django's test client
as an agent, printing the median server time and the query count of each. Prints figures; it
is not a test.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kwiga_mail.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from suppression import services  # noqa: E402
from suppression.console.counts import count_events  # noqa: E402
from suppression.console.selectors import encode_cursor  # noqa: E402
from suppression.models import BounceEvent, EmailAddress, Source  # noqa: E402
from suppression.roles import SUPPORT_AGENT  # noqa: E402

ROUNDS = 15
EMAIL = "case-bench.5000@bench.example"
EVENTS = 5000


def busy_address() -> EmailAddress:
    address = EmailAddress.objects.filter(address=EMAIL).first()
    if address is None:
        services.bounce_record(
            email=EMAIL,
            source=Source.API,
            dedupe_key="case-bench-0",
            occurred_at=timezone.now(),
            reason="mailbox_unknown",
            status="5.1.1",
        )
        address = EmailAddress.objects.get(address=EMAIL)
    missing = EVENTS - address.events.count()
    if missing > 0:
        now = timezone.now()
        made = BounceEvent.objects.bulk_create(
            BounceEvent(
                address=address,
                occurred_at=now - timedelta(minutes=i),
                bounce_type="hard",
                reason="mailbox_unknown",
                status="5.1.1",
                diagnostic=f"550 5.1.1 bench event {i}",
                source=Source.API,
                dedupe_key=f"case-bench-{i}",
            )
            for i in range(EVENTS - missing, EVENTS)
        )
        count_events(made)  # the event list's daily counts stay exact (bulk_create skips them)
    return address


def timed(client: Client, url: str) -> tuple[float, int]:
    runs = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(url)
        runs.append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 302), (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(runs), len(queries)


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    agent, _ = User.objects.get_or_create(username="bench-agent", defaults={"is_staff": True})
    agent.groups.add(Group.objects.get(name=SUPPORT_AGENT))
    client = Client()
    client.force_login(agent)
    address = busy_address()
    case = reverse("admin:suppression_emailaddress_change", args=[address.pk])
    deep = address.events.order_by("-occurred_at", "-pk")[4900]
    find = reverse("admin:suppression_emailaddress_find")
    pages = {
        f"case page, {EVENTS} events, first page": case,
        "case page, keyset page near the oldest": (
            f"{case}?before={quote(encode_cursor(deep.occurred_at, deep.pk))}"
        ),
        "find an exact address": f"{find}?q={EMAIL}",
        "find a domain": f"{find}?q=gmail.com",
        "find a part (trigram on PostgreSQL)": f"{find}?q=kovalen",
    }
    print(f"{connection.vendor}, {EmailAddress.objects.count()} addresses (estimated ok)")
    for name, url in pages.items():
        ms, queries = timed(client, url)
        print(f"{name:45s} {ms:8.1f} ms median of {ROUNDS}, {queries} queries")


if __name__ == "__main__":
    main()
