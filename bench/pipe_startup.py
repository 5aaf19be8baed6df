"""Benchmark (not a test): CPU time of the commands an MTA starts once per message.

Usage (a migrated database of your own; each run records one new bounce):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kwiga_<you> \\
        .venv/bin/python bench/pipe_startup.py [--runs 9] [--compare-with DIR]

prints, per command, the CPU time (user + system of the child process, the whole process from
interpreter start to exit, one message) of ``manage.py ingest_bounces -`` (the Postfix pipe on
its own), ``python -m suppression.pipe`` and ``manage.py parse_bounces FILE``, best and median
of ``--runs``, against issue #13's target of 0.3 s. The runs of ``--compare-with DIR`` (another
checkout, e.g. ``git archive main | tar -x -C DIR``; its bytecode is compiled first) alternate
with this checkout's, so both see the same load. CPU time moves far less with the load of a
shared machine than wall time, but it still moves: compare within one run.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.ingest.messages import kwiga_dsn  # noqa: E402

TARGET = 0.3


def environment() -> dict[str, str]:
    env = {**os.environ, "KWIGA_ENV": "development"}
    for name in ("PYTHONWARNINGS", "DJANGO_SETTINGS_MODULE", "SUPPRESSION_PIPE_LMTP"):
        env.pop(name, None)
    return env


def cpu_of(argv: list[str], stdin: bytes, cwd: Path, expect: bytes) -> tuple[float, float]:
    """CPU seconds of one process: before it first reads standard input (NaN when it reads
    none), and in all, from interpreter start to exit."""
    # getrusage counts microseconds; os.times() counts clock ticks (10 ms here), as coarse as the
    # differences measured.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment(),
        cwd=cwd,
    )
    startup = _cpu_when_reading_stdin(child.pid) if stdin else math.nan
    out, err = child.communicate(stdin)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if child.returncode != 0 or expect not in out:
        raise SystemExit(f"{' '.join(argv)} failed: {out[-300:]!r} {err[-800:]!r}")
    return startup, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _cpu_when_reading_stdin(pid: int) -> float:
    """The process's CPU seconds once it waits in read(0, ...) for its message: all of its set-up.

    /proc/PID/syscall names the system call a process is blocked in ("0 0x0 ..." is read on
    file descriptor 0, x86-64); /proc/PID/task/*/schedstat counts each thread's time on a CPU in
    nanoseconds. Nothing is written to its standard input before this returns.
    """
    proc = Path(f"/proc/{pid}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            call = (proc / "syscall").read_text()
        except OSError:
            return math.nan  # gone, or /proc not readable here
        if call.startswith("0 0x0 "):
            return (
                sum(
                    int((task / "schedstat").read_text().split()[0])
                    for task in (proc / "task").iterdir()
                )
                / 1e9
            )
        time.sleep(0.0005)
    return math.nan


def message() -> bytes:
    tag = uuid.uuid4().hex[:12]
    return kwiga_dsn(recipient=f"startup-{tag}@example.com", message_id=f"<startup-{tag}@x>")


def commands(root: Path, sample: Path) -> dict[str, tuple[list[str], bool, bytes]]:
    python = sys.executable
    found: dict[str, tuple[list[str], bool, bytes]] = {
        "ingest_bounces - (the pipe)": (
            [python, str(root / "manage.py"), "ingest_bounces", "-"],
            True,
            b"1 bounce events recorded",
        ),
    }
    if (root / "suppression" / "pipe.py").exists():
        found["python -m suppression.pipe"] = (
            [python, "-m", "suppression.pipe"],
            True,
            b"1 bounce events recorded",
        )
    found["parse_bounces FILE"] = (
        [python, str(root / "manage.py"), "parse_bounces", str(sample)],
        False,
        b'"kind": "failed"',
    )
    return found


def stale_bytecode(root: Path) -> list[str]:
    """Modules of the app and of Django without an up-to-date .pyc: each process compiles them."""
    import importlib.util

    import django

    stale = []
    for source in [
        root / "suppression" / "models.py",
        root / "suppression" / "dsn" / "parser.py",
        Path(django.__file__).parent / "db" / "models" / "base.py",
    ]:
        cached = Path(importlib.util.cache_from_source(str(source)))
        if not cached.exists() or cached.stat().st_mtime < source.stat().st_mtime:
            stale.append(str(source))
    return stale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--compare-with", type=Path, help="another checkout, measured alongside")
    args = parser.parse_args()

    roots = {"this checkout": ROOT}
    if args.compare_with:
        other = args.compare_with.resolve()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "compileall",
                "-q",
                "-j",
                "1",
                "manage.py",
                "kwiga_mail",
                "suppression",
            ],
            cwd=other,
            capture_output=True,
            check=False,
        )
        roots[f"compared ({other})"] = other
    stale = stale_bytecode(ROOT)
    if stale:
        print(f"warning: no up-to-date bytecode for {stale}: run `make bytecode` first\n")

    with tempfile.TemporaryDirectory() as folder:
        sample = Path(folder) / "one.eml"
        sample.write_bytes(message())
        table = {root: commands(root, sample) for root in roots.values()}
        cpu: dict[tuple[Path, str], list[tuple[float, float]]] = {}
        for _ in range(args.runs):
            for root, found in table.items():
                for name, (argv, piped, expect) in found.items():
                    stdin = message() if piped else b""
                    cpu.setdefault((root, name), []).append(cpu_of(argv, stdin, root, expect))

    load = os.getloadavg()
    print(
        f"CPU seconds per process, {args.runs} runs each, load {load[0]:.2f} {load[1]:.2f}, "
        f"database {os.environ.get('DATABASE_URL', 'sqlite (default)').split('@')[-1]}"
    )
    for label, root in roots.items():
        print(f"{label}:")
        for name in table[root]:
            runs = cpu[(root, name)]
            whole = [total for _, total in runs]
            before = [first for first, _ in runs if not math.isnan(first)]
            if before:
                median = statistics.median(before)
                verdict = "ok" if median <= TARGET else "over"
                print(
                    f"  {name:32} before the message: best {min(before):.3f} s  median "
                    f"{median:.3f} s  (target <= {TARGET} s: {verdict})"
                )
                name = ""
            median = statistics.median(whole)
            verdict = (
                ""
                if before
                else f"  (target <= {TARGET} s: " + ("ok)" if median <= TARGET else "over)")
            )
            print(
                f"  {name:32} whole process:      best {min(whole):.3f} s  median "
                f"{median:.3f} s{verdict}"
            )


if __name__ == "__main__":
    main()
