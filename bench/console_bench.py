"""Time the console's lists and dashboard at full size (run after seed_bulk on PostgreSQL).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/kwiga_bench
    .venv/bin/python manage.py seed_bulk --reset --addresses 1000000 --events 5000000
    .venv/bin/python bench/console_bench.py            # every page below
    .venv/bin/python bench/console_bench.py --case 42  # also the case page of address 42

Renders each page in-process through Django's test client as a superuser, under the web
statement timeout (suppression/deadlines.py), and prints the median server time of a few runs
and the number of queries, with 50 and with 200 rows a page (the count must not grow). Event
filters: every value of each filter, every pair the sidebar offers (type x reason, reason x
source, reason x stream, source x stream, type x source x stream), schools from the busiest to
the quietest, date ranges, and deep keyset pages. A benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
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
from django.test.utils import CaptureQueriesContext  # noqa: E402

from suppression.conf import setting  # noqa: E402
from suppression.console.selectors import encode_cursor  # noqa: E402
from suppression.deadlines import set_statement_timeout  # noqa: E402
from suppression.models import (  # noqa: E402
    BounceEvent,
    BounceTypeChoices,
    EmailAddress,
    ReasonChoices,
    School,
)

ROUNDS = 3
EVENTS = "/admin/suppression/bounceevent/"
SOURCES = ["dsn", "api", "amazon_ses", "sendgrid", "mailgun", "postmark", "brevo"]
STREAMS = ["campaign", "automation", "system", "none"]


def timed(client: Client, url: str) -> tuple[int, float, int]:
    timings, queries = [], 0
    status = 0
    client.get(url)  # warm: the first render compiles templates and fills the buffer cache
    for _ in range(ROUNDS):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                for _chunk in itertools.islice(response.streaming_content, 200):
                    pass
            timings.append(time.perf_counter() - start)
        status = response.status_code
        queries = len(captured.captured_queries)
    return status, statistics.median(timings) * 1000, queries


def event_pages(*, pairs: bool = True) -> dict[str, str]:
    types = [value for value, _ in BounceTypeChoices.choices]
    reasons = [value for value, _ in ReasonChoices.choices]
    pages = {"events": EVENTS}
    for name, values in (
        ("bounce_type", types),
        ("reason", reasons),
        ("source", SOURCES),
        ("stream", STREAMS),
    ):
        for value in values:
            pages[f"events {name}={value}"] = f"{EVENTS}?{name}={value}"
    if not pairs:
        types, reasons = [], []
    for t, r in itertools.product(types, reasons):
        pages[f"events type={t} reason={r}"] = f"{EVENTS}?bounce_type={t}&reason={r}"
    for r, s in itertools.product(reasons, SOURCES):
        pages[f"events reason={r} source={s}"] = f"{EVENTS}?reason={r}&source={s}"
    for r, s in itertools.product(reasons, STREAMS):
        pages[f"events reason={r} stream={s}"] = f"{EVENTS}?reason={r}&stream={s}"
    for s, st in itertools.product(SOURCES if pairs else [], STREAMS):
        pages[f"events source={s} stream={st}"] = f"{EVENTS}?source={s}&stream={st}"
    for t, s, st in itertools.product(types, SOURCES if pairs else [], STREAMS):
        pages[f"events type={t} source={s} stream={st}"] = (
            f"{EVENTS}?bounce_type={t}&source={s}&stream={st}"
        )
    schools = (
        list(
            School.objects.annotate(n=Count("bounce_events")).order_by("-n").values_list("pk", "n")
        )
        if School.objects.count() < 5000
        else []
    )
    picks = [schools[0], schools[len(schools) // 2], schools[-1]] if schools else []
    for pk, n in picks:
        pages[f"events school={pk} ({n:,} events)"] = f"{EVENTS}?school={pk}"
        pages[f"events school={pk} reason=message_too_large"] = (
            f"{EVENTS}?school={pk}&reason=message_too_large"
        )
        pages[f"events school={pk} source=mailgun stream=none"] = (
            f"{EVENTS}?school={pk}&source=mailgun&stream=none"
        )
    latest = BounceEvent.objects.order_by("-occurred_at").values_list("occurred_at", flat=True)[:1]
    end = (latest[0] if latest else datetime.now(UTC)).date()
    for days in (1, 7, 30, 365):
        start = end - timedelta(days=days - 1)
        pages[f"events {days} days"] = f"{EVENTS}?day_from={start}&day_to={end}"
        pages[f"events {days} days reason=dns_error source=postmark"] = (
            f"{EVENTS}?day_from={start}&day_to={end}&reason=dns_error&source=postmark"
        )
    old = end - timedelta(days=400)
    pages["events 1 day, 400 days ago"] = f"{EVENTS}?day_from={old}&day_to={old}"
    pages["events every filter + dates"] = (
        f"{EVENTS}?bounce_type=soft&reason=mailbox_full&source=dsn&stream=campaign"
        f"&day_from={end - timedelta(days=90)}&day_to={end}"
    )
    deep = datetime.combine(end - timedelta(days=700), datetime.min.time(), tzinfo=UTC)
    pages["events deep keyset page (700 days back)"] = (
        f"{EVENTS}?after={encode_cursor(deep, 10**12)}"
    )
    pages["events deep page reason=complaint"] = (
        f"{EVENTS}?reason=complaint&after={encode_cursor(deep, 10**12)}"
    )
    sample = EmailAddress.objects.order_by("id").values_list("address", flat=True)[:1]
    if sample:
        pages["events q=address"] = f"{EVENTS}?q={sample[0]}"
    pages["events q=gmail.com"] = f"{EVENTS}?q=gmail.com"
    return pages


def add_requests(user: User, wanted: int) -> None:
    """Pending requests for the queue (seed_bulk writes none): one per open suppression picked,
    spread over the last five days, as many as ``wanted`` minus those already pending."""
    from suppression.models import ReinstatementRequest

    missing = wanted - ReinstatementRequest.objects.filter(status="pending").count()
    if missing <= 0:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO suppression_reinstatementrequest (address_id, school_id, suppression_id, "
            "requested_by_id, on_behalf_of_owner, explanation, status, created_at, decision_note, "
            "override_reason) "
            "SELECT s.address_id, (SELECT min(id) FROM suppression_school), s.id, %s, true, "
            "'bench request', 'pending', now() - random() * interval '5 days', '', '' "
            "FROM suppression_suppression s WHERE s.lifted_at IS NULL AND NOT EXISTS ("
            "  SELECT 1 FROM suppression_reinstatementrequest r WHERE r.address_id = s.address_id"
            ") ORDER BY s.id DESC LIMIT %s",
            [user.pk, missing],
        )
    print(f"added {missing:,} pending requests for the queue")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", type=int, help="also time this address's case page")
    parser.add_argument("--only", default="", help="only pages whose name contains this")
    parser.add_argument("--no-pairs", action="store_true", help="single filters only")
    parser.add_argument(
        "--requests", type=int, default=2000, help="pending requests the queue should hold"
    )
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    user, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    add_requests(user, args.requests)
    client = Client()
    client.force_login(user)
    set_statement_timeout(connection, setting("WEB_STATEMENT_TIMEOUT_SECONDS"))
    latest = datetime.now(UTC).date()
    pages = {
        "dashboard (admin index)": "/admin/",
        "queue (pending)": "/admin/suppression/reinstatementrequest/",
        "queue (any status)": "/admin/suppression/reinstatementrequest/?status=all",
        "queue (late)": "/admin/suppression/reinstatementrequest/?age=late",
        "audit log": "/admin/suppression/auditentry/",
        "audit log, the system": "/admin/suppression/auditentry/?person=system",
        "audit log, person": f"/admin/suppression/auditentry/?person={user.pk}",
        "audit log, type=request": "/admin/suppression/auditentry/?object_type="
        "suppression.reinstatementrequest",
        "audit log, action=changed": "/admin/suppression/auditentry/?action=~",
        "audit log, a month": f"/admin/suppression/auditentry/?day_from="
        f"{latest - timedelta(days=30)}&day_to={latest}",
        "audit log, a day a year ago": f"/admin/suppression/auditentry/?day_from="
        f"{latest - timedelta(days=365)}&day_to={latest - timedelta(days=365)}",
        "audit CSV, first 200 rows": "/admin/suppression/auditentry/export.csv",
        **event_pages(pairs=not args.no_pairs),
    }
    if args.case:
        pages["case page"] = f"/admin/suppression/emailaddress/{args.case}/change/"
    pages = {name: url for name, url in pages.items() if args.only in name}
    print(
        f"{EmailAddress.objects.count():,} addresses; statement timeout "
        f"{setting('WEB_STATEMENT_TIMEOUT_SECONDS')} s"
    )
    print(f"{'page':58s} {'status':>6s} {'median':>9s} {'queries':>7s} {'q@200':>6s}")
    worst: list[tuple[float, str]] = []
    for name, url in pages.items():
        status, median_ms, queries = timed(client, url)
        joiner = "&" if "?" in url else "?"
        queries_200 = queries
        if "export" not in url:  # one request: only its query count matters
            with CaptureQueriesContext(connection) as captured:
                client.get(f"{url}{joiner}n=200")
            queries_200 = len(captured.captured_queries)
        worst.append((median_ms, name))
        print(f"{name[:58]:58s} {status:6d} {median_ms:7.0f} ms {queries:7d} {queries_200:6d}")
    worst.sort(reverse=True)
    print(f"\n{len(worst)} pages; slowest medians:")
    for median_ms, name in worst[:8]:
        print(f"  {median_ms:7.0f} ms  {name}")
    print(f"median of medians {statistics.median(m for m, _ in worst):.0f} ms")


if __name__ == "__main__":
    main()
