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
import os
import statistics
import subprocess
import sys
import tempfile
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


def cpu_of(argv: list[str], stdin: bytes, cwd: Path, expect: bytes) -> float:
    before = os.times()
    done = subprocess.run(
        argv, input=stdin, capture_output=True, env=environment(), cwd=cwd, check=False
    )
    after = os.times()
    if done.returncode != 0 or expect not in done.stdout:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stdout[-300:]!r} {done.stderr[-800:]!r}")
    return (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


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
        cpu: dict[tuple[Path, str], list[float]] = {}
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
            best, median = min(runs), statistics.median(runs)
            verdict = "ok" if median <= TARGET else "over"
            print(
                f"  {name:32} best {best:.3f} s  median {median:.3f} s  "
                f"(target <= {TARGET} s: {verdict})"
            )


if __name__ == "__main__":
    main()
