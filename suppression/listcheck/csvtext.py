"""CSV text for a whole chunk of rows at once, byte for byte what ``csv.writer`` writes.

The writer with its defaults (``QUOTE_MINIMAL``, a ``"`` in a cell doubled) and ``"\\r\\n"`` line
ends, as the list check writes its report and cleaned file. The writer looks at every character
of every cell on its own (about 0.5 µs for a row of three short cells); a list is mostly cells
that need no quotes, so here a chunk is taken column by column: one scan of a column's cells
joined says whether any needs quotes, only such a column is quoted cell by cell, and the rows
are put together with ``str.join``. Rows of unequal width are left to the writer (``columns``
says None). tests/listcheck/test_csvtext.py holds the text to the writer's on random rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from operator import itemgetter

LINE_END = "\r\n"


def columns(rows: Sequence[Sequence[str]]) -> list[Sequence[str]] | None:
    """The cells of ``rows`` column by column, or None when the rows are not all as wide (or
    there are none)."""
    widths = set(map(len, rows))
    if len(widths) != 1:
        return None
    return [list(map(itemgetter(i), rows)) for i in range(widths.pop())]


class CsvText:
    """The writer's text for one delimiter."""

    def __init__(self, delimiter: str = ",") -> None:
        self.delimiter = delimiter
        self._special = re.compile("[" + re.escape(delimiter) + '"\r\n]')

    def special(self, text: str) -> bool:
        """Whether ``text`` (a cell, or many cells joined) holds a character that makes the
        writer quote a cell."""
        return (
            self.delimiter in text or '"' in text or "\r" in text or "\n" in text
        )  # four scans in C, faster than one regular expression over a long text

    def cell(self, text: str) -> str:
        """One cell as the writer writes it in a row of several cells."""
        if self._special.search(text):
            return '"' + text.replace('"', '""') + '"'
        return text

    def column(self, cells: Sequence[str], joined: str | None = None) -> Sequence[str]:
        """The cells of one column as the writer writes them; ``joined`` is the cells joined
        by any character that is not special, when the caller has it already."""
        if not self.special("\x00".join(cells) if joined is None else joined):
            return cells
        return list(map(self.cell, cells))

    def text(self, written: Sequence[Sequence[str]]) -> str:
        """The rows' text, from their columns as ``column`` returned them (as wide as each
        other). A row of a single empty cell is ``""``, as the writer has it."""
        if not written or not written[0]:
            return ""
        if len(written) == 1:
            cells = written[0]
            if "" in cells:
                cells = [cell or '""' for cell in cells]
            return LINE_END.join(cells) + LINE_END
        return LINE_END.join(map(self.delimiter.join, zip(*written, strict=True))) + LINE_END
