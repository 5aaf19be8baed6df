"""Reading a contact list as it comes, and writing its report and cleaned copy atomically.

Lists come from spreadsheets and old CRMs: with or without a header, separated by ``,`` ``;``
or tab, in UTF-8 (with or without a BOM) or Windows-1251. ``detect`` works that out from the
file (the encoding from all of it, the rest from its first rows) and finds the email column;
``read_rows`` then streams the rows. Anything that is not such a list (a zip, a binary, a 10 MB
line) is refused with a ``ListFileError`` that says why, in words an owner understands.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

SAMPLE_BYTES = 64 * 1024
SAMPLE_ROWS = 50
MAX_FIELD = 64 * 1024  # a cell longer than this is not part of a contact list
MAX_COLUMNS = 500
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_HEADER_WORDS = re.compile(r"e-?mail|mail|пошта|почта|adres|address|courriel|correo", re.I)
_LOOKS_LIKE_EMAIL = re.compile(r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$")

_SIGNATURES = (
    (b"PK\x03\x04", "a zip archive (an .xlsx or .zip renamed?): save the sheet as CSV"),
    (b"\xd0\xcf\x11\xe0", "an old Excel or Word file: save the sheet as CSV"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)


class ListFileError(Exception):
    """The file cannot be read as a contact list; ``str()`` says why."""


@dataclass(frozen=True, slots=True)
class Layout:
    encoding: str  # "utf-8-sig", "utf-8" or "cp1251"
    delimiter: str
    header: list[str] | None  # the header row, or None when the file has none
    column: int  # the email column, 0-based

    @property
    def encoding_name(self) -> str:
        return {"utf-8-sig": "UTF-8 with BOM", "utf-8": "UTF-8", "cp1251": "Windows-1251"}[
            self.encoding
        ]

    def describe(self) -> str:
        column = f'"{self.header[self.column]}"' if self.header else f"number {self.column + 1}"
        return (
            f"{self.encoding_name}, {DELIMITER_NAMES[self.delimiter]}-separated, "
            f"{'with' if self.header else 'without'} a header, email in column {column}"
        )


def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as such, else Windows-1251."""
    with path.open("rb") as raw:
        head = raw.read(SAMPLE_BYTES)
        if not head.strip():
            raise ListFileError("The file is empty: it has no rows.")
        for magic, what in _SIGNATURES:
            if head.startswith(magic):
                raise ListFileError(f"This is not a CSV file: it looks like {what}.")
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise ListFileError("The file is UTF-16: save it as CSV in UTF-8.")
        if b"\x00" in head:
            raise ListFileError("This is not a text file (it contains binary data).")
        bom = head.startswith(codecs.BOM_UTF8)
        decoder = codecs.getincrementaldecoder("utf-8")()
        chunk = head
        try:
            while chunk:
                if b"\x00" in chunk:
                    raise ListFileError("This is not a text file (it contains binary data).")
                decoder.decode(chunk)
                chunk = raw.read(1024 * 1024)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            if bom:
                raise ListFileError(
                    "The file starts as UTF-8 but is not UTF-8 further on: "
                    "save it again as CSV in UTF-8."
                ) from None
            if b"\x98" in head:  # the one byte Windows-1251 leaves undefined
                raise ListFileError("The file is neither UTF-8 nor Windows-1251 text.") from None
            return "cp1251"
    return "utf-8-sig" if bom else "utf-8"


def _open_text(path: Path, encoding: str) -> io.TextIOWrapper:
    # cp1251 has a few undefined bytes: shown as U+FFFD rather than a crash mid-file.
    return path.open(encoding=encoding, errors="replace", newline="")


def _reader(stream: IO[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, row) for each row that is not empty."""
    return _rows(csv.reader(stream, delimiter=delimiter))


def _rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """(line number, row) for each row of the csv ``reader`` that is not empty."""
    with _csv_errors(reader):
        for row in reader:
            if row and any(row):
                if len(row) > MAX_COLUMNS:
                    raise _too_wide(reader.line_num, row)
                yield reader.line_num, row


def _too_wide(line: int, row: Sequence[str]) -> ListFileError:
    return ListFileError(
        f"Line {line} has {len(row)} columns: this is not a contact list (at most {MAX_COLUMNS})."
    )


def _check_width(lines: list[int], rows: Sequence[Sequence[str]]) -> None:
    if rows and max(map(len, rows)) > MAX_COLUMNS:
        index = next(i for i, row in enumerate(rows) if len(row) > MAX_COLUMNS)
        raise _too_wide(lines[index], rows[index])


@contextlib.contextmanager
def _csv_errors(reader: Any) -> Iterator[None]:
    """``csv.Error`` as the ``ListFileError`` an owner understands, at the reader's line."""
    try:
        yield
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise ListFileError(
                f"Row {reader.line_num} has a cell longer than {MAX_FIELD // 1024} KB: "
                "this is not a contact list (or a quote is never closed)."
            ) from None
        raise ListFileError(f"The CSV is malformed at line {reader.line_num}: {error}.") from None


def _sample(path: Path, encoding: str, delimiter: str) -> list[list[str]]:
    rows: list[list[str]] = []
    with _open_text(path, encoding) as stream:
        limited = io.StringIO(stream.read(SAMPLE_BYTES))
        if len(limited.getvalue()) == SAMPLE_BYTES and "\n" not in limited.getvalue():
            raise ListFileError(
                f"The first line is longer than {SAMPLE_BYTES // 1024} KB: "
                "this is not a contact list."
            )
        try:
            for _, row in _reader(limited, delimiter):
                if not any(cell.strip() for cell in row):
                    continue
                rows.append(row)
                if len(rows) >= SAMPLE_ROWS:
                    break
        except ListFileError:
            pass  # a sample cut mid-quote; the real read will say if the file is broken
    return rows


def _pick_delimiter(path: Path, encoding: str) -> str:
    best, best_score = ",", -1.0
    for delimiter in DELIMITERS:
        rows = _sample(path, encoding, delimiter)
        if not rows:
            continue
        widths = [len(row) for row in rows]
        common = max(set(widths), key=widths.count)
        # Rows split alike into several columns; a delimiter that splits nothing scores 0.
        score = (widths.count(common) / len(widths)) * (common > 1) * common
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _email_share(rows: list[list[str]], column: int) -> float:
    cells = [row[column] for row in rows if column < len(row)]
    return sum(1 for cell in cells if _LOOKS_LIKE_EMAIL.match(cell)) / max(len(rows), 1)


def detect(path: Path, *, column: str | None = None) -> Layout:
    """The file's layout. ``column`` names the email column (a header name or a 1-based number)."""
    encoding = _encoding(path)
    delimiter = _pick_delimiter(path, encoding)
    rows = _sample(path, encoding, delimiter)
    if not rows:
        raise ListFileError("The file has no rows (only empty lines).")
    first, rest = rows[0], rows[1:]
    width = max(len(row) for row in rows)
    header: list[str] | None = None
    if column is not None:
        if column.isdigit():
            index = int(column) - 1
            if not 0 <= index < width:
                raise ListFileError(f"There is no column {column}: the file has {width}.")
            if not _LOOKS_LIKE_EMAIL.match(first[index] if index < len(first) else ""):
                header = first
        else:
            names = [cell.strip().lstrip("\ufeff").lower() for cell in first]
            if column.strip().lower() not in names:
                raise ListFileError(f'No column is named "{column}" in the first row.')
            index = names.index(column.strip().lower())
            header = first
        return Layout(encoding, delimiter, header, index)
    shares = [_email_share(rest or rows, i) for i in range(width)]
    index = max(range(width), key=lambda i: shares[i])
    if shares[index] == 0:
        named = [i for i, cell in enumerate(first) if _HEADER_WORDS.search(cell)]
        if named and not rest:
            raise ListFileError("The file has a header but no rows.")
        raise ListFileError(
            "No column holds email addresses. Name it with --column (or check the file)."
        )
    cell = first[index] if index < len(first) else ""
    if not _LOOKS_LIKE_EMAIL.match(cell):
        header = first
    return Layout(encoding, delimiter, header, index)


class RowReader:
    """(line number, row) for the data rows (header and empty lines skipped), streamed.

    Iterate it row by row, or take ``chunks`` of rows (the same rows, the same errors: what a
    check reads, with less work per row). ``bytes_read`` says how far into the file the reader
    is (to within one read-ahead block), for progress.
    """

    def __init__(self, path: Path, layout: Layout) -> None:
        csv.field_size_limit(MAX_FIELD)
        self._stream = _open_text(path, layout.encoding)
        self._csv = csv.reader(self._stream, delimiter=layout.delimiter)
        self._skip_header = layout.header is not None

    def _header(self) -> None:
        if self._skip_header:
            self._skip_header = False
            with _csv_errors(self._csv):
                for row in self._csv:
                    if row and any(row):
                        if len(row) > MAX_COLUMNS:
                            raise _too_wide(self._csv.line_num, row)
                        break

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        self._header()
        yield from _rows(self._csv)

    def chunks(self, size: int) -> Iterator[tuple[list[int], list[tuple[str, ...]]]]:
        """(line numbers, rows) of up to ``size`` rows at a time, until the file ends."""
        self._header()
        reader = self._csv
        while True:
            lines: list[int] = []
            rows: list[tuple[str, ...]] = []
            add_line = lines.append
            add_row = rows.append
            left = size
            with _csv_errors(reader):
                try:
                    for row in reader:
                        # An empty line reads as [], a line of delimiters as ["", ""]: skipped.
                        if any(row):
                            add_line(reader.line_num)
                            # A tuple of strings, which the garbage collector stops tracking
                            # at its first pass: a chunk of lists would be promoted and make
                            # full collections of the whole process run every few chunks.
                            add_row(tuple(row))
                            left -= 1
                            if not left:
                                break
                finally:
                    # Checked after the chunk is read rather than row by row, but a row too
                    # wide is still the error given when a later row is malformed.
                    _check_width(lines, rows)
            if not rows:
                return
            yield lines, rows
            if left:
                return

    def bytes_read(self) -> int:
        try:
            return int(self._stream.buffer.tell())  # type: ignore[attr-defined]
        except (ValueError, OSError):
            return 0

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> RowReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AtomicFiles:
    """Output files that appear under their names only when every one of them is complete.

    Each is written to a hidden temporary file beside its target; ``commit`` renames them all
    in place; leaving the ``with`` block without committing (an error) removes them.
    """

    def __init__(self) -> None:
        self._files: list[tuple[IO[str], str, Path]] = []
        self.committed = False

    def open(self, target: Path, *, encoding: str) -> IO[str]:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
        stream = os.fdopen(handle, "w", encoding=encoding, newline="", errors="replace")
        self._files.append((stream, temporary, target))
        return stream

    def commit(self) -> None:
        for stream, _, _ in self._files:
            stream.flush()
            os.fsync(stream.fileno())
            stream.close()
        for _, temporary, target in self._files:
            os.replace(temporary, target)
        self.committed = True

    def __enter__(self) -> AtomicFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.committed:
            for stream, temporary, _ in self._files:
                stream.close()
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
