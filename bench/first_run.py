"""Time a newcomer's first `make run`: a fresh clone in an empty folder, until a page answers.

    python3 bench/first_run.py              # the committed HEAD of this checkout
    python3 bench/first_run.py --ref main   # another commit, e.g. to compare against a baseline
    python3 bench/first_run.py --again      # then a second `make run` in the same clone

Clones the commit into a temporary folder (nothing beside it), starts `make run` on a free port
(8180 by default), stamps every line `make` prints and polls `/admin/login/` until it answers
200. Prints each phase (from the `make run` lines that start it) and the total, then stops the
server and deletes the clone. Needs only Python 3 and git; the clone's own Makefile does the rest.
A benchmark, not a test: it prints figures. pip's and uv's caches are whatever this machine has.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# How the first line of each phase that `make run` prints starts or ends; a phase that prints
# nothing (a second run skips the install) takes no time. Older Makefiles printed no "==>" lines:
# their install starts with its `test .venv/...` line.
PHASES = [
    ("virtualenv", ("==> virtualenv",)),
    ("uv (the installer)", ("==> uv",)),
    ("dependencies", ("==> runtime dependencies", "test .venv/.installed -nt")),
    ("migrations", ("manage.py migrate --noinput",)),
    ("demo data", ("manage.py seed_demo",)),
    # (one process since `seed_demo --migrate`)
    ("migrations + demo data", ("seed_demo --migrate",)),
    ("server start", ("Support console (admin)",)),
]


def _starts_or_ends(line: str, needles: tuple[str, ...]) -> bool:
    return any(line.startswith(n) or line.endswith(n) for n in needles)


def serving(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def one_run(clone: Path, port: int, label: str, timeout: float) -> float:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "VIRTUAL_ENV"}}
    env.update(PORT=str(port), DNS_PORT=str(port + 9))
    stamps: list[tuple[float, str]] = []
    start = time.monotonic()
    proc = subprocess.Popen(
        ["make", "run"],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            stamps.append((time.monotonic() - start, line.rstrip()))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    url = f"http://127.0.0.1:{port}/admin/login/"
    try:
        while not serving(url):
            if proc.poll() is not None:
                sys.exit("make run stopped:\n" + "\n".join(line for _, line in stamps[-30:]))
            if time.monotonic() - start > timeout:
                sys.exit(f"no answer from {url} after {timeout:.0f} s")
            time.sleep(0.1)
        total = time.monotonic() - start
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    reader.join(timeout=5)

    marks: list[tuple[str, float]] = []
    for name, needles in PHASES:
        at = next((t for t, line in stamps if _starts_or_ends(line.strip(), needles)), None)
        if at is not None:
            marks.append((name, at))
    print(f"{label}: {total:5.1f} s until {url} answered 200")
    if marks and marks[0][1] > 0.5:
        print(f"  {'(before the first phase)':24} {marks[0][1]:5.1f} s")
    for (name, at), following in zip(marks, [*(m[1] for m in marks[1:]), total], strict=True):
        print(f"  {name:24} {following - at:5.1f} s")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ref", default="HEAD", help="the commit to clone (default: HEAD)")
    parser.add_argument("--port", type=int, default=8180)
    parser.add_argument("--again", action="store_true", help="also time a second make run")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--keep", action="store_true", help="keep the clone (prints its folder)")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="first-run-"))
    clone = root / "kwiga-mail"
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", "--no-checkout", str(REPO), str(clone)],
        check=True,
    )
    subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", args.ref], check=True)
    commit = subprocess.run(
        ["git", "-C", str(clone), "rev-parse", "--short", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"fresh clone of {commit} in {clone}; load average {os.getloadavg()[0]:.2f}")
    try:
        one_run(clone, args.port, "first make run", args.timeout)
        if args.again:
            one_run(clone, args.port, "second make run", args.timeout)
    finally:
        if args.keep:
            print(f"kept {clone}")
        else:
            subprocess.run(["rm", "-rf", str(root)], check=False)


if __name__ == "__main__":
    main()
