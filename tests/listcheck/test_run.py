"""The report's inlined formula guard agrees with the console exports' helper."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from suppression.listcheck.run import neutral_row
from suppression.textsafety import neutralize_csv_cell


@given(st.lists(st.text()))
def test_neutral_row_is_neutralize_csv_cell_on_each_cell(row: list[str]) -> None:
    assert neutral_row(row) == [neutralize_csv_cell(cell) for cell in row]


def test_formula_starts_are_neutralized() -> None:
    assert neutral_row(["=1+2", "+380", "-5", "@SUM(A1)", "\tx", "\rx", "ok", ""]) == [
        "'=1+2", "'+380", "'-5", "'@SUM(A1)", "'\tx", "'\rx", "ok", "",
    ]  # fmt: skip
