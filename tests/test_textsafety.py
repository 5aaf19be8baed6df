"""Outside text: cleaned to store, made visible to show, neutralized to export."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from suppression.textsafety import (
    CUT_MARK,
    clean_line,
    clean_text,
    cut,
    neutralize_csv_cell,
    visible_controls,
)

RLO = "\u202e"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("jane@example.com", "jane@example.com"),
        ("a=b", "a=b"),
        (" =1+1", " =1+1"),
        ("", ""),
        (None, ""),
        (-5, "-5"),
        (Decimal("-1.5"), "-1.5"),
        (3, "3"),
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(value: object, expected: str) -> None:
    assert neutralize_csv_cell(value) == expected


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"550 user {RLO}nwonknu", "550 user <U+202E>nwonknu"),
        ("a\u2066b\u2069c\u200ed\u200fe\u061c", "a<U+2066>b<U+2069>c<U+200E>d<U+200F>e<U+061C>"),
        ("\u202a\u202b\u202c\u202d", "<U+202A><U+202B><U+202C><U+202D>"),
        ("zero\u200bwidth\ufeff", "zero<U+200B>width<U+FEFF>"),
        ("bell\x07 escape\x1b[31m", "bell<U+0007> escape<U+001B>[31m"),
        ("hidden \U000e0041\U000e0042", "hidden <U+E0041><U+E0042>"),
        ("line one\nline two\ttab\r\n", "line one\nline two\ttab\r\n"),
        ("Привет, 用户不存在 ✓", "Привет, 用户不存在 ✓"),
        ("", ""),
        (None, ""),
    ],
)
def test_invisible_and_reordering_characters_are_shown_not_applied(
    text: str | None, shown: str
) -> None:
    assert visible_controls(text) == shown


def test_the_template_filter_shows_them_escaped() -> None:
    template = Template("{% load textsafety %}<p>{{ note|visible_controls }}</p>")

    html = template.render(Context({"note": f"ok {RLO}<b>evil</b>"}))

    assert html == "<p>ok &lt;U+202E&gt;&lt;b&gt;evil&lt;/b&gt;</p>"


def test_a_header_value_loses_controls_and_lone_surrogates() -> None:
    assert clean_line("demo\x00-school") == "demo-school"
    assert clean_line("  Spring\r\n\tsale\x1b  ") == "Spring sale"
    assert clean_line("bad \ud800 byte") == "bad \ufffd byte"
    assert clean_line("C1\x85next\x9b") == "C1 next"
    assert clean_line(None) == ""


def test_a_text_is_kept_as_received_but_for_nul_and_lone_surrogates() -> None:
    text = f"550 5.1.1\x00 no such user\r\n\t{RLO}here\x07 \udcff"

    assert clean_text(text) == f"550 5.1.1 no such user\r\n\t{RLO}here\x07 \ufffd"


def test_an_over_long_value_is_cut_with_a_visible_mark() -> None:
    long = "x" * 100_000

    assert clean_line(long, limit=998) == "x" * (998 - len(CUT_MARK)) + CUT_MARK
    assert len(clean_text(long, limit=10_000)) == 10_000
    assert clean_text(long, limit=10_000).endswith(CUT_MARK)
    assert cut("short", 998) == "short"
    assert cut("x" * 998, 998) == "x" * 998
