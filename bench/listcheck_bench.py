"""Benchmark the list check: 1M rows, 20k domains served by a local DNS server.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/kwiga_bench  # the suppressed look-up
    .venv/bin/python manage.py seed_bulk --addresses 1200000 --events 1200000   # ~1M open
    .venv/bin/python bench/listcheck_bench.py [--rows 1000000] [--domains 20000]

Prints, from one run on the same generated file:

* a plain ``csv.reader`` pass over the file (the floor) in rows/s;
* ``email_validator.validate_email`` alone on the email column (the first 100,000 rows), rows/s;
* the checker without DNS and without the suppressed look-up, reading the file and writing the
  report and the cleaned file: rows/s on one core, and its ratio to both of the above;
* the suppressed look-up's own rate (``open_suppressions``, chunks of 5,000) against the open
  suppressions in PostgreSQL, when DATABASE_URL points at one;
* ``manage.py check_list`` end to end with DNS (20k domains on a DNS server on 127.0.0.1, in a
  process of its own), without the suppressed look-up: wall time, the command's peak RSS, and
  the CPU time of the command and of the DNS server (which of the two DNS is waiting on).

Each figure with a target says whether it is met.

A benchmark, not a test: it prints figures (README, "Checking a list before import").
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROVIDERS = ["gmail.com", "ukr.net", "i.ua", "meta.ua", "yahoo.com", "outlook.com", "icloud.com"]
TYPOS = ["gmial.com", "ukr.nte", "gmail.con", "hotmial.com", "i.au", "yaho.com"]
BAD = ["no-at-sign.example", "two..dots@x.example", "space in@x.example", "@nolocal.example", ""]


def bench_domain(i: int) -> str:
    return f"shop{i}.bench-list.example"


def zone(domains: int) -> dict[str, list[tuple[str, object]]]:
    """90% MX, 5% A only, 2% null MX, 3% not there (NXDOMAIN)."""
    records: dict[str, list[tuple[str, object]]] = {}
    for i in range(domains):
        kind = i % 100
        name = bench_domain(i)
        if kind < 90:
            records[name] = [("MX", (10, f"mx.{name}"))]
        elif kind < 95:
            records[name] = [("A", "192.0.2.1")]
        elif kind < 97:
            records[name] = [("MX", (0, "."))]
    return records


def generate(path: Path, rows: int, domains: int, seed: int = 12) -> None:
    rnd = random.Random(seed)
    recent: list[str] = []
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["email", "first_name", "phone"])
        for n in range(rows):
            roll = rnd.random()
            if roll < 0.03:
                email = rnd.choice(BAD)
            elif roll < 0.08 and recent:
                email = rnd.choice(recent).upper()  # a duplicate, differently cased
            elif roll < 0.10:
                email = f"user{n}@{rnd.choice(TYPOS)}"
            elif roll < 0.11:
                role = rnd.choice(["info", "admin", "noreply", "sales"])
                email = f"{role}@{bench_domain(n % domains)}"
            elif roll < 0.115:
                email = f"temp{n}@mailinator.com"
            elif roll < 0.45:
                email = f"client.{n}@{rnd.choice(PROVIDERS)}"
            else:
                email = f"client.{n}@{bench_domain(rnd.randrange(domains))}"
            if len(recent) < 5000:
                recent.append(email)
            elif rnd.random() < 0.01:
                recent[rnd.randrange(5000)] = email
            writer.writerow([email, f"Name {n}", f"+38050{n:07d}"])


TARGET_ROWS_PER_S = 150_000
TARGET_VS_VALIDATOR = 2.5
TARGET_END_TO_END_S = 60.0
TARGET_PEAK_MB = 200.0


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def rate(rows: int, seconds: float, unit: str = "rows") -> str:
    return f"{rows / seconds:,.0f} {unit}/s ({seconds:.2f} s)"


def cpu_rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s ({seconds:.2f} s of CPU)"


def serve_dns(port: int, domains: int) -> None:
    from suppression.demo_dns import start_server

    _server, _, _ = start_server(zone(domains), port=port)
    print("ready", flush=True)
    while True:
        time.sleep(3600)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--domains", type=int, default=20_000)
    parser.add_argument("--dns-port", type=int, default=8135)
    parser.add_argument("--serve-dns", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--only-end-to-end", action="store_true", help="skip the other phases")
    parser.add_argument("--skip-end-to-end", action="store_true", help="skip the DNS run")
    args = parser.parse_args()
    if args.serve_dns:
        serve_dns(args.dns_port, args.domains)
        return

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kwiga_mail.settings")
    import django

    django.setup()

    work = Path(tempfile.mkdtemp(prefix="listcheck-bench-"))
    source = work / "list.csv"
    started = time.monotonic()
    generate(source, args.rows, args.domains)
    size = source.stat().st_size
    print(f"generated {args.rows:,} rows, {args.domains:,} domains, {size / 1e6:.0f} MB "
          f"in {time.monotonic() - started:.1f} s: {source}")  # fmt: skip

    if not args.only_end_to_end:
        phases(source, work)
    if not args.skip_end_to_end:
        end_to_end(source, work, args)


def phases(source: Path, work: Path) -> None:
    from django.db import connection
    from email_validator import EmailNotValidError, validate_email

    from suppression.listcheck.checker import Checker
    from suppression.listcheck.csvfiles import detect
    from suppression.listcheck.run import check_file
    from suppression.selectors import open_suppressions

    # CPU time of this process (time.process_time): "one core", whatever else the machine runs.
    # The floor: a plain csv read of the same file.
    started = time.process_time()
    with source.open(newline="", encoding="utf-8") as stream:
        count = sum(1 for _ in csv.reader(stream)) - 1
    floor = time.process_time() - started
    print(f"csv.reader alone:                    {cpu_rate(count, floor)}")

    # email-validator alone, on the first 100,000 emails.
    sample = []
    with source.open(newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        next(reader)
        for row in reader:
            sample.append(row[0])
            if len(sample) == 100_000:
                break
    started = time.process_time()
    for value in sample:
        with contextlib.suppress(EmailNotValidError):
            validate_email(value, check_deliverability=False, allow_smtputf8=True, strict=True)
    validator = (time.process_time() - started) / len(sample)
    print(f"validate_email alone (100k rows):    {1 / validator:,.0f} rows/s")

    # The checker without DNS or the suppressed look-up, outputs written.
    layout = detect(source)
    checker = Checker()
    started = time.process_time()
    summary = check_file(
        source, layout, checker, report_path=work / "r.csv", cleaned_path=work / "c.csv"
    )
    elapsed = time.process_time() - started
    per_row = elapsed / summary.rows
    print(
        f"checker, no DNS, no suppressed:      {cpu_rate(summary.rows, elapsed)}; "
        f"{validator / per_row:.1f}x validate_email; "
        f"{elapsed / floor:.1f}x the csv floor's time"
    )
    print(
        f"  (file read, both CSVs written) target >= {TARGET_ROWS_PER_S:,} rows/s: "
        f"{verdict(summary.rows / elapsed >= TARGET_ROWS_PER_S)}; "
        f"target >= {TARGET_VS_VALIDATOR}x validate_email: "
        f"{verdict(validator / per_row >= TARGET_VS_VALIDATOR)}"
    )
    print(f"  verdicts: {summary.counts}")

    # The checker alone on the same values (read beforehand): no file reading or writing.
    values = []
    with source.open(newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        next(reader)
        values = [row[0] for row in reader]
    checker = Checker()
    started = time.process_time()
    for i in range(0, len(values), 5000):
        checker.check(values[i : i + 5000])
    elapsed = time.process_time() - started
    print(
        f"checker.check alone (no file I/O):   {cpu_rate(len(values), elapsed)}; "
        f"{validator / (elapsed / len(values)):.1f}x validate_email"
    )
    del values

    # The suppressed look-up against PostgreSQL.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM suppression_suppression WHERE lifted_at IS NULL")
            open_count = cursor.fetchone()[0]
            cursor.execute("SELECT address FROM suppression_emailaddress LIMIT 1000000")
            addresses = [row[0] for row in cursor.fetchall()]
        started = time.monotonic()
        found = 0
        for i in range(0, len(addresses), 5000):
            found += len(open_suppressions(addresses[i : i + 5000]))
        elapsed = time.monotonic() - started
        figure = rate(len(addresses), elapsed, "addresses")
        print(f"suppressed look-up ({open_count:,} open suppressions, {len(addresses):,} "
              f"addresses, {found:,} found): {figure}")  # fmt: skip
    else:
        print("suppressed look-up: skipped (set DATABASE_URL to PostgreSQL after seed_bulk)")


# Runs a command and reports its own peak RSS and CPU time on stderr's last line. The bench
# process is large by the time it gets here, and a child's ru_maxrss counts its pages from
# before exec (a copy of its parent): the command's own figure needs a small parent.
_MEASURE = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
    "use = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(f'peak {use.ru_maxrss} cpu {use.ru_utime + use.ru_stime}', file=sys.stderr); "
    "sys.exit(code)"
)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process of this machine (Linux), None if unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def end_to_end(source: Path, work: Path, args: argparse.Namespace) -> None:
    # End to end with DNS, as an operator runs it, in a process of its own.
    dns = subprocess.Popen(
        [sys.executable, __file__, "--serve-dns", "--dns-port", str(args.dns_port),
         "--domains", str(args.domains)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert dns.stdout is not None and dns.stdout.readline().strip() == "ready"
        env = {
            **os.environ,
            "SUPPRESSION_DNS_NAMESERVERS": "127.0.0.1",
            "SUPPRESSION_DNS_PORT": str(args.dns_port),
        }
        server_before = cpu_seconds(dns.pid)
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-c", _MEASURE, sys.executable, str(ROOT / "manage.py"),
             "check_list", str(source), "--no-suppressed", "--out", str(work / "out")],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        elapsed = time.monotonic() - started
        server_after = cpu_seconds(dns.pid)
        measured = result.stderr.strip().splitlines()[-1].split()
        peak, cpu = int(measured[1]) / 1024, float(measured[3])
        print(
            f"check_list with DNS, end to end:     {elapsed:.1f} s (wall), "
            f"target <= {TARGET_END_TO_END_S:.0f} s: {verdict(elapsed <= TARGET_END_TO_END_S)}; "
            f"peak RSS {peak:.0f} MB, target <= {TARGET_PEAK_MB:.0f} MB: "
            f"{verdict(peak <= TARGET_PEAK_MB)}"
        )
        if server_before is not None and server_after is not None:
            print(
                f"  CPU: check_list {cpu:.1f} s, the test DNS server "
                f"{server_after - server_before:.1f} s (dnslib, a thread per query)"
            )
        print("  " + result.stdout.replace("\n", "\n  ").rstrip())
    finally:
        dns.kill()
        dns.wait()


if __name__ == "__main__":
    main()
