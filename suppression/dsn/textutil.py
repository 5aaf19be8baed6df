"""Small text helpers shared by the readers: addresses, whitespace, dates, status codes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

# email.utils' own date reader, without email.utils: that module imports socket, random and
# urllib for other helpers, a sixth of this package's start-up in every short-lived process.
from email._parseaddr import _parsedate_tz

from suppression.textsafety import cut

# Bounded repetitions and a domain part that cannot contain the dot separating its labels keep
# this linear on hostile input. Labels before the last may be internationalized (letters of any
# script: "anna@bücher.example"); the top-level label stays ASCII, so that text written straight
# after an address ("kenji@example.jpの") is not read into it.
# Local parts (RFC 6531) may hold letters of alphabetic scripts written with spaces between words
# (Latin with diacritics, Greek, Cyrillic); CJK text runs into an address without a space, so in
# running text CJK letters are only accepted in a DSN field, where the address stands alone.
_DOMAIN = r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.){1,10}[A-Za-z][A-Za-z0-9-]{0,62}"
_LOCAL_CHARS = "A-Za-z0-9!#$%&'*+/=?^_`{|}~\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff-"
ADDRESS_RE = re.compile(rf"[{_LOCAL_CHARS}][{_LOCAL_CHARS}.]{{0,63}}" + _DOMAIN)
_FIELD_ADDRESS_RE = re.compile(r"[\w!#$%&'*+/=?^`{|}~-][\w.!#$%&'*+/=?^`{|}~-]{0,63}" + _DOMAIN)
# An enhanced status code (RFC 3463) as servers write it: "5.1.1", "#5.1.1", "4.4.7".
STATUS_RE = re.compile(r"(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?![\w.]|\.\d)")
# An SMTP reply code at the start of a reply line: "550 ", "550-" (a multi-line reply, also
# "550-5.1.1"), "550:".
# "Mailbox quota: 500 MB" or "more than 450 messages" is a quantity, not a reply.
SMTP_CODE_RE = re.compile(
    r"(?<![\w.#-])(?<!than )(?<!over )(?<!of )(?<!to )"
    r"([245][0-5][0-9])(?=[ \-:]|$)(?!:?\d)(?!-(?!\d\.\d{1,3}\.\d)\d)"
    r"(?! ?(?i:[kmg]i?b\b|k?bytes?\b|days?\b|hours?\b|minutes?\b|seconds?\b|percent\b|%))",
    re.MULTILINE,
)

MAX_DIAGNOSTIC = 1000


def lower_same_length(text: str) -> str:
    """``text.lower()`` with every offset kept, so that matches in it can cut the original.

    Case-sensitive patterns over lowered text run several times faster than ``re.IGNORECASE``
    ones (the engine folds case per character and per branch). U+0130 is the one character whose
    lowercase is two characters long.
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = text.replace("\u0130", "i").lower()
    return lowered


def collapse(text: str) -> str:
    """Unfold and collapse whitespace."""
    return " ".join(text.split())


# C0 controls other than whitespace, and DEL: quoted-printable "=00" decodes to NUL, which
# PostgreSQL refuses in text and no reader wants to see.
_CONTROLS = {code: None for code in [*range(0, 9), 11, 12, *range(14, 32), 127]}


def clip(text: str, limit: int = MAX_DIAGNOSTIC) -> str:
    """A diagnostic on one line, without controls; a longer one is cut with a visible mark."""
    return cut(collapse(text.translate(_CONTROLS)), limit)


_XTEXT_RE = re.compile(r"\\x\{([0-9A-Fa-f]{1,6})\}")


# What writers put before an address that the address pattern reads into it: a stray quote
# ("'ann@..."), Exchange's address type ("SMTP=ann@...", "smtp:ann@..."), a mailto: link, and a
# reply code before a quote (Exchange's "550-'ann@example.com... User unknown'").
_ADDRESS_PREFIX_RE = re.compile(r"^(?:[245]\d\d[- ]?['`\"]+|['`\"]+|(?:smtp|rfc822|mailto)[=:])+")


def canonical_address(address: str) -> str:
    """Lowercase, without a trailing dot, and an internationalized domain in its ASCII form."""
    address = address.lower().rstrip(".")
    if address[:1] in ("'", "`", '"', "s", "r", "m", "2", "4", "5"):
        address = _ADDRESS_PREFIX_RE.sub("", address)
    if address.isascii():
        return address
    local, _, domain = address.rpartition("@")
    import idna  # internationalized domains are rare, and idna costs ~9 ms to load

    try:
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return address
    return f"{local}@{ascii_domain}"


def normalize_address(value: str) -> str:
    """Lowercase an address and strip what DSN writers wrap it in ("rfc822;", <>, quotes)."""
    value = value.strip()
    if ";" in value[:12]:
        value = value.split(";", 1)[1]
    value = value.strip().strip("<>\"' ").strip()
    if "\\x{" in value:  # RFC 6533 "utf-8" address type: non-ASCII escaped as \x{FC}
        value = _XTEXT_RE.sub(lambda m: _char(m.group(1)), value)
    match = _FIELD_ADDRESS_RE.search(value)
    if match is None:
        return ""
    return canonical_address(match.group(0))


def _char(hex_digits: str) -> str:
    code = int(hex_digits, 16)
    return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "?"


def _parsedate_to_datetime(value: str) -> datetime:
    """``email.utils.parsedate_to_datetime`` (Python 3.11), line for line."""
    parsed = _parsedate_tz(value)
    if parsed is None:
        raise ValueError(f"Invalid date value or format {value!r}")
    year, month, day, hour, minute, second, *_, tz = parsed
    if tz is None:
        return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - parse_date sets UTC
    zone = _ZONES.get(tz)
    if zone is None:
        zone = timezone(timedelta(seconds=tz))
        if len(_ZONES) < 512:  # offsets are few; a hostile run of odd ones is not kept
            _ZONES[tz] = zone
    return datetime(year, month, day, hour, minute, second, tzinfo=zone)


_ZONES: dict[int, timezone] = {}


def parse_date(value: str) -> datetime | None:
    """A tz-aware UTC datetime from an RFC 5322 date, or None when it cannot be read."""
    value = collapse(value)[:200]
    if not value:
        return None
    try:
        parsed = _parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    try:
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def find_status(text: str) -> str:
    """The first plausible failure (4.x.x or 5.x.x) status code in a text, "" when none.

    A 2.x.x code in a bounce is the answer to an earlier command of a session transcript
    ("250 2.1.0 Sender ok"), never the failure's own.
    """
    for match in STATUS_RE.finditer(text):
        klass, subject, detail = match.groups()
        if klass != "2" and int(subject) <= 7 and int(detail) < 1000:
            return f"{klass}.{int(subject)}.{int(detail)}"
    return ""


def find_smtp_code(text: str) -> str:
    """The first plausible failure (4xx or 5xx) SMTP reply code in a text, "" when none."""
    for match in SMTP_CODE_RE.finditer(text):
        if match.group(1)[0] != "2":
            return match.group(1)
    return ""
