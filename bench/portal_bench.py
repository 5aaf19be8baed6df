"""Time the owner portal's paused list for the biggest and a small school (after seed_bulk).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/kwiga_bench
    .venv/bin/python bench/portal_bench.py

Makes a bench owner of the school with the most paused addresses and of one with a handful,
renders each page in-process through Django's test client and prints the median of a few runs.
A benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kwiga_mail.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from suppression.models import BounceEvent, School, SchoolMembership  # noqa: E402
from suppression.portal.filters import PausedFilter  # noqa: E402
from suppression.portal.paging import Cursor, keyset_page  # noqa: E402
from suppression.portal.selectors import school_paused  # noqa: E402
from suppression.portal.views import PAGE_SIZE  # noqa: E402

ROUNDS = 5


def timed(client: Client, url: str, params: dict[str, str] | None = None) -> float:
    runs = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(url, params or {})
        runs.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(runs) * 1000


def older_cursor(school: School, params: dict[str, str], page: int) -> dict[str, str]:
    """The query of the list's ``page``-th page, reached as an owner does: "Older" each time."""
    paused = PausedFilter(params, queryset=school_paused(school)).qs
    cursor: Cursor | None = None
    for _ in range(page - 1):
        cursor = keyset_page(paused, size=PAGE_SIZE, time_field="opened_at", older=cursor).older
        if cursor is None:
            break
    if cursor is None:
        return params
    return {**params, "older": str(cursor), "start": str((page - 1) * PAGE_SIZE)}


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    owner, _ = User.objects.get_or_create(username="bench-owner")
    by_events = BounceEvent.objects.values("school").annotate(n=Count("id")).order_by("-n")
    big = School.objects.get(pk=by_events[0]["school"])
    small = School.objects.get(pk=list(by_events)[-1]["school"])
    for school in (big, small):
        SchoolMembership.objects.get_or_create(school=school, user=owner)
    client = Client()
    client.force_login(owner)
    for school in (big, small):
        paused = school_paused(school)
        total = paused.count()
        sample = paused[total // 2 : total // 2 + 1].get() if total else None
        url = reverse("portal:paused", kwargs={"school": school.slug})
        print(f"{school.slug}: {total} paused addresses")
        print(f"  first page            {timed(client, url):8.1f} ms")
        page20 = older_cursor(school, {}, 20)
        print(f"  page 20 (keyset)      {timed(client, url, page20):8.1f} ms")
        if sample is not None:
            address = sample.address.address
            print(f"  search an address     {timed(client, url, {'q': address}):8.1f} ms")
            for domain in dict.fromkeys([sample.address.domain, "gmail.com"]):
                print(f"  search {domain:22} {timed(client, url, {'q': domain}):8.1f} ms")
                page20 = older_cursor(school, {"q": domain}, 20)
                print(f"  ... its page 20       {timed(client, url, page20):8.1f} ms")
            print(
                f"  filter by reason      {timed(client, url, {'reason': sample.reason}):8.1f} ms"
            )
        if connection.vendor == "postgresql":
            sql, params = paused[:51].query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT TEXT) {sql}", params)
                plan = [row[0] for row in cursor.fetchall()]
            print("  plan of the first page:\n    " + "\n    ".join(plan[:12]))


if __name__ == "__main__":
    main()
