"""Reading raw mail safely: MIME parsing with limits, header values, and decoded text parts.

The standard ``email`` package does the MIME work (``compat32`` is the fastest policy and never
raises on defects); what this module adds is a budget. Nesting, the number of parts and the text
taken from each part are bounded, so that a hostile message cannot make the parser slow.
"""

from __future__ import annotations

import binascii
import codecs
import html
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.header import decode_header

MAX_TEXT = 64 * 1024  # characters kept from one text part: bounce text sits at the top
MAX_PARTS = 64
MAX_DEPTH = 12
MAX_CONTAINERS = 64  # multipart/* and message/* declarations tolerated in one raw message
MAX_HEADER = 8 * 1024

_SURROGATE_RE = re.compile("[\udc80-\udcff]")
_CONTAINER_RE = re.compile(rb"content-type:[ \t]*(?:multipart|message)/")  # over lowered bytes
_MBOX_FROM_RE = re.compile(rb"\AFrom [^\r\n]*\r?\n")


class MimeLimitError(Exception):
    """The message is built to exhaust the parser (too deeply nested, too many parts)."""


# Both start with a literal "\n" rather than "\r?": the regex engine then skips ahead to each
# newline instead of trying every position (ten times faster on long headers). CRs are dealt with
# around the match (the head's "\r\n" are turned into "\n" before unfolding).
_FOLD_RE = re.compile(r"\n[ \t]+")
_BLANK_LINE_RE = re.compile(rb"\n[ \t]*\r?\n")
_PARAM_RE = re.compile(
    r"([A-Za-z0-9][\w.*-]{0,40})\s*=\s*(\"(?:[^\"\\]|\\.){0,500}\"|[^;\s]{1,500})"
)
MAX_HEADERS = 1000
MAX_HEAD_BYTES = 256 * 1024


class Part:
    """One MIME entity: header fields, and either a body or sub-parts.

    A small reader of our own rather than ``email.parser``: bounces are read by the thousand and
    the standard feed parser costs more than everything else together. It is lenient the same way
    (a multipart without its boundary is read as text) and bounded (nesting, parts, header size).
    """

    __slots__ = ("_ctype", "_first", "body", "children", "headers")

    def __init__(self, headers: list[tuple[str, str]], body: bytes) -> None:
        self.headers = headers  # (lowercased name, raw value), in order; never changed
        self.body = body
        self.children: list[Part] | None = None
        self._first: dict[str, str] | None = None
        self._ctype: str | None = None

    def get(self, name: str, default: str | None = None) -> str | None:
        # Looked up a dozen times per message: index the first occurrence of each name once.
        first = self._first
        if first is None:
            # Built from the end, so that the first occurrence of a name is the one kept.
            first = self._first = dict(reversed(self.headers))
        return first.get(name.lower(), default)

    def items(self) -> list[tuple[str, str]]:
        return list(self.headers)

    def get_content_type(self) -> str:
        # Asked for several times per part (reading, walking, finding the original): kept.
        ctype = self._ctype
        if ctype is None:
            value = self.get("content-type") or ""
            ctype = value.split(";", 1)[0].strip().lower()
            if "/" not in ctype or " " in ctype:
                ctype = "text/plain"
            self._ctype = ctype
        return ctype

    def get_param(self, name: str) -> str:
        value = self.get("content-type") or ""
        if name not in value.lower():  # most parts lack the parameter asked for; skip the regex
            return ""
        for key, param in _PARAM_RE.findall(value):
            if key.lower() == name:
                return param.strip('"')
        return ""


def parse_headers(data: bytes) -> tuple[list[tuple[str, str]], bytes]:
    """Header fields of an entity and the rest (its body)."""
    if data.startswith((b"\n", b"\r\n")):
        return [], data[1:] if data[:1] == b"\n" else data[2:]
    match = _BLANK_LINE_RE.search(data, 0, MAX_HEAD_BYTES)
    if match is None:
        head, body = data[:MAX_HEAD_BYTES], data[MAX_HEAD_BYTES:]
    else:
        start = match.start()
        if start and data[start - 1] == 13:  # the "\r" of a "\r\n" line end
            start -= 1
        head, body = data[:start], data[match.end() :]
    text = _header_text(head)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    text = _FOLD_RE.sub(" ", text)
    headers: list[tuple[str, str]] = []
    for line in text.split("\n", MAX_HEADERS * 2)[: MAX_HEADERS * 2]:
        name, colon, value = line.partition(":")
        if not colon or not name or len(name) > 76 or name[0] in " \t":
            continue
        headers.append((name.strip().lower(), value.strip()))
        if len(headers) >= MAX_HEADERS:
            break
    return headers, body


def _header_text(value: bytes) -> str:
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode(undeclared_8bit_codec(value))


# Lowercase Cyrillic in windows-1251 (the capitals in KOI8-R), and in KOI8-R (the capitals in
# windows-1251).
_CYRILLIC_LOWER_CP1251 = bytes(range(0xE0, 0x100))
_CYRILLIC_LOWER_KOI8 = bytes(range(0xC0, 0xE0))
_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def undeclared_8bit_codec(data: bytes) -> str:
    """The codec of 8-bit text that names no charset (or a wrong one) and is not UTF-8.

    Russian mail systems of the 2000s sent windows-1251 or KOI8-R that way. Cyrillic text is
    mostly bytes from 0xC0 up, and mostly lowercase, which the two put in opposite halves of that
    range; Western text in Latin-1 has an accented letter now and then (Cyrillic here: at least 16
    such bytes, and one for every six ASCII letters). Anything else is read as Latin-1, which
    never fails.
    """
    cp1251_lower = len(data) - len(data.translate(None, _CYRILLIC_LOWER_CP1251))
    koi8_lower = len(data) - len(data.translate(None, _CYRILLIC_LOWER_KOI8))
    cyrillic = cp1251_lower + koi8_lower
    if cyrillic < 16 or cyrillic * 6 < len(data) - len(data.translate(None, _ASCII_LETTERS)):
        return "latin-1"
    return "cp1251" if cp1251_lower >= koi8_lower else "koi8_r"


def parse_part(data: bytes, depth: int = 0, budget: list[int] | None = None) -> Part:
    budget = budget if budget is not None else [MAX_PARTS]
    headers, body = parse_headers(data)
    part = Part(headers, body)
    budget[0] -= 1
    if depth >= MAX_DEPTH or budget[0] <= 0:
        return part
    ctype = part.get_content_type()
    if ctype.startswith("multipart/"):
        boundary = part.get_param("boundary")
        if boundary:
            pieces = _split_multipart(body, boundary.encode("latin-1", "replace"))
            if pieces is not None:
                part.children = [parse_part(p, depth + 1, budget) for p in pieces[:MAX_PARTS]]
    elif ctype in ("message/rfc822", "message/global", "message/partial"):
        part.children = [parse_part(body.lstrip(b"\r\n"), depth + 1, budget)]
    return part


def _split_multipart(body: bytes, boundary: bytes) -> list[bytes] | None:
    """The bodies between boundary lines, or None when the boundary never appears."""
    delimiter = b"--" + boundary
    positions: list[int] = []
    pos = body.find(delimiter)
    while pos >= 0 and len(positions) <= MAX_PARTS:
        if pos == 0 or body[pos - 1 : pos] == b"\n":
            positions.append(pos)
            if body[pos + len(delimiter) : pos + len(delimiter) + 2] == b"--":
                break
        pos = body.find(delimiter, pos + len(delimiter))
    if not positions:
        return None
    pieces = []
    for index, start in enumerate(positions):
        line_end = body.find(b"\n", start)
        if line_end < 0:
            break
        if body[start + len(delimiter) : start + len(delimiter) + 2] == b"--":
            break
        end = positions[index + 1] if index + 1 < len(positions) else len(body)
        piece = body[line_end + 1 : end]
        if piece.endswith(b"\r\n"):
            piece = piece[:-2]
        elif piece.endswith(b"\n"):
            piece = piece[:-1]
        pieces.append(piece)
    return pieces


def headers_from_text(text: str) -> Part:
    """The header fields of a pasted or attached header block, as a bodiless part."""
    data = text.lstrip("\r\n").encode("utf-8", "replace")[:MAX_HEAD_BYTES]
    return Part(parse_headers(data)[0], b"")


def load(raw: bytes) -> Part:
    raw = _MBOX_FROM_RE.sub(b"", raw, count=1)
    if b"\n" not in raw[:65536] and b"\r" in raw[:65536]:
        raw = raw.replace(b"\r", b"\n")  # classic Mac line ends
    # parse_part is bounded anyway; refusing outright makes the reason visible to operators.
    if raw.count(b"/", 0, 4 * 1024 * 1024) > 4 * MAX_CONTAINERS and (
        len(_CONTAINER_RE.findall(raw[: 4 * 1024 * 1024].lower())) > MAX_CONTAINERS
    ):
        raise MimeLimitError(f"more than {MAX_CONTAINERS} nested MIME containers")
    return parse_part(raw)


def header(msg: Part, name: str) -> str:
    """One header's value as text: RFC 2047 decoded, 8-bit bytes decoded as UTF-8 or as the
    single-byte codec they look like (``undeclared_8bit_codec``)."""
    value = msg.get(name)
    if value is None:
        return ""
    return decode_header_value(value)


def decode_header_value(value: object) -> str:
    text = str(value)[:MAX_HEADER]
    if not text.isascii() and _SURROGATE_RE.search(text):  # surrogates are never ASCII
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if "=?" not in text:
        return text
    try:
        chunks = decode_header(text)
    except (ValueError, LookupError, AssertionError):
        return text
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            out.append(_decode_bytes(chunk, charset))
        else:
            out.append(chunk)
    return "".join(out)


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    charset = charset.strip().strip("\"'").lower()
    try:
        return codecs.lookup(charset).name
    except (LookupError, ValueError):
        return None


def _decode_bytes(data: bytes, charset: str | None) -> str:
    codec = _codec(charset)
    if b"\x1b" in data and (b"\x1b$" in data or b"\x1b(" in data):  # one scan for most parts
        codec = "iso2022_jp"
    if codec is not None and codec not in ("ascii", "us-ascii"):
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if codec is not None and codec not in ("ascii", "us-ascii"):
        return data.decode(codec, "replace")
    return data.decode(undeclared_8bit_codec(data))


def part_bytes(part: Part) -> bytes:
    """A leaf part's body with its transfer encoding undone, never raising."""
    cte = (part.get("content-transfer-encoding") or "").strip().lower()
    raw = part.body[: MAX_TEXT * 4]
    if cte == "base64":
        try:
            return binascii.a2b_base64(b"".join(raw.split()))
        except (binascii.Error, ValueError):
            return raw
    if cte == "quoted-printable":
        return quopri.decodestring(raw)
    return raw


def part_text(part: Part, limit: int = MAX_TEXT) -> str:
    data = part_bytes(part)[: limit * 2]
    return _decode_bytes(data, part.get_param("charset") or None)[:limit]


def content_type(part: Part) -> str:
    return part.get_content_type()


@dataclass
class Parts:
    """The parts of a bounce that matter, found in one bounded walk."""

    texts: list[str] = field(default_factory=list)  # bounce text (not inside an attachment)
    delivery_status: list[str] = field(default_factory=list)
    nested_delivery_status: list[str] = field(default_factory=list)  # inside an attached message
    feedback_reports: list[str] = field(default_factory=list)
    originals: list[Part] = field(default_factory=list)  # attached original (headers)
    other_texts: list[str] = field(default_factory=list)  # text inside attached messages


def walk(msg: Part) -> Parts:
    parts = Parts()
    budget = [MAX_PARTS]
    _walk(msg, parts, 0, budget, inside_original=False)
    return parts


def _walk(msg: Part, parts: Parts, depth: int, budget: list[int], inside_original: bool) -> None:
    if depth > MAX_DEPTH or budget[0] <= 0:
        return
    budget[0] -= 1
    ctype = msg.get_content_type()
    # Reports inside an attached message belong to an older exchange (a bounce of a bounce).
    if ctype in ("message/delivery-status", "message/global-delivery-status"):
        target = parts.nested_delivery_status if inside_original else parts.delivery_status
        target.append(part_text(msg))
        return
    if ctype == "message/feedback-report":
        if not inside_original:
            parts.feedback_reports.append(part_text(msg))
        return
    if ctype in ("text/rfc822-headers", "text/global-headers", "message/rfc822-headers"):
        # Read up to the header budget, not a text part's: one 100 kB header must not push the
        # X-Kwiga-* headers after it out of reach.
        parts.originals.append(headers_from_text(part_text(msg, limit=MAX_HEAD_BYTES)))
        return
    if msg.children is not None:
        is_message = ctype.startswith("message/")
        for sub in msg.children:
            if is_message and not inside_original:
                parts.originals.append(sub)
            _walk(sub, parts, depth + 1, budget, inside_original or is_message)
        return
    # A multipart or message part that lost its boundary is still text worth reading.
    readable = ctype.startswith(("text/", "multipart/", "message/"))
    if inside_original:
        # The original's own body is only searched for header lines (Message-ID, X-Kwiga-*):
        # decoding and de-HTML-ing every campaign body costs a sixth of the parse otherwise.
        data = part_bytes(msg)[: MAX_TEXT * 2].lower() if readable else b""
        if b"message-id" in data or b"kwiga-" in data:
            parts.other_texts.append(part_text(msg))
        return
    if readable or (ctype == "application/octet-stream" and depth == 0):
        text = part_text(msg)
        if ctype == "text/html":
            text = _strip_html(text)
        parts.texts.append(text)


_TAG_RE = re.compile(r"<(?:br|p|div|tr|li|/p|/div|/tr|/li|/h\d)[^>]{0,200}>", re.IGNORECASE)
_CELL_RE = re.compile(r"</?t[dh][^>]{0,200}>", re.IGNORECASE)  # table cells: keep them apart
_ANY_TAG_RE = re.compile(r"<[^<>]{0,2000}>")


def _strip_html(text: str) -> str:
    text = _TAG_RE.sub("\n", text)
    text = _CELL_RE.sub(" ", text)
    text = _ANY_TAG_RE.sub("", text)
    return html.unescape(text)


def iter_header_blocks(text: str) -> Iterator[str]:
    """Blank-line separated blocks of a delivery-status or feedback-report text."""
    block: list[str] = []
    for line in text.splitlines():
        if line.strip():
            block.append(line)
        elif block:
            yield "\n".join(block)
            block = []
    if block:
        yield "\n".join(block)
