"""The chunk-at-a-time CSV text is what ``csv.writer`` writes, and the report and cleaned file
written column by column are the same as written row by row (plain Python, no database)."""

from __future__ import annotations

import csv
import io
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suppression.listcheck.checker import Checker
from suppression.listcheck.csvfiles import Layout, ListFileError, RowReader, detect
from suppression.listcheck.csvtext import CsvText, columns
from suppression.listcheck.run import check_file, neutral_row
from suppression.textsafety import neutralize_csv_cell

# Text that stresses the writer: its special characters, formula starts, NUL, spaces, Cyrillic.
CELL = st.text(alphabet=st.sampled_from(list(",;\t\"\r\n\x00 =+-@'aZ9.їЖ")), max_size=8)


def written(rows: list[list[str]], delimiter: str) -> str:
    stream = io.StringIO()
    csv.writer(stream, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return stream.getvalue()


@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda width: st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=12)
    ),
    st.sampled_from([",", ";", "\t"]),
)
def test_the_text_is_the_csv_writers(rows: list[list[str]], delimiter: str) -> None:
    text = CsvText(delimiter)
    cells = columns(rows)
    if not rows:
        assert cells is None
        return
    assert cells is not None
    assert text.text([text.column(column) for column in cells]) == written(rows, delimiter)
    assert all(text.cell(cell) == written([[cell, "x"]], delimiter)[:-4] for cell in rows[0])


def test_ragged_rows_have_no_columns() -> None:
    assert columns([("a", "b"), ("c",)]) is None
    assert columns([]) is None
    assert columns([("a", "b"), ("c", "d")]) == [["a", "c"], ["b", "d"]]


def test_a_single_empty_cell_is_written_quoted_as_the_writer_does() -> None:
    text = CsvText(",")
    assert text.text([["a", "", "b"]]) == written([["a"], [""], ["b"]], ",") == 'a\r\n""\r\nb\r\n'


def _check(path: Path, chunk_rows: int) -> tuple[bytes, bytes]:
    report, cleaned = path.with_suffix(".report"), path.with_suffix(".clean")
    check_file(
        path,
        detect(path),
        Checker(),
        report_path=report,
        cleaned_path=cleaned,
        apply_fixes=True,
        chunk_rows=chunk_rows,
    )
    return report.read_bytes(), cleaned.read_bytes()


@pytest.mark.parametrize("ragged", [False, True], ids=["same width", "ragged"])
def test_the_outputs_are_the_row_by_row_writers(tmp_path: Path, ragged: bool) -> None:
    """Whether a chunk goes column-wise (same width) or row by row (ragged), the report holds
    every cell neutralized and the cleaned file the safe rows' cells as they came, quoted as
    the CSV writer quotes them."""
    nasty = ["a,b", 'q"q', "x\r\ny", "=1+2", "+380501234567", "-5", "@x", "\tt", "", "їжак"]
    emails = ["olena@gmail.com", "ivan@gmial.com", "bad", "OLENA@gmail.com", "info@ukr.net"]
    rows = [["email", "name", "phone"]]
    for i in range(40):
        row = [emails[i % 5] if i % 3 else f"u{i}@ukr.net", nasty[i % 10], nasty[(i * 7) % 10]]
        rows.append(row[: 2 + i % 2] if ragged else row)
    source = tmp_path / "list.csv"
    source.write_text(written(rows, ","), encoding="utf-8")
    report, cleaned = _check(source, chunk_rows=7)
    report_rows = list(csv.reader(io.StringIO(report.decode("utf-8-sig"))))
    assert report.startswith(b"\xef\xbb\xbf")
    assert report.decode("utf-8-sig") == written(report_rows, ",")
    assert [row[4:] for row in report_rows] == [[neutralize_csv_cell(c) for c in r] for r in rows]
    assert [row[3] for row in report_rows[1:]].count("ivan@gmail.com") == 1
    safe = {"ok", "risky", "fix_suggested"}  # the one fix is fixable (--apply-fixes)
    expected = [rows[0]] + [
        [cell.replace("gmial", "gmail") for cell in row]
        for row, reported in zip(rows[1:], report_rows[1:], strict=True)
        if reported[1] in safe
    ]
    assert cleaned.decode() == written(expected, ",")
    # The same outputs in one chunk as in chunks of seven rows.
    assert _check(source, chunk_rows=5000) == (report, cleaned)


@given(st.lists(st.lists(CELL, min_size=1, max_size=3), min_size=1, max_size=15))
def test_chunks_are_the_rows_the_reader_iterates(tmp_path_factory, rows) -> None:
    path = tmp_path_factory.mktemp("chunks") / "list.csv"
    path.write_text(written([["email"], *rows], ","), encoding="utf-8", newline="")
    layout = Layout("utf-8", ",", ["email"], 0)
    with RowReader(path, layout) as reader:
        one_by_one = list(reader)
    with RowReader(path, layout) as reader:
        chunked = [
            (line, list(row))
            for lines, chunk in reader.chunks(4)
            for line, row in zip(lines, chunk, strict=True)
        ]
    assert chunked == one_by_one


def test_a_row_too_wide_is_the_error_even_when_a_later_row_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("email\na@b.com\n" + "x," * 600 + "\n" + '"' + "y" * 70_000 + "\n")
    layout = detect(path)
    with RowReader(path, layout) as reader, pytest.raises(ListFileError, match="Line 3 has 601"):
        list(reader.chunks(50))


def test_neutral_row_still_guards_ragged_reports() -> None:
    assert neutral_row(("=1", "x")) == ["'=1", "x"]


def test_checking_a_file_in_chunks_does_not_grow_with_the_file(tmp_path: Path) -> None:
    """Only a chunk of rows and the seen hashes' table (1 MB up to 78,000 addresses) are held."""

    def peak(rows: int) -> int:
        source = tmp_path / f"n{rows}.csv"
        with source.open("w") as out:
            out.write("email,name,phone\n")
            for i in range(rows):
                out.write(f"user{i}@d{i % 300}.example,Name {i},+38050{i:07d}\n")
        tracemalloc.start()
        check_file(
            source,
            detect(source),
            Checker(),
            report_path=tmp_path / "r.csv",
            cleaned_path=tmp_path / "c.csv",
            chunk_rows=1000,
        )
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(3_000), peak(40_000)
    assert large < small * 1.5, (small, large)
