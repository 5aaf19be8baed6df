"""End-to-end benchmark of the sending gate: gunicorn, real HTTP, PostgreSQL with seed_bulk data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kwiga_bench \\
        .venv/bin/python manage.py seed_bulk --reset --addresses 1000000 --events 5000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kwiga_bench .venv/bin/python bench/api_bench.py

Starts gunicorn with the project's ``gunicorn.conf.py`` (gthread, keep-alive) on a free port and
measures every figure of the sending gate beside the fastest way to get the same rows straight
from PostgreSQL, interleaved round by round in the same run (on a shared machine a ratio moves by
a third from run to run; interleaving puts both sides under the same load). Both sides are warmed
the same number of times with the same lists; the raw connection never prepares statements (a
prepared statement's generic plan would make the baseline depend on the connection's history),
and the plans measured are printed. It writes bounce events (the ingest run) and an API client
into the database it is pointed at.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
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

# Ways to get the open suppressions of a list of normalized addresses straight from PostgreSQL,
# each returning the same rows (address, reason, type, opened_at). The fastest one in each round
# is the baseline. "%(jit)s" runs before the statement, on the same connection.
_ROWS = "a.address, s.reason, s.bounce_type, s.opened_at"
_ANY_SQL = (
    f"SELECT {_ROWS} FROM suppression_emailaddress a JOIN suppression_suppression s "
    "ON s.address_id = a.id AND s.lifted_at IS NULL WHERE a.address = ANY(%s)"
)
_PROBE_SQL = (
    f"SELECT {_ROWS} FROM unnest(string_to_array(%s, E'\\n')) AS w(address) "
    "CROSS JOIN LATERAL (SELECT id, address FROM suppression_emailaddress "
    "WHERE address = w.address LIMIT 1) a "
    "JOIN suppression_suppression s ON s.address_id = a.id AND s.lifted_at IS NULL"
)
# name: (how the list travels, SQL, JIT off for the statement)
RAW_WAYS: dict[str, tuple[str, str, bool]] = {
    "= ANY(array)": ("array", _ANY_SQL, False),
    "= ANY(array), JIT off": ("array", _ANY_SQL, True),
    "LATERAL probe, sorted text": ("sorted", _PROBE_SQL, False),
    "LATERAL probe, sorted text, JIT off": ("sorted", _PROBE_SQL, True),
    "LATERAL probe, input order, JIT off": ("text", _PROBE_SQL, True),
}

RAW_ONE_SQL = (
    f"SELECT {_ROWS} FROM suppression_emailaddress a JOIN suppression_suppression s "
    "ON s.address_id = a.id AND s.lifted_at IS NULL WHERE a.address = %s"
)
RAW_PAGE_SQL = """
SELECT c.id, c.kind, c.at, a.address, s.reason, s.bounce_type
FROM suppression_suppressionchange c
JOIN suppression_emailaddress a ON a.id = c.address_id
JOIN suppression_suppression s ON s.id = c.suppression_id
WHERE c.id > %s ORDER BY c.id LIMIT %s
"""

rows: list[tuple[str, str, str, str]] = []
SERVER_LOG = tempfile.NamedTemporaryFile(  # noqa: SIM115  (open while the server runs)
    prefix="api_bench_gunicorn_", suffix=".log", delete=False
)


def report(what: str, figure: str, baseline: str, target: str) -> None:
    rows.append((what, figure, baseline, target))
    print(f"  {what}: {figure} (baseline {baseline}; target {target})", flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def spread(times: list[float]) -> str:
    ordered = sorted(times)
    return f"{ms(statistics.median(ordered))} (min {ms(ordered[0])}, max {ms(ordered[-1])})"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "SUPPRESSION_API_SERVER_TIMING": "1",  # the bulk check's phases, in a response header
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "kwiga_mail.wsgi",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
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
        # Django logs every 401 (the single check's floor makes hundreds): the server's output
        # goes to a file, named here.
        stdout=SERVER_LOG,
        stderr=subprocess.STDOUT,
    )
    print(f"gunicorn's output: {SERVER_LOG.name}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=20)
            return server
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def workers_of(server: subprocess.Popen[bytes]) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS (Linux ≥ 4.0)
        return True
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--ways", default="", help="Comma-separated numbers (1-5) of the raw ways to run; all."
    )
    parser.add_argument("--port", type=int, default=0, help="Default: a free one.")
    parser.add_argument("--rounds", type=int, default=15, help="Interleaved rounds of each check.")
    parser.add_argument("--warmup", type=int, default=3, help="Untimed runs of each side first.")
    parser.add_argument("--ingest-batches", type=int, default=20, help="Batches of 500 events.")
    parser.add_argument("--ingest-clients", type=int, default=4)
    parser.add_argument("--feed-limit", type=int, default=10_000, help="Changes per page.")
    parser.add_argument("--feed-pages", type=int, default=40, help="Pages timed (0: all).")
    args = parser.parse_args()
    if args.ways:
        chosen = [list(RAW_WAYS)[int(n) - 1] for n in args.ways.split(",")]
        for way in list(RAW_WAYS):
            if way not in chosen:
                del RAW_WAYS[way]

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database seed_bulk filled.")
    import django

    django.setup()
    from suppression.services.api_clients import api_client_create

    token = api_client_create(
        name=f"bench-{uuid.uuid4().hex[:8]}", scopes=["check", "ingest"], actor=None
    ).token
    # prepare_threshold=None: never a prepared statement, so no generic plan after 5 runs
    raw = psycopg.connect(database_url, autocommit=True, prepare_threshold=None)
    counts = {
        table: raw.execute(f"SELECT COUNT(*) FROM suppression_{table}").fetchone()[0]  # type: ignore[index]
        for table in ("emailaddress", "suppression", "bounceevent", "suppressionchange")
    }
    print("Data: " + ", ".join(f"{table} {count:,}" for table, count in counts.items()))
    # As autovacuum leaves a live database: statistics, and a visibility map that lets both
    # sides answer from the covering indexes (migration 0015) without heap fetches. A database
    # fresh from seed_bulk may not have had its autovacuum yet.
    started = time.perf_counter()
    raw.execute("VACUUM (ANALYZE) suppression_emailaddress, suppression_suppression")
    took = time.perf_counter() - started
    print(f"VACUUM (ANALYZE) of the addresses and suppressions: {took:.1f} s")
    print(f"Load average at start: {os.getloadavg()}, {os.cpu_count()} CPUs")

    suppressed = [
        r[0]
        for r in raw.execute(
            "SELECT a.address FROM suppression_emailaddress a JOIN suppression_suppression s "
            "ON s.address_id = a.id AND s.lifted_at IS NULL ORDER BY random() LIMIT 50000"
        )
    ]
    known_clear = [
        r[0]
        for r in raw.execute(
            "SELECT a.address FROM suppression_emailaddress a WHERE NOT EXISTS (SELECT 1 FROM "
            "suppression_suppression s WHERE s.address_id = a.id AND s.lifted_at IS NULL) "
            "ORDER BY random() LIMIT 25000"
        )
    ]
    fresh = [
        f"reader.{uuid.uuid4().hex[:12]}@{domain}"
        for domain in ["gmail.com", "ukr.net", "outlook.com", "school-mail.com.ua"] * 25_000
    ]
    shuffle = random.Random(14).shuffle
    five = suppressed[:5_000] + known_clear[:5_000] + fresh[:90_000]
    fifty = suppressed[:50_000] + known_clear[:25_000] + fresh[:25_000]
    ten = suppressed[:500] + known_clear[:2_500] + fresh[:7_000]
    for emails in (five, fifty, ten):
        shuffle(emails)

    port = args.port or free_port()
    server = start_gunicorn(port, args.workers)
    base = f"http://127.0.0.1:{port}/api/v1"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    try:
        print(
            f"gunicorn -w {args.workers} (gunicorn.conf.py: gthread, keep-alive) on :{port}; "
            f"{args.rounds} interleaved rounds after {args.warmup} warm-up runs of each side"
        )
        memory: dict[str, int] = {}
        for label, emails, target in (
            ("100,000, 5% suppressed", five, 1.0),
            ("100,000, 50% suppressed", fifty, 1.0),
            ("10,000, 5% suppressed", ten, 0.040),
        ):
            bulk_round(args, label, emails, target, raw, session, base, server, memory)
        single(session, base, raw, suppressed[0])
        ingest(args, session, base)
        feed(args, session, base, raw)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        raw.close()

    print(f"\nLoad average at the end: {os.getloadavg()}")
    print("\n| measurement | figure | baseline | target |\n| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def raw_runner(raw: psycopg.Connection[Any], way: str, emails: list[str]) -> Callable[[], Any]:
    shape, sql, jit = RAW_WAYS[way]
    param: Any = (
        emails if shape == "array" else "\n".join(sorted(emails) if shape == "sorted" else emails)
    )

    def run() -> Any:
        if jit:
            raw.execute("SET jit = off")
        result = raw.execute(sql, [param]).fetchall()
        if jit:
            raw.execute("RESET jit")
        return result

    return run


def print_plan(raw: psycopg.Connection[Any], way: str, emails: list[str]) -> None:
    shape, sql, jit = RAW_WAYS[way]
    param: Any = (
        emails if shape == "array" else "\n".join(sorted(emails) if shape == "sorted" else emails)
    )
    if jit:
        raw.execute("SET jit = off")
    plan = [r[0] for r in raw.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql, [param])]
    raw.execute("RESET jit")
    print(f"    plan of the baseline ({way}):")
    for line in plan:
        print(f"      {line}")


def bulk_round(
    args: argparse.Namespace,
    label: str,
    emails: list[str],
    target: float,
    raw: psycopg.Connection[Any],
    session: requests.Session,
    base: str,
    server: subprocess.Popen[bytes],
    memory: dict[str, int],
) -> None:
    # Encoded once, as the raw side joins its parameter once: the client's JSON encoding of
    # 100,000 addresses (~30 ms) is not the API's time.
    body = json.dumps({"emails": emails}).encode()
    answers: list[int] = []
    phases: dict[str, list[float]] = {}

    def api(form: str = "full") -> Callable[[], None]:
        def call() -> None:
            response = session.post(
                f"{base}/suppressions/check?form={form}",
                data=body,
                headers={"Content-Type": "application/json"},
            )
            response.raise_for_status()
            answers.append(len(response.content))
            if form == "full":
                for name, spent in server_timing(response.headers.get("Server-Timing", "")):
                    phases.setdefault(name, []).append(spent)

        return call

    sides: dict[str, Callable[[], Any]] = {"API": api(), "API compact": api("compact")}
    sides |= {way: raw_runner(raw, way, emails) for way in RAW_WAYS}
    for _ in range(args.warmup):
        for run in sides.values():
            run()
    hits = len(raw_runner(raw, next(iter(RAW_WAYS)), emails)())
    workers = workers_of(server)
    measuring_memory = "50%" in label and all(reset_peak(pid) for pid in workers)
    phases.clear()  # the warm-up runs' phases do not count
    idle = {pid: memory_kb(pid, "VmRSS") for pid in workers}
    times: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for round_ in range(args.rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:  # each side goes first in turn
            started = time.perf_counter()
            sides[name]()
            times[name].append(time.perf_counter() - started)
    if measuring_memory:
        grew = max(memory_kb(pid, "VmHWM") - idle[pid] for pid in workers)
        memory["peak"] = grew
    medians = {name: statistics.median(values) for name, values in times.items()}
    fastest = min(RAW_WAYS, key=lambda way: medians[way])
    print(f"  bulk check {label}: {hits:,} suppressed; medians of {args.rounds} rounds:")
    for name in names:
        mark = "  ← baseline" if name == fastest else ""
        print(f"    {name:40} {spread(times[name])}{mark}")
    api_median = medians["API"]
    print_phases(phases, api_median)
    print_plan(raw, fastest, emails)
    from suppression.selectors import _CHECK_SQL

    raw.execute("SET jit = off")
    plan = raw.execute(
        "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + _CHECK_SQL, ["\n".join(sorted(emails))]
    )
    raw.execute("RESET jit")
    print("    plan of the API's statement (JIT off, the addresses sorted as the API sends them):")
    for line in plan:
        print(f"      {line[0]}")
    report(
        f"bulk check {label} ({hits:,} suppressed)",
        f"{ms(api_median)} (compact {ms(medians['API compact'])}; "
        f"{api_median / len(emails) * 1e6:.1f} µs an address)",
        f"raw SQL {ms(medians[fastest])} ({fastest}) → {api_median / medians[fastest]:.2f}x",
        f"≤ {ms(target)}" + (", ≤ 2x raw" if label.startswith("100,000") else ""),
    )
    if measuring_memory:
        report(
            "worker memory during the 100,000 / 50% checks",
            f"+{memory['peak'] / 1024:.1f} MB peak over idle",
            f"idle RSS {max(idle.values()) / 1024:.0f} MB",
            "≤ +50 MB",
        )


def server_timing(header: str) -> list[tuple[str, float]]:
    """(phase, seconds) from a ``Server-Timing`` header: ``name;dur=<ms>, ...``."""
    found = []
    for part in header.split(","):
        name, _, duration = part.strip().partition(";dur=")
        if name and duration:
            found.append((name, float(duration) / 1000))
    return found


def print_phases(phases: dict[str, list[float]], client_median: float) -> None:
    """Where the API's time goes: the server's phases (medians), and the rest (HTTP)."""
    if not phases:
        return
    medians = {name: statistics.median(values) for name, values in phases.items()}
    server = sum(medians.values())
    parts = ", ".join(f"{name} {ms(spent)}" for name, spent in medians.items())
    print(f"    where the API's time goes (medians of the server's phases): {parts};")
    print(
        f"      server {ms(server)}, the rest (Django, HTTP, sending and reading the bodies) "
        f"{ms(client_median - server)}"
    )


def single(session: requests.Session, base: str, raw: psycopg.Connection[Any], one: str) -> None:
    def api() -> None:
        session.get(f"{base}/suppressions/{one}").raise_for_status()

    def fresh_connection() -> None:
        requests.get(
            f"{base}/suppressions/{one}", headers=session.headers, timeout=10
        ).raise_for_status()

    def sql() -> None:
        raw.execute(RAW_ONE_SQL, [one]).fetchall()

    anonymous = requests.Session()

    def no_token() -> None:
        # 401 before any query: what HTTP, gunicorn, Django's middleware and ninja cost alone.
        if anonymous.get(f"{base}/suppressions/{one}").status_code != 401:
            raise SystemExit("the single check answered without a token")

    sides = {"keep-alive": api, "new connection": fresh_connection, "raw": sql, "401": no_token}
    for _ in range(20):
        for run in sides.values():
            run()
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(300):
        for name, run in sides.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) for name, values in times.items()}
    report(
        "single-address check, keep-alive (300 interleaved)",
        ms(medians["keep-alive"]),
        f"raw SQL {ms(medians['raw'])}; a new connection each time {ms(medians['new connection'])}"
        f"; where it goes: {ms(medians['401'])} is HTTP, gunicorn, Django and ninja alone (a 401 "
        f"without a token, no query), the rest the token and address lookups",
        "≤ 2.5 ms",
    )


def ingest(args: argparse.Namespace, session: requests.Session, base: str) -> None:
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
        with requests.Session() as own:  # one connection per client
            response = own.post(f"{base}/bounces", json=body, headers=session.headers, timeout=300)
        response.raise_for_status()
        return dict(response.json())

    events = 500 * len(batches)
    for label in ("first delivery", "replay (idempotent)"):
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.ingest_clients) as pool:
            results = list(pool.map(post, batches))
        rate = events / (time.perf_counter() - started)
        recorded = sum(r["recorded"] for r in results)
        report(
            f"ingest {label}, {events:,} events in batches of 500, {args.ingest_clients} clients",
            f"{rate:,.0f} events/s",
            f"{recorded:,} recorded",
            "≥ 2,000 events/s",
        )


def feed(
    args: argparse.Namespace, session: requests.Session, base: str, raw: psycopg.Connection[Any]
) -> None:
    limit, cursor, page_times, raw_times, total = args.feed_limit, "0", [], [], 0
    while True:
        started = time.perf_counter()
        raw.execute(RAW_PAGE_SQL, [int(cursor), limit]).fetchall()
        raw_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        response = session.get(
            f"{base}/suppressions/changes", params={"cursor": cursor, "limit": limit}
        )
        response.raise_for_status()
        page_times.append(time.perf_counter() - started)
        body = response.json()
        total += len(body["changes"])
        cursor = body["next_cursor"]
        if not body["has_more"] or (args.feed_pages and len(page_times) >= args.feed_pages):
            break
    api_median, raw_median = statistics.median(page_times), statistics.median(raw_times)
    report(
        f"changes feed, {len(page_times)} pages of {limit:,} ({total:,} changes), interleaved",
        f"{ms(api_median)}/page (first 10 {ms(statistics.median(page_times[:10]))}, last 10 "
        f"{ms(statistics.median(page_times[-10:]))})",
        f"raw keyset {ms(raw_median)}/page → {api_median / raw_median:.2f}x",
        "≤ 2x raw",
    )


if __name__ == "__main__":
    main()
