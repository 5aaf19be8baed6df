"""Benchmark (not a test): suppression.dsn against Sisimai (Perl) on the same files, one core.

Usage: .venv/bin/python scripts/bench_dsn.py [--messages 5000] [--corpus DIR]

The corpus is repeated until it holds at least --messages files. Each parser runs in its own
process pinned to one CPU; wall time covers the whole process (interpreter start included) and
peak memory is the child's maximum resident set size (os.wait4).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "dsn"
PERL_SCRIPT = ROOT / "scripts" / "sisimai_bench.pl"


def _child_main() -> int:
    """Parse every path read from stdin; print counts like the Perl script does."""
    sys.path.insert(0, str(ROOT))
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
    return 0


def _pin_to_one_cpu() -> None:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})


def _run(command: list[str], paths: list[str]) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in kB, stdout) of one child process fed the paths."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_pin_to_one_cpu,
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(("\n".join(paths) + "\n").encode())
    proc.stdin.close()
    out = proc.stdout.read().decode()
    err = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({proc.returncode}): {err[-500:]}")
    return elapsed, usage.ru_maxrss, out.strip()


def _sisimai_available() -> str:
    perl = shutil.which("perl")
    if perl is None:
        return ""
    check = subprocess.run([perl, "-MSisimai", "-e", "1"], capture_output=True)
    return perl if check.returncode == 0 else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()

    files = sorted(str(p) for p in args.corpus.glob("*.eml"))
    if not files:
        print(f"no .eml files in {args.corpus}")
        return 1
    paths = (files * (args.messages // len(files) + 1))[: max(args.messages, len(files))]
    print(f"{len(paths)} messages ({len(files)} distinct files from {args.corpus}), one CPU")

    ours = _run([sys.executable, str(Path(__file__).resolve()), "--child"], paths)
    ours_rate = len(paths) / ours[0]
    print(
        f"suppression.dsn: {ours[0]:6.2f} s  {ours_rate:8.0f} msg/s  "
        f"peak RSS {ours[1] / 1024:6.1f} MB  ({ours[2]})"
    )

    perl = _sisimai_available()
    if not perl:
        print(
            "Sisimai is not installed (apt-get install -y libsisimai-perl); "
            "showing suppression.dsn alone"
        )
        return 0
    theirs = _run([perl, str(PERL_SCRIPT)], paths)
    theirs_rate = len(paths) / theirs[0]
    print(
        f"Sisimai (Perl):  {theirs[0]:6.2f} s  {theirs_rate:8.0f} msg/s  "
        f"peak RSS {theirs[1] / 1024:6.1f} MB  ({theirs[2]})"
    )
    print(f"throughput ratio (ours / Sisimai): {ours_rate / theirs_rate:.2f}x")
    print(f"our peak memory: {ours[1] / 1024:.1f} MB (target < 100 MB)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        raise SystemExit(_child_main())
    raise SystemExit(main())
