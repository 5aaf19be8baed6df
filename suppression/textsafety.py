"""Text from outside (bounce messages, ESP webhooks, the API, owners) made safe to store and show.

Anyone who can mail the bounce address or post to a webhook writes some of this text, so it is
treated as hostile in three places:

* **Storing.** ``clean_line`` cleans a one-line value (a header: school, stream, Message-ID,
  subject, remote MTA, a recipient): control characters removed, lone surrogates replaced,
  length capped with a visible mark. ``clean_text`` keeps a multi-line text (a diagnostic, a
  parser's note) exactly as received except for what no database column can hold: NUL and lone
  surrogates. PostgreSQL refuses NUL in text; a lone surrogate cannot be encoded as UTF-8.
* **Showing.** ``visible_controls`` turns invisible and reordering characters into visible
  ``<U+202E>`` marks, so that a diagnostic cannot disguise itself on a support page (a
  right-to-left override makes "5.1.1 user unknown" read differently from what it says).
  The stored text keeps them; only the display changes.
* **Exporting.** ``neutralize_csv_cell`` keeps a spreadsheet from running a cell as a formula.

Plain Python, no Django: the parser and the webhooks use it as much as the admin.
"""

from __future__ import annotations

import re
from decimal import Decimal

CUT_MARK = "…[cut]"

_SURROGATES_RE = re.compile("[\ud800-\udfff]")
# Every C0 and C1 control and DEL: none belongs in a header value.
_CONTROLS_RE = re.compile("[\x00-\x1f\x7f-\x9f]")
_LINE_BREAKS_RE = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]+")

# What ``visible_controls`` shows as <U+XXXX>: controls other than tab and line ends, and the
# format characters that reorder or hide text.
INVISIBLE = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 (but tab, LF, CR), DEL, C1
    "\u00ad"  # soft hyphen
    "\u061c"  # Arabic letter mark (a bidi mark)
    "\u180e"  # Mongolian vowel separator
    "\u200b-\u200f"  # zero-width space, non-joiner, joiner; LRM, RLM
    "\u2028\u2029"  # line and paragraph separators
    "\u202a-\u202e"  # bidi embeddings and overrides: LRE, RLE, PDF, LRO, RLO
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u2066-\u2069"  # bidi isolates: LRI, RLI, FSI, PDI
    "\u206a-\u206f"  # deprecated format characters
    "\ufeff"  # zero-width no-break space (BOM)
    "\ufff9-\ufffb"  # interlinear annotation
    "\U000e0000-\U000e007f"  # tag characters, which can carry hidden ASCII
    "\ud800-\udfff"  # lone surrogates
)
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")

# Cells a spreadsheet reads as a formula (or, for tab and CR, as the start of one once trimmed).
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cut(text: str, limit: int | None) -> str:
    """``text`` at most ``limit`` characters long, ending in ``CUT_MARK`` when it was longer."""
    if limit is None or len(text) <= limit:
        return text
    if limit <= len(CUT_MARK):
        return text[:limit]
    return text[: limit - len(CUT_MARK)] + CUT_MARK


def _without_surrogates(text: str) -> str:
    # A lone surrogate comes from a JSON "\ud800" escape or undecodable bytes read with
    # surrogateescape; it has no UTF-8 form, so it is shown as the replacement character.
    if text.isascii():
        return text
    return _SURROGATES_RE.sub("\ufffd", text)


def clean_text(value: object, *, limit: int | None = None) -> str:
    """A multi-line text as received, minus what cannot be stored (NUL, lone surrogates).

    Quoted-printable "=00" in a bounce decodes to a NUL; the text around it is still worth
    keeping. Longer than ``limit`` characters, it is cut with a visible mark.
    """
    text = "" if value is None else str(value)
    text = _without_surrogates(text.replace("\x00", ""))
    return cut(text, limit)


def clean_line(value: object, *, limit: int | None = None) -> str:
    """A one-line value (a header) fit to store and to look up.

    Line breaks and tabs become one space; NUL and every other control character go; lone
    surrogates become U+FFFD; surrounding space is trimmed; longer than ``limit`` characters,
    it is cut with a visible mark.
    """
    text = "" if value is None else str(value)
    text = _LINE_BREAKS_RE.sub(" ", text)
    text = _CONTROLS_RE.sub("", _without_surrogates(text)).strip()
    return cut(text, limit)


def visible_controls(text: object) -> str:
    """``text`` with each invisible or reordering character shown as ``<U+XXXX>``.

    Bidirectional overrides and isolates (U+202A to U+202E, U+2066 to U+2069, U+200E/F, U+061C),
    zero-width and tag characters, and control characters other than tab and line ends are
    named instead of applied, so that what a support person reads is what the text says.
    """
    text = "" if text is None else str(text)
    if text.isascii() and text.isprintable():
        return text
    return _INVISIBLE_RE.sub(lambda match: f"<U+{ord(match.group()):04X}>", text)


def neutralize_csv_cell(value: object) -> str:
    """A CSV cell that no spreadsheet runs as a formula.

    A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
    apostrophe (``'=HYPERLINK(...)``), the prefix OWASP recommends: spreadsheets show the text
    and hide the apostrophe, and a person reading the raw file sees the cell was neutralized.
    Other cells, the empty cell and ``None`` (as "") are returned as text, unchanged; so are
    numbers (a negative count is a number the export computed, not outside text).
    """
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    if text.startswith(CSV_FORMULA_STARTS):
        return "'" + text
    return text
