"""Time the support console's list pages at full size (run after seed_bulk on PostgreSQL).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/kwiga_bench
    .venv/bin/python bench/admin_bench.py

Renders each page in-process through Django's test client as a superuser (so every row is
visible) and prints the median of a few runs. A benchmark, not a test: it prints figures.
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
from django.test import Client  # noqa: E402

from suppression.models import BounceEvent, EmailAddress  # noqa: E402

ROUNDS = 3


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    user, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    sample = EmailAddress.objects.order_by("id")[EmailAddress.objects.count() // 2]
    pages = {
        "suppressions": "/admin/suppression/suppression/",
        "suppressions, open": "/admin/suppression/suppression/?state=open",
        "suppressions, lifted": "/admin/suppression/suppression/?state=lifted",
        "suppressions, reason filter": "/admin/suppression/suppression/?reason__exact=mailbox_full",
        "suppressions, search address": f"/admin/suppression/suppression/?q={sample.address}",
        "suppressions, search gmail.com": "/admin/suppression/suppression/?q=gmail.com",
        "addresses": "/admin/suppression/emailaddress/",
        "addresses, search address": f"/admin/suppression/emailaddress/?q={sample.address}",
        "address page": f"/admin/suppression/emailaddress/{sample.pk}/change/",
        "events": "/admin/suppression/bounceevent/",
        "events, reason filter": "/admin/suppression/bounceevent/?reason__exact=dns_error",
        "events, search address": f"/admin/suppression/bounceevent/?q={sample.address}",
        "events, search gmail.com": "/admin/suppression/bounceevent/?q=gmail.com",
        "pending requests": "/admin/suppression/reinstatementrequest/?status__exact=pending",
        "changes feed": "/admin/suppression/suppressionchange/",
    }
    print(f"{EmailAddress.objects.count():,} addresses, {BounceEvent.objects.count():,} events")
    print(f"{'page':34s} {'status':>6s} {'median':>9s}")
    for name, url in pages.items():
        timings = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - start)
        median_ms = statistics.median(timings) * 1000
        print(f"{name:34s} {response.status_code:6d} {median_ms:7.0f} ms")


if __name__ == "__main__":
    main()
