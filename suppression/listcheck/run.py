"""One check of one file: read it, check every row, write the report and the cleaned copy.

Shared by ``manage.py check_list``, the owner portal and the console (through the background
job). Plain Python: the caller hands in the ``Checker`` (with its DNS and suppressed look-up).
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..textsafety import CSV_FORMULA_STARTS, clean_line, neutralize_csv_cell
from .checker import SAFE, VERDICT_ORDER, Checker, Verdict
from .csvfiles import AtomicFiles, Layout, RowReader

CHUNK_ROWS = 5000
EXAMPLES_PER_VERDICT = 5
REPORT_COLUMNS = ["line", "verdict", "reasons", "suggestion"]

_OK = Verdict.OK
_FORMULA_FIRST = frozenset(CSV_FORMULA_STARTS)  # each is one character


# A cell that starts with a formula character, found in the row's cells joined by NUL (which a
# CSV cell read as text can hold, so it is matched as a separator only where it is one).
_FORMULA_CELL = re.compile("(?:^|\x00)[" + re.escape("".join(CSV_FORMULA_STARTS)) + "]")


def neutral_row(row: list[str]) -> list[str]:
    """``neutralize_csv_cell`` on each cell of ``row``, inlined: it runs on every cell of a
    million-row report, and nearly every row needs nothing (one regular-expression search).
    tests/listcheck/test_run.py checks it agrees with the helper."""
    if not _FORMULA_CELL.search("\x00".join(row)):
        return row
    return [f"'{cell}" if cell[:1] in _FORMULA_FIRST else cell for cell in row]


# progress(rows done, bytes read, total bytes) -> keep going? (False stops the check)
Progress = Callable[[int, int, int], bool | None]


class Cancelled(Exception):
    """The progress callback asked to stop (the job lost its lease)."""


@dataclass
class Summary:
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    layout: str = ""
    domains: int = 0
    dns_lookups: int = 0
    seconds: float = 0.0
    safe_rows: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "counts": self.counts,
            "examples": self.examples,
            "layout": self.layout,
            "domains": self.domains,
            "dns_lookups": self.dns_lookups,
            "seconds": round(self.seconds, 3),
            "safe_rows": self.safe_rows,
        }


def output_paths(source: Path, out_dir: Path | None = None) -> tuple[Path, Path]:
    """(report, cleaned) beside ``source`` or in ``out_dir``: NAME.report.csv, NAME.clean.csv."""
    folder = out_dir if out_dir is not None else source.parent
    return folder / f"{source.stem}.report.csv", folder / f"{source.stem}.clean.csv"


def check_file(
    source: Path,
    layout: Layout,
    checker: Checker,
    *,
    report_path: Path,
    cleaned_path: Path,
    apply_fixes: bool = False,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> Summary:
    """Check ``source`` and write both outputs; on any error neither output exists."""
    started = time.monotonic()
    total = source.stat().st_size
    column = layout.column
    examples: dict[str, list[dict[str, str]]] = {v.value: [] for v in VERDICT_ORDER}
    safe_rows = 0
    with AtomicFiles() as outputs:
        report = outputs.open(report_path, encoding="utf-8-sig")
        cleaned = outputs.open(cleaned_path, encoding=layout.encoding)
        report_writer = csv.writer(report, lineterminator="\r\n")
        cleaned_writer = csv.writer(cleaned, delimiter=layout.delimiter, lineterminator="\r\n")
        header = layout.header
        if header is not None:
            report_writer.writerow(
                [*REPORT_COLUMNS, *(neutralize_csv_cell(cell) for cell in header)]
            )
            cleaned_writer.writerow(header)
        else:
            report_writer.writerow(REPORT_COLUMNS)
        with RowReader(source, layout) as reader:
            rows = iter(reader)
            chunk: list[tuple[int, list[str]]] = []
            done = False
            while not done:
                chunk.clear()
                for item in rows:
                    chunk.append(item)
                    if len(chunk) >= chunk_rows:
                        break
                else:
                    done = True
                if not chunk:
                    break
                values = [row[column] if column < len(row) else "" for _, row in chunk]
                results = checker.check(values)
                report_rows: list[list[Any]] = []
                cleaned_rows: list[list[str]] = []
                add_report = report_rows.append
                add_cleaned = cleaned_rows.append
                for (line, row), result in zip(chunk, results, strict=True):
                    verdict = result.verdict
                    if verdict is _OK:
                        add_report([line, _OK, "", "", *neutral_row(row)])
                        add_cleaned(row)
                        continue
                    reasons = "; ".join(result.reasons)
                    add_report(
                        [line, verdict, neutralize_csv_cell(reasons), result.suggestion,
                         *neutral_row(row)]
                    )  # fmt: skip
                    if verdict in SAFE:
                        add_cleaned(row)
                    elif apply_fixes and verdict is Verdict.FIX_SUGGESTED and result.fixable:
                        fixed = list(row)
                        fixed[column] = result.suggestion
                        add_cleaned(fixed)
                    shown = examples[verdict]
                    if len(shown) < EXAMPLES_PER_VERDICT:
                        value = row[column] if column < len(row) else ""
                        shown.append(
                            {
                                "line": str(line),
                                "email": clean_line(value, limit=200),
                                "reasons": clean_line(reasons, limit=300),
                                "suggestion": result.suggestion,
                            }
                        )
                cleaned_writer.writerows(cleaned_rows)
                safe_rows += len(cleaned_rows)
                report_writer.writerows(report_rows)
                if progress is not None:
                    position = min(reader.bytes_read(), total)
                    if progress(checker.counts.rows, position, total) is False:
                        raise Cancelled
        outputs.commit()
    if checker.dns is not None:
        checker.dns.close()
    counts = checker.counts
    return Summary(
        rows=counts.rows,
        counts=dict(counts.by_verdict),
        examples={key: value for key, value in examples.items() if value},
        layout=layout.describe(),
        domains=counts.domains,
        dns_lookups=counts.dns_lookups,
        seconds=time.monotonic() - started,
        safe_rows=safe_rows,
    )
