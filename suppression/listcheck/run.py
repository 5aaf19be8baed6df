"""One check of one file: read it, check every row, write the report and the cleaned copy.

Shared by ``manage.py check_list``, the owner portal and the console (through the background
job). Plain Python: the caller hands in the ``Checker`` (with its DNS and suppressed look-up).
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import Any

from ..textsafety import CSV_FORMULA_STARTS, clean_line, neutralize_csv_cell
from .checker import OK_RESULT, SAFE, VERDICT_ORDER, Checker, Verdict
from .csvfiles import AtomicFiles, Layout, ListFileError, RowReader
from .csvtext import CsvText, columns

CHUNK_ROWS = 5000
# Domains whose DNS look-ups start before the check, read ahead from the file (see
# ``DomainChecker.prefetch``); the rest are asked chunk by chunk. Memory: about 1 KB each.
PREFETCH_DOMAINS = 25_000
EXAMPLES_PER_VERDICT = 5
REPORT_COLUMNS = ["line", "verdict", "reasons", "suggestion"]

_OK = Verdict.OK
_FIX = Verdict.FIX_SUGGESTED
_FORMULA_FIRST = frozenset(CSV_FORMULA_STARTS)  # each is one character


# A cell that starts with a formula character, found in the row's cells joined by NUL (which a
# CSV cell read as text can hold, so it is matched as a separator only where it is one).
_FORMULA_CELL = re.compile("(?:^|\x00)[" + re.escape("".join(CSV_FORMULA_STARTS)) + "]")
_REPORT_TEXT = CsvText(",")


def neutral_row(row: Sequence[str]) -> Sequence[str]:
    """``neutralize_csv_cell`` on each cell of ``row``, inlined: it runs on every cell of a
    million-row report, and nearly every row needs nothing (one regular-expression search).
    tests/listcheck/test_run.py checks it agrees with the helper."""
    if not _FORMULA_CELL.search("\x00".join(row)):
        return row
    return [f"'{cell}" if cell[:1] in _FORMULA_FIRST else cell for cell in row]


def report_column(cells: Sequence[str]) -> Sequence[str]:
    """One column of the row's own cells as the report writes it: each cell neutralized
    (``neutralize_csv_cell``) and quoted where the CSV writer would quote it. One join and a
    few scans when none needs either (most columns; a column of ``+380…`` phones is one list
    comprehension)."""
    joined = "\x00".join(cells)
    written: Sequence[str] = cells
    if _FORMULA_CELL.search(joined):
        written = [f"'{cell}" if cell[:1] in _FORMULA_FIRST else cell for cell in cells]
    # The apostrophe is no character the writer quotes for: the same scan says for both.
    return _REPORT_TEXT.column(written, joined)


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


@contextmanager
def _dns_closed(checker: Checker) -> Iterator[None]:
    """The checker's DNS pool stops with the check, whether it ends well or not (look-ups
    started ahead and not yet running are dropped)."""
    try:
        yield
    finally:
        if checker.dns is not None:
            checker.dns.close()


def prefetch_domains(
    source: Path, layout: Layout, checker: Checker, limit: int = PREFETCH_DOMAINS
) -> int:
    """Read the email column once ahead and start the DNS look-ups of its domains. A file the
    reader refuses stops the read-ahead quietly: the check itself then says what is wrong."""
    column = layout.column

    def values() -> Iterator[str]:
        with RowReader(source, layout) as reader:
            for _, rows in reader.chunks(CHUNK_ROWS):
                for row in rows:
                    if column < len(row):
                        yield row[column]

    try:
        return checker.prefetch(values(), limit)
    except (ListFileError, UnicodeDecodeError, OSError):
        return 0


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
    with _dns_closed(checker), AtomicFiles() as outputs:
        if checker.dns is not None:
            prefetch_domains(source, layout, checker)
        # The BOM by hand and the rest as plain UTF-8: Python's "utf-8-sig" codec would run
        # in Python on every write, where "utf-8" is encoded in C (the bytes are the same).
        report = outputs.open(report_path, encoding="utf-8")
        report.write("\ufeff")
        cleaned = outputs.open(cleaned_path, encoding=layout.encoding)
        report_writer = csv.writer(report, lineterminator="\r\n")
        cleaned_writer = csv.writer(cleaned, delimiter=layout.delimiter, lineterminator="\r\n")
        cleaned_text = CsvText(layout.delimiter)
        header = layout.header
        if header is not None:
            report_writer.writerow(
                [*REPORT_COLUMNS, *(neutralize_csv_cell(cell) for cell in header)]
            )
            cleaned_writer.writerow(header)
        else:
            report_writer.writerow(REPORT_COLUMNS)
        with RowReader(source, layout) as reader:
            for lines, rows in reader.chunks(chunk_rows):
                values = [row[column] if column < len(row) else "" for row in rows]
                results = checker.check(values)
                # Most rows are "ok" (the checker's one shared result): the others get their
                # reasons, suggestion and examples here, one by one. Both files are written a
                # chunk at a time, column by column (csvtext): no list is built per row.
                size = len(rows)
                verdicts = [_OK] * size
                reasons_column = [""] * size
                suggestions = [""] * size
                noted: list[int] = []  # rows with a reason or a suggestion
                keep: list[bool] | None = None
                fixes: list[Sequence[str]] | None = None  # rows, with fixes written in
                cleaned_rows: Sequence[Sequence[str]] = rows
                for index, result in enumerate(results):
                    if result is OK_RESULT:
                        continue
                    verdict = verdicts[index] = result.verdict
                    if verdict is _OK:  # an "ok" with its normalized address (after a look-up)
                        continue
                    noted.append(index)
                    reasons = "; ".join(result.reasons)
                    reasons_column[index] = neutralize_csv_cell(reasons)
                    # The suggestion is built from the row's own local part, so it can begin
                    # with "=" or "-" as well: a report cell like any other.
                    suggestions[index] = neutralize_csv_cell(result.suggestion)
                    if verdict not in SAFE:
                        if keep is None:
                            keep = [True] * size
                        if apply_fixes and verdict is _FIX and result.fixable:
                            if fixes is None:
                                fixes = list(rows)
                            fixed = list(rows[index])
                            fixed[column] = result.suggestion
                            fixes[index] = fixed
                        else:
                            keep[index] = False
                    shown = examples[verdict]
                    if len(shown) < EXAMPLES_PER_VERDICT:
                        row = rows[index]
                        value = row[column] if column < len(row) else ""
                        shown.append(
                            {
                                "line": str(lines[index]),
                                "email": clean_line(value, limit=200),
                                "reasons": clean_line(reasons, limit=300),
                                "suggestion": result.suggestion,
                            }
                        )
                if keep is not None:
                    cleaned_rows = list(compress(rows if fixes is None else fixes, keep))
                safe_rows += len(cleaned_rows)
                cleaned_columns = columns(cleaned_rows)
                if cleaned_columns is None:  # ragged rows (or none at all)
                    cleaned_writer.writerows(cleaned_rows)
                else:
                    cleaned.write(
                        cleaned_text.text(list(map(cleaned_text.column, cleaned_columns)))
                    )
                cells = columns(rows)
                if cells is None:
                    report_writer.writerows(
                        [line, verdict, reason, suggestion, *neutral_row(row)]
                        for line, verdict, reason, suggestion, row in zip(
                            lines, verdicts, reasons_column, suggestions, rows, strict=True
                        )
                    )
                else:
                    cell = _REPORT_TEXT.cell
                    for index in noted:
                        reasons_column[index] = cell(reasons_column[index])
                        suggestions[index] = cell(suggestions[index])
                    report.write(
                        _REPORT_TEXT.text(
                            [
                                list(map(str, lines)),
                                verdicts,
                                reasons_column,
                                suggestions,
                                *map(report_column, cells),
                            ]
                        )
                    )
                if progress is not None:
                    position = min(reader.bytes_read(), total)
                    if progress(checker.counts.rows, position, total) is False:
                        raise Cancelled
        outputs.commit()
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
