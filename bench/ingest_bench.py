"""Benchmark (not a test): bounces per second through LMTP, through the pipe, and parse_bounces.

Usage (a migrated PostgreSQL database of your own; it gets the bench's bounce events):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kwiga_<you> \\
        .venv/bin/python bench/ingest_bench.py [--lmtp 1000] [--pipe 30] [--parse 5000]

In one run:

* LMTP: ``manage.py serve_lmtp`` (4 workers, one process, DEBUG off) receives distinct bounces
  (each records a new event for a new address) over one connection, then over 4 connections in
  parallel, as Postfix's ``lmtp`` client would send them (one answer per recipient after DATA);
  ``--compare-with DIR`` measures another checkout's server the same way in the same run;
* the pipe: ``manage.py ingest_bounces -`` once per message, as Postfix's ``pipe`` runs it, on
  its own and handing each message to a running ``serve_lmtp`` (``SUPPRESSION_PIPE_LMTP``);
* ``manage.py parse_bounces`` over the development corpus repeated to ``--parse`` files, as a
  whole process, against Sisimai (scripts/sisimai_bench.pl) on the same files, each pinned to the
  same single CPU (scripts/bench_dsn.py's way), wall and CPU time.

Figures on a shared machine move with its load; the CPU-time rates move far less.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_dsn import DEFAULT_CORPUS, PERL_SCRIPT, Run, _run, _sisimai_available  # noqa: E402

from tests.ingest.messages import kwiga_dsn  # noqa: E402

MANAGE = str(ROOT / "manage.py")


def messages(count: int, tag: str) -> list[bytes]:
    return [
        kwiga_dsn(
            recipient=f"bench-{tag}-{n}@example.com", message_id=f"<bench-{tag}-{n}@mx1.kwiga.com>"
        )
        for n in range(count)
    ]


def environment() -> dict[str, str]:
    # As deployed: DEBUG off (with it on, Django keeps and formats every query it runs).
    env = {**os.environ, "KWIGA_ENV": "development", "DJANGO_DEBUG": "0"}
    env.pop("PYTHONWARNINGS", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def start_lmtp(
    workers: int, processes: int, manage: str = MANAGE, extra: tuple[str, ...] = ()
) -> tuple[subprocess.Popen, int]:
    server = subprocess.Popen(
        [
            sys.executable,
            manage,
            "serve_lmtp",
            "--listen",
            "127.0.0.1:0",
            "--workers",
            str(workers),
            "--processes",
            str(processes),
            *extra,
        ],
        stdout=subprocess.PIPE,
        env=environment(),
    )
    assert server.stdout is not None
    line = server.stdout.readline().decode()
    if not line.startswith("LMTP on "):
        raise SystemExit(f"serve_lmtp did not start: {line!r}")
    return server, int(line.rsplit(":", 1)[1])


def send_all(port: int, batch: list[bytes], failures: list[str]) -> None:
    with smtplib.LMTP("127.0.0.1", port, timeout=120) as lmtp:
        lmtp.ehlo("bench")
        for raw in batch:
            lmtp.mail("<>")
            lmtp.rcpt("bounces@kwiga.com")
            code, text = lmtp.data(raw)
            if code != 250:
                failures.append(f"{code} {text.decode()}")


def lmtp_rate(port: int, batch: list[bytes], connections: int) -> tuple[float, list[str]]:
    failures: list[str] = []
    shares = [batch[i::connections] for i in range(connections)]
    threads = [threading.Thread(target=send_all, args=(port, s, failures)) for s in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(batch) / (time.perf_counter() - started), failures


def pipe_rate(batch: list[bytes], via: str = "") -> tuple[float, float]:
    """Messages/s by wall time, and CPU seconds per message (the children's user + system).

    ``via``: the pipe hands each message to serve_lmtp there (SUPPRESSION_PIPE_LMTP).
    """
    env = environment()
    if via:
        env["SUPPRESSION_PIPE_LMTP"] = via
    before = os.times()
    started = time.perf_counter()
    for raw in batch:
        done = subprocess.run(
            [sys.executable, MANAGE, "ingest_bounces", "-"],
            input=raw,
            capture_output=True,
            env=env,
            check=False,
        )
        if done.returncode != 0 or (via and b"stored by serve_lmtp" not in done.stdout):
            raise SystemExit(f"ingest_bounces - failed: {done.stderr.decode()[-500:]}")
    elapsed = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return len(batch) / elapsed, cpu / len(batch)


def parse_against_sisimai(count: int, rounds: int) -> None:
    files = sorted(str(p) for p in DEFAULT_CORPUS.glob("*.eml"))
    paths = (files * (count // len(files) + 1))[:count]
    scratch = tempfile.TemporaryDirectory()
    list_file = Path(scratch.name) / "paths.txt"
    list_file.write_text("\n".join(paths) + "\n")
    # parse_bounces takes its paths as arguments: xargs, as a person would run it on a list.
    ours_cmd = ["xargs", "-a", str(list_file), sys.executable, MANAGE, "parse_bounces"]
    perl = _sisimai_available()
    theirs_cmd = [perl, str(PERL_SCRIPT)]
    ours: list[Run] = []
    theirs: list[Run] = []
    env_before = dict(os.environ)
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    try:
        for index in range(rounds):
            order = [(ours_cmd, ours), (theirs_cmd, theirs)] if perl else [(ours_cmd, ours)]
            if index % 2:
                order.reverse()
            for command, runs in order:
                runs.append(_run(command, list_file))
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    lines = ours[-1].output.count("\n") + 1
    print(
        f"parse_bounces, {count} files ({len(files)} distinct), whole process, one CPU, "
        f"{rounds} rounds ({lines} JSON lines):"
    )
    for name, runs in (("parse_bounces", ours), ("Sisimai (Perl)", theirs)):
        if runs:
            wall = statistics.median(count / r.wall for r in runs)
            cpu = statistics.median(count / r.cpu for r in runs)
            print(f"  {name:15s} {wall:6.0f} msg/s (wall)  {cpu:6.0f} msg/s (cpu)")
    if perl:
        wall_ratio = statistics.median(t.wall / o.wall for o, t in zip(ours, theirs, strict=True))
        cpu_ratio = statistics.median(t.cpu / o.cpu for o, t in zip(ours, theirs, strict=True))
        print(
            f"  ratio parse_bounces / Sisimai: wall {wall_ratio:.2f}x, cpu {cpu_ratio:.2f}x "
            "(target >= 2x)"
        )
    else:
        print("  Sisimai is not installed (apt-get install -y libsisimai-perl)")


def database_round_trip() -> float:
    """Milliseconds per ``SELECT 1``: on a loaded machine this, not our code, sets the LMTP rate."""
    import psycopg

    url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as db:
        started = time.perf_counter()
        for _ in range(200):
            db.execute("SELECT 1").fetchone()
        return (time.perf_counter() - started) / 200 * 1000


def serve_and_send(
    args: argparse.Namespace, manage: str, batch: list[bytes], connections: int
) -> tuple[float, list[str], float, str]:
    """A server of its own for ``batch``: rate, failures, its CPU seconds and its stop line."""
    before = os.times()
    server, port = start_lmtp(args.workers, args.processes, manage, tuple(args.server_args))
    try:
        rate, failures = lmtp_rate(port, batch, connections) if batch else (0.0, [])
    finally:
        server.terminate()
        stopped, _ = server.communicate(timeout=60)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    lines = [line for line in stopped.decode().splitlines() if line.startswith("Stopped: ")]
    return rate, failures, cpu, "; ".join(line.removeprefix("Stopped: ") for line in lines)


def lmtp_run(args: argparse.Namespace, run: str, manage: str, label: str) -> None:
    # The server's own CPU per message, its start-up and stop (measured alone) taken out: what
    # sets the rate once the machine has cores to spare, whatever else runs on it now.
    _, _, startup, _ = serve_and_send(args, manage, [], 1)
    print(
        f"LMTP{label} (serve_lmtp --workers {args.workers} --processes {args.processes}), "
        f"{args.lmtp} new bounces each ({manage}); start-up and stop {startup:.2f} s CPU:"
    )
    for connections in (1, 4):
        batch = messages(args.lmtp, f"{run}-{connections}")
        rate, failures, cpu, stopped = serve_and_send(args, manage, batch, connections)
        per_message = max(cpu - startup, 0.001) / args.lmtp
        target = "   target >= 200" if connections == 4 else ""
        print(
            f"  {connections} connection{'s' if connections > 1 else ' '} {rate:6.0f} msg/s   "
            f"({len(failures)} not 250){target}"
        )
        print(
            f"      server CPU {per_message * 1000:.1f} ms per message: at most "
            f"{1 / per_message:.0f} msg/s per core given to it"
        )
        if stopped:
            print(f"      {stopped}")
        for failure in failures[:3]:
            print(f"      {failure}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lmtp", type=int, default=1000, help="messages per LMTP run")
    parser.add_argument("--pipe", type=int, default=30, help="messages through the pipe")
    parser.add_argument("--parse", type=int, default=5000, help="files for parse_bounces")
    parser.add_argument("--rounds", type=int, default=3, help="parse_bounces/Sisimai rounds")
    parser.add_argument("--workers", type=int, default=4, help="serve_lmtp --workers")
    # One process: the MTA's sessions then share its group commits (four sessions, one
    # transaction); split over processes, each commits its own share, in smaller groups.
    parser.add_argument("--processes", type=int, default=1, help="serve_lmtp --processes")
    parser.add_argument(
        "--server-arg",
        dest="server_args",
        action="append",
        default=[],
        help="passed on to serve_lmtp (repeat for each word), e.g. --server-arg=--stall=0.01",
    )
    parser.add_argument(
        "--compare-with",
        default="",
        help="a checkout of another version (e.g. `git archive main`): its LMTP figures too",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a migrated PostgreSQL database of your own.")
    run = uuid.uuid4().hex[:8]
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"PostgreSQL round trip (SELECT 1): {database_round_trip():.2f} ms")

    if args.lmtp:
        lmtp_run(args, run, MANAGE, "")
    if args.lmtp and args.compare_with:
        lmtp_run(args, f"{run}-b", str(Path(args.compare_with).resolve() / "manage.py"), " (B)")

    if args.pipe:
        pipe_run(args, run)
    if args.parse:
        parse_against_sisimai(args.parse, args.rounds)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


def pipe_run(args: argparse.Namespace, run: str) -> None:
    rate, cpu = pipe_rate(messages(args.pipe, f"{run}-pipe"))
    server, port = start_lmtp(args.workers, 1)
    try:
        # The server is waited for only after this: its CPU is not the pipe's.
        via_rate, via_cpu = pipe_rate(messages(args.pipe, f"{run}-via"), f"127.0.0.1:{port}")
    finally:
        server.terminate()
        server.communicate(timeout=60)
    print(f"pipe (ingest_bounces - per message), {args.pipe} new bounces one after another:")
    print(
        f"  on its own         {rate:6.1f} msg/s   {cpu:.2f} s CPU per message, start-up included"
    )
    print(
        f"  via serve_lmtp     {via_rate:6.1f} msg/s   {via_cpu:.2f} s CPU per message "
        "(SUPPRESSION_PIPE_LMTP; the server's CPU not counted)"
    )
    print("  target: <= 0.3 s CPU before the first message")


if __name__ == "__main__":
    raise SystemExit(main())
