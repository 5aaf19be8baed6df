"""Reading raw mail safely: MIME parsing with limits, header values, and decoded text parts.

The standard ``email`` package does the MIME work (``compat32`` is the fastest policy and never
raises on defects); what this module adds is a budget. Nesting, the number of parts and the text
taken from each part are bounded, so that a hostile message cannot make the parser slow.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser, HeaderParser
from email.policy import compat32

MAX_TEXT = 64 * 1024  # characters kept from one text part: bounce text sits at the top
MAX_PARTS = 64
MAX_DEPTH = 12
MAX_CONTAINERS = 64  # multipart/* and message/* declarations tolerated in one raw message
MAX_HEADER = 8 * 1024

_SURROGATE_RE = re.compile("[\udc80-\udcff]")
_CONTAINER_RE = re.compile(rb"content-type:[ \t]*(?:multipart|message)/", re.IGNORECASE)
_MBOX_FROM_RE = re.compile(rb"\AFrom [^\r\n]*\r?\n")


class MimeLimitError(Exception):
    """The message is built to exhaust the parser (too deeply nested, too many parts)."""


def load(raw: bytes) -> Message:
    raw = _MBOX_FROM_RE.sub(b"", raw, count=1)
    if b"\n" not in raw[:65536] and b"\r" in raw[:65536]:
        raw = raw.replace(b"\r", b"\n")  # classic Mac line ends
    if len(_CONTAINER_RE.findall(raw, 0, 4 * 1024 * 1024)) > MAX_CONTAINERS:
        raise MimeLimitError(f"more than {MAX_CONTAINERS} nested MIME containers")
    return BytesParser(policy=compat32).parsebytes(raw)


def header(msg: Message, name: str) -> str:
    """One header's value as text: RFC 2047 decoded, 8-bit bytes decoded as UTF-8 or Latin-1."""
    value = msg.get(name)
    if value is None:
        return ""
    return decode_header_value(value)


def decode_header_value(value: object) -> str:
    text = str(value)[:MAX_HEADER]
    if _SURROGATE_RE.search(text):
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
    if b"\x1b$" in data or b"\x1b(" in data:
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
    if codec is not None:
        return data.decode(codec, "replace")
    return data.decode("latin-1")


def part_bytes(part: Message) -> bytes:
    """A non-multipart part's body with its transfer encoding undone, never raising."""
    payload = part.get_payload()
    if not isinstance(payload, str):
        return b""
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    raw = payload.encode("utf-8", "surrogateescape")
    if cte == "base64":
        try:
            return base64.b64decode(b"".join(raw.split())[: MAX_TEXT * 2], validate=False)
        except (binascii.Error, ValueError):
            return raw
    if cte == "quoted-printable":
        return quopri.decodestring(raw[: MAX_TEXT * 2])
    return raw


def part_text(part: Message, limit: int = MAX_TEXT) -> str:
    data = part_bytes(part)[: limit * 2]
    return _decode_bytes(data, part.get_param("charset") and str(part.get_param("charset")))[:limit]


def content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except (AttributeError, TypeError, ValueError):
        return "text/plain"


@dataclass
class Parts:
    """The parts of a bounce that matter, found in one bounded walk."""

    texts: list[str] = field(default_factory=list)  # bounce text (not inside an attachment)
    delivery_status: list[str] = field(default_factory=list)
    nested_delivery_status: list[str] = field(default_factory=list)  # inside an attached message
    feedback_reports: list[str] = field(default_factory=list)
    originals: list[Message] = field(default_factory=list)  # attached original (headers)
    other_texts: list[str] = field(default_factory=list)  # text inside attached messages


def walk(msg: Message) -> Parts:
    parts = Parts()
    budget = [MAX_PARTS]
    _walk(msg, parts, 0, budget, inside_original=False)
    return parts


def _walk(msg: Message, parts: Parts, depth: int, budget: list[int], inside_original: bool) -> None:
    if depth > MAX_DEPTH or budget[0] <= 0:
        return
    budget[0] -= 1
    ctype = content_type(msg)
    payload = msg.get_payload()
    # Reports inside an attached message belong to an older exchange (a bounce of a bounce).
    if ctype in ("message/delivery-status", "message/global-delivery-status"):
        target = parts.nested_delivery_status if inside_original else parts.delivery_status
        target.append(_embedded_text(msg))
        return
    if ctype == "message/feedback-report":
        if not inside_original:
            parts.feedback_reports.append(_embedded_text(msg))
        return
    if ctype in ("text/rfc822-headers", "text/global-headers", "message/rfc822-headers"):
        text = _embedded_text(msg) if isinstance(payload, list) else part_text(msg)
        parts.originals.append(HeaderParser(policy=compat32).parsestr(text, headersonly=True))
        return
    if isinstance(payload, list):
        is_message = ctype.startswith("message/")
        for sub in payload:
            if not isinstance(sub, Message):
                continue
            if is_message and not inside_original:
                parts.originals.append(sub)
            _walk(sub, parts, depth + 1, budget, inside_original or is_message)
        return
    # A multipart or message part that lost its boundary is still text worth reading.
    readable = ctype.startswith(("text/", "multipart/", "message/"))
    if readable or (ctype == "application/octet-stream" and depth == 0):
        text = part_text(msg)
        if ctype == "text/html":
            text = _strip_html(text)
        (parts.other_texts if inside_original else parts.texts).append(text)


def _embedded_text(msg: Message) -> str:
    """The text of a part the parser split into header blocks (delivery-status, feedback)."""
    payload = msg.get_payload()
    if isinstance(payload, str):
        return part_text(msg)
    blocks: list[str] = []
    items: list[object] = list(payload)[:MAX_PARTS] if isinstance(payload, list) else []
    for block in items:
        if not isinstance(block, Message):
            continue
        lines = [f"{name}: {decode_header_value(value)}" for name, value in block.items()]
        body = block.get_payload()
        if isinstance(body, str) and body.strip():
            lines.append(body)
        blocks.append("\n".join(lines))
    text = "\n\n".join(blocks)
    cte = str(msg.get("content-transfer-encoding", "")).strip().lower()
    if cte == "base64" and ":" not in text[:200]:
        try:
            return base64.b64decode("".join(text.split()), validate=False).decode(
                "utf-8", "replace"
            )
        except (binascii.Error, ValueError):
            return text
    return text


_TAG_RE = re.compile(r"<(?:br|p|div|tr|li|/p|/div|/tr|/li|/h\d)[^>]{0,200}>", re.IGNORECASE)
_ANY_TAG_RE = re.compile(r"<[^<>]{0,2000}>")


def _strip_html(text: str) -> str:
    text = _TAG_RE.sub("\n", text)
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
