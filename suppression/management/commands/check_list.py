"""``manage.py check_list FILE.csv``: check a contact list before import.

Progress goes to stderr, the summary to stdout; the report and the cleaned list are written next
to the input (or into ``--out DIR``), both or neither.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...listcheck.checker import VERDICT_ORDER, Checker
from ...listcheck.csvfiles import ListFileError, detect
from ...listcheck.lookups import domain_checker, support_lookup
from ...listcheck.run import check_file, output_paths

LABELS = {
    "ok": "ok",
    "fix_suggested": "fix suggested",
    "risky": "risky (kept)",
    "could_not_check": "could not check (kept)",
    "invalid": "invalid",
    "suppressed": "suppressed",
    "duplicate": "duplicate",
}


class Command(BaseCommand):
    help = "Check a contact list (CSV) before import: writes a report and a cleaned copy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--out", type=Path, help="folder for the outputs (default: beside it)")
        parser.add_argument("--column", help="the email column: its header name or number (1-)")
        parser.add_argument(
            "--apply-fixes",
            action="store_true",
            help="write suggested fixes into the cleaned file (and keep those rows)",
        )
        parser.add_argument("--no-dns", action="store_true", help="skip the domain look-ups")
        parser.add_argument(
            "--no-suppressed", action="store_true", help="skip the suppressed-address look-up"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["file"]
        if not source.is_file():
            raise CommandError(f"{source}: no such file.")
        report_path, cleaned_path = output_paths(source, options["out"])
        checker = Checker(
            dns=None if options["no_dns"] else domain_checker(),
            suppressed=None if options["no_suppressed"] else support_lookup,
        )
        bar = _ProgressBar(self.stderr._out if hasattr(self.stderr, "_out") else sys.stderr)
        try:
            layout = detect(source, column=options["column"])
            self.stderr.write(f"{source.name}: {layout.describe()}")
            summary = check_file(
                source,
                layout,
                checker,
                report_path=report_path,
                cleaned_path=cleaned_path,
                apply_fixes=options["apply_fixes"],
                progress=bar.update,
            )
        except ListFileError as error:
            bar.clear()
            raise CommandError(f"{source}: {error}") from None
        except OSError as error:
            bar.clear()
            raise CommandError(f"{source}: {error.strerror or error}") from None
        bar.finish()
        out = self.stdout
        out.write(f"{summary.rows} rows checked in {summary.seconds:.1f} s ({summary.layout})")
        for verdict in VERDICT_ORDER:
            out.write(f"  {LABELS[verdict.value]:<24} {summary.counts.get(verdict.value, 0):>9}")
        out.write(
            f"{summary.domains} domains, {summary.dns_lookups} looked up in DNS; "
            f"{summary.safe_rows} rows safe to import"
        )
        out.write(f"report:  {report_path}")
        out.write(f"cleaned: {cleaned_path}")


class _ProgressBar:
    """A bar redrawn in place on a terminal; on a pipe or a log, a line every ten per cent."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.last_step = -1
        self.last_draw = 0.0

    def update(self, rows: int, done: int, total: int) -> None:
        share = done / total if total else 1.0
        if self.tty:
            now = time.monotonic()
            if now - self.last_draw < 0.1 and share < 1:
                return
            self.last_draw = now
            filled = int(share * 30)
            self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {share:4.0%} {rows} rows")
            self.stream.flush()
            return
        step = int(share * 10)
        if step > self.last_step:
            self.last_step = step
            self.stream.write(f"{share:4.0%} {rows} rows\n")
            self.stream.flush()

    def clear(self) -> None:
        if self.tty:
            self.stream.write("\r\033[K")

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
