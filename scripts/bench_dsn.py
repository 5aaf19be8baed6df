"""Benchmark (not a test): suppression.dsn against Sisimai (Perl) on the same files, one core.

Usage: .venv/bin/python scripts/bench_dsn.py [--messages 5000] [--rounds 5] [--corpus DIR]

The corpus is repeated until it holds at least --messages files; both parsers get the same list
of paths on stdin and read every file themselves. Each parser runs as its own process pinned to
the same single CPU, and the whole process is measured on both sides: interpreter start, loading
the parser, reading the files, parsing, printing. Peak memory is the child's maximum resident
set size (os.wait4).

The rounds alternate which parser goes first, so that a slow spell on a shared machine hits both.
Two rates are printed per parser: by wall time, and by the child's own CPU time (user + system),
which other work on the machine disturbs far less. The figures to quote are the medians.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "dsn"
PERL_SCRIPT = ROOT / "scripts" / "sisimai_bench.pl"


# What the child process runs: the same work as sisimai_bench.pl, and nothing else, so that our
# side's start-up holds the parser's imports but not this script's (argparse, subprocess, ...).
CHILD_CODE = """
import sys
sys.path.insert(0, sys.argv[1])
from suppression.dsn import Kind, parse_message

messages = records = failed = 0
for line in sys.stdin:
    path = line.strip()
    if not path:
        continue
    messages += 1
    with open(path, "rb") as handle:
        result = parse_message(handle.read())
    records += len(result.recipients)
    if result.kind is Kind.FAILED:
        failed += len(result.recipients)
print(f"messages={messages} records={records} failed={failed}")
"""


@dataclass
class Run:
    wall: float  # seconds, whole process
    cpu: float  # the child's user + system seconds
    peak_mb: float
    output: str


def _pin_to_one_cpu() -> None:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})


def _run(command: list[str], list_file: Path) -> Run:
    """One child process fed the list of paths on stdin, measured from spawn to exit.

    Files rather than pipes for stdin/stdout, so that the parent has nothing to pump while the
    child runs; os.wait4 gives that child's own CPU time and peak RSS.
    """
    with (
        list_file.open("rb") as stdin,
        tempfile.TemporaryFile() as stdout,
        tempfile.TemporaryFile() as stderr,
    ):
        start = time.perf_counter()
        proc = subprocess.Popen(
            command, stdin=stdin, stdout=stdout, stderr=stderr, preexec_fn=_pin_to_one_cpu
        )
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(
                f"{command[0]} failed ({proc.returncode}): {stderr.read().decode()[-500:]}"
            )
        return Run(
            wall=elapsed,
            cpu=usage.ru_utime + usage.ru_stime,
            peak_mb=usage.ru_maxrss / 1024,
            output=stdout.read().decode().strip(),
        )


def _sisimai_available() -> str:
    perl = shutil.which("perl")
    if perl is None:
        return ""
    check = subprocess.run([perl, "-MSisimai", "-e", "1"], capture_output=True)
    return perl if check.returncode == 0 else ""


def _line(name: str, count: int, run: Run) -> str:
    return (
        f"  {name:16s} wall {run.wall:6.2f} s {count / run.wall:7.0f} msg/s   "
        f"cpu {run.cpu:6.2f} s {count / run.cpu:7.0f} msg/s   peak RSS {run.peak_mb:6.1f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()

    files = sorted(str(p) for p in args.corpus.glob("*.eml"))
    if not files:
        print(f"no .eml files in {args.corpus}")
        return 1
    paths = (files * (args.messages // len(files) + 1))[: max(args.messages, len(files))]
    count = len(paths)
    scratch = tempfile.TemporaryDirectory()
    list_file = Path(scratch.name) / "paths.txt"
    list_file.write_text("\n".join(paths) + "\n")
    for path in files:  # warm the page cache so that neither side pays for the first read
        Path(path).read_bytes()
    perl = _sisimai_available()
    print(
        f"{count} messages ({len(files)} distinct files from {args.corpus}), one CPU, "
        f"{args.rounds} rounds; whole process on both sides (start-up included)"
    )
    ours_cmd = [sys.executable, "-c", CHILD_CODE, str(ROOT)]
    theirs_cmd = [perl, str(PERL_SCRIPT)]
    ours: list[Run] = []
    theirs: list[Run] = []
    for index in range(args.rounds):
        order = [(ours_cmd, ours), (theirs_cmd, theirs)] if perl else [(ours_cmd, ours)]
        if index % 2:
            order.reverse()
        for command, runs in order:
            runs.append(_run(command, list_file))
        print(f"round {index + 1}:")
        print(_line("suppression.dsn", count, ours[-1]))
        if perl:
            print(_line("Sisimai (Perl)", count, theirs[-1]))
            print(
                f"  ratio (ours / Sisimai): wall {theirs[-1].wall / ours[-1].wall:.2f}x, "
                f"cpu {theirs[-1].cpu / ours[-1].cpu:.2f}x"
            )
    print(f"counts: suppression.dsn {ours[-1].output}")
    if not perl:
        print(
            "Sisimai is not installed (apt-get install -y libsisimai-perl); "
            "showing suppression.dsn alone"
        )
    else:
        print(f"counts: Sisimai         {theirs[-1].output}")

    def median_rate(runs: list[Run], attr: str) -> float:
        return statistics.median(count / getattr(run, attr) for run in runs)

    print("median of the rounds:")
    for name, runs in (("suppression.dsn", ours), ("Sisimai (Perl)", theirs)):
        if runs:
            print(
                f"  {name:16s} {median_rate(runs, 'wall'):7.0f} msg/s (wall)  "
                f"{median_rate(runs, 'cpu'):7.0f} msg/s (cpu)  "
                f"peak RSS {max(run.peak_mb for run in runs):.1f} MB"
            )
    if perl:
        wall_ratio = statistics.median(t.wall / o.wall for o, t in zip(ours, theirs, strict=True))
        cpu_ratio = statistics.median(t.cpu / o.cpu for o, t in zip(ours, theirs, strict=True))
        print(
            f"throughput ratio (ours / Sisimai), median of rounds: "
            f"wall {wall_ratio:.2f}x, cpu {cpu_ratio:.2f}x (target >= 2x, issue #13)"
        )
    peak = max(run.peak_mb for run in ours)
    print(f"our peak memory: {peak:.1f} MB (target < 32 MB, issue #13)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
