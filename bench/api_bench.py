"""End-to-end benchmark of the sending gate: gunicorn, real HTTP, PostgreSQL with seed_bulk data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kwiga_bench \\
        .venv/bin/python manage.py seed_bulk --reset --addresses 1000000 --events 5000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kwiga_bench .venv/bin/python bench/api_bench.py

Starts ``gunicorn kwiga_mail.wsgi -w 2`` on a free port, measures every figure the issue asks
for with the raw-psycopg baseline beside it, prints a table and stops the server. It writes
bounce events (the ingest run) and an API client into the database it is pointed at.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kwiga_mail.settings")

RAW_CHECK_SQL = """
SELECT a.address, s.reason, s.bounce_type, s.opened_at
FROM suppression_emailaddress a
JOIN suppression_suppression s ON s.address_id = a.id AND s.lifted_at IS NULL
WHERE a.address = ANY(%s)
"""
RAW_PAGE_SQL = """
SELECT c.id, c.kind, c.at, a.address, s.reason, s.bounce_type
FROM suppression_suppressionchange c
JOIN suppression_emailaddress a ON a.id = c.address_id
JOIN suppression_suppression s ON s.id = c.suppression_id
WHERE c.id > %s ORDER BY c.id LIMIT %s
"""

rows: list[tuple[str, str, str, str]] = []


def report(what: str, figure: str, baseline: str, target: str) -> None:
    rows.append((what, figure, baseline, target))
    print(f"  {what}: {figure} (baseline {baseline}; target {target})", flush=True)


def timed(work: Callable[[], Any], runs: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "kwiga_mail.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2)
            return server
        except requests.ConnectionError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=7, help="Timed runs of each bulk check.")
    parser.add_argument("--ingest-batches", type=int, default=20, help="Batches of 500 events.")
    parser.add_argument("--feed-limit", type=int, default=10_000, help="Changes per page.")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database seed_bulk filled.")
    import django

    django.setup()
    from suppression.services.api_clients import api_client_create

    token = api_client_create(
        name=f"bench-{uuid.uuid4().hex[:8]}", scopes=["check", "ingest"], actor=None
    ).token
    raw = psycopg.connect(database_url, autocommit=True)
    counts = {
        table: raw.execute(f"SELECT COUNT(*) FROM suppression_{table}").fetchone()[0]  # type: ignore[index]
        for table in ("emailaddress", "suppression", "bounceevent", "suppressionchange")
    }
    print("Data: " + ", ".join(f"{table} {count:,}" for table, count in counts.items()))

    suppressed = [
        r[0]
        for r in raw.execute(
            "SELECT a.address FROM suppression_emailaddress a JOIN suppression_suppression s "
            "ON s.address_id = a.id AND s.lifted_at IS NULL ORDER BY random() LIMIT 5000"
        )
    ]
    known_clear = [
        r[0]
        for r in raw.execute(
            "SELECT a.address FROM suppression_emailaddress a WHERE NOT EXISTS (SELECT 1 FROM "
            "suppression_suppression s WHERE s.address_id = a.id AND s.lifted_at IS NULL) "
            "ORDER BY random() LIMIT 5000"
        )
    ]
    fresh = [
        f"reader.{uuid.uuid4().hex[:12]}@{domain}"
        for domain in ["gmail.com", "ukr.net", "outlook.com", "school-mail.com.ua"] * 25_000
    ]
    campaign = suppressed + known_clear + fresh[: 100_000 - len(suppressed) - len(known_clear)]
    small = campaign[:500] + campaign[-9_500:]  # 10,000 with 5% suppressed

    port = free_port()
    server = start_gunicorn(port, args.workers)
    base = f"http://127.0.0.1:{port}/api/v1"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    try:
        print(f"gunicorn -w {args.workers} on :{port}; medians of {args.runs} runs")
        for label, emails, target in (("100,000", campaign, 1.0), ("10,000", small, 0.150)):
            baseline = statistics.median(
                timed(lambda e=emails: raw.execute(RAW_CHECK_SQL, [e]).fetchall(), args.runs)
            )
            answers: list[Any] = []

            def check(e: list[str] = emails, answers: list[Any] = answers) -> None:
                response = session.post(f"{base}/suppressions/check", json={"emails": e})
                response.raise_for_status()
                answers.append(response.json())

            median = statistics.median(timed(check, args.runs))
            hits = len(answers[-1]["suppressed"])
            report(
                f"bulk check {label} ({hits:,} suppressed)",
                ms(median),
                f"raw SQL {ms(baseline)}, {median / baseline:.1f}x",
                f"≤ {ms(target)}" + (", ≤ 3x raw" if label == "100,000" else ""),
            )

        one = suppressed[0]
        single_raw = statistics.median(
            timed(lambda: raw.execute(RAW_CHECK_SQL, [[one]]).fetchall(), 200)
        )
        single = statistics.median(
            timed(lambda: session.get(f"{base}/suppressions/{one}").raise_for_status(), 200, 5)
        )
        report("single-address check", ms(single), f"raw SQL {ms(single_raw)}", "≤ 10 ms")

        run = uuid.uuid4().hex[:8]
        batches = [
            {
                "events": [
                    {
                        "event_id": f"{run}-{b}-{i}",
                        "address": f"bounce.{run}.{b}.{i % 400}@gmail.com",
                        "occurred_at": "2025-06-01T12:00:00Z",
                        "status": "5.1.1" if i % 3 else "4.2.2",
                        "smtp_code": "550" if i % 3 else "452",
                        "diagnostic": "550 5.1.1 user unknown",
                        "stream": "campaign",
                    }
                    for i in range(500)
                ]
            }
            for b in range(args.ingest_batches)
        ]

        def post(body: dict[str, Any]) -> dict[str, Any]:
            response = session.post(f"{base}/bounces", json=body, timeout=300)
            response.raise_for_status()
            return dict(response.json())

        events = 500 * len(batches)
        for label, posters in (("first delivery", args.workers), ("replay (idempotent)", 2)):
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=posters) as pool:
                results = list(pool.map(post, batches))
            rate = events / (time.perf_counter() - started)
            recorded = sum(r["recorded"] for r in results)
            report(
                f"ingest {label}, {events:,} events in batches of 500, {posters} posters",
                f"{rate:,.0f} events/s",
                f"{recorded:,} recorded",
                "≥ 1,000 events/s",
            )

        limit, cursor, page_times, raw_times, total = args.feed_limit, "0", [], [], 0
        while True:
            started = time.perf_counter()
            response = session.get(
                f"{base}/suppressions/changes", params={"cursor": cursor, "limit": limit}
            )
            response.raise_for_status()
            page_times.append(time.perf_counter() - started)
            body = response.json()
            started = time.perf_counter()
            raw.execute(RAW_PAGE_SQL, [int(cursor), limit]).fetchall()
            raw_times.append(time.perf_counter() - started)
            total += len(body["changes"])
            cursor = body["next_cursor"]
            if not body["has_more"]:
                break
        first, last = statistics.median(page_times[:10]), statistics.median(page_times[-10:])
        report(
            f"changes feed, {total:,} changes in {len(page_times)} pages of {limit:,}",
            f"first 10 pages {ms(first)}/page, last 10 {ms(last)}/page, total "
            f"{sum(page_times):.1f} s",
            f"raw keyset {ms(statistics.median(raw_times))}/page",
            "no slow-down page by page",
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        raw.close()

    print("\n| measurement | figure | baseline | target |\n| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
