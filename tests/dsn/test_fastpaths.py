"""The shortcuts taken for speed give the same answers as the plain way."""

from __future__ import annotations

import importlib
import random
import re

import pytest

from suppression.dsn import freetext, mime, parser, phrases, signals
from suppression.dsn.textutil import lower_same_length

from ._corpus import CORPUS

# The package re-exports the classify function under the module's name.
classify_module = importlib.import_module("suppression.dsn.classify")

_WORD_TEXT = (
    "user unknown mailbox full quota exceeded over the limit no such user account disabled "
    "blocked spamhaus listed in black list spam content rejected denied refused relay access "
    "not permitted domain does not exist host not found dns lookup timed out try again later "
    "message too large size policy header authentication spf dkim sender address mail from "
    "recipient address rejected unrouteable address 550 5.1.1 4.2.2 smtp; said: after rcpt to "
    "postfach voll utilisateur inconnu buzón lleno не существует 存在しません"
)
WORDS = _WORD_TEXT.split()


def _plain(text: str) -> tuple[object, str] | None:
    """match_phrase without the literal screen: every rule's regex in order."""
    lowered = " ".join(text[: phrases.MAX_SCAN].split()).lower()
    for name, reason, pattern in phrases.RULES:
        if pattern.search(lowered):
            return reason, name
    return None


def _sample_texts() -> list[str]:
    rng = random.Random(20240611)
    texts = [" ".join(rng.choices(WORDS, k=rng.randint(1, 12))) for _ in range(1500)]
    # Glue words together too, so that anchors appear inside other words.
    texts += ["".join(rng.choices(WORDS, k=rng.randint(2, 6))) for _ in range(500)]
    if CORPUS.is_dir():
        for path in sorted(CORPUS.glob("*.eml")):
            text = path.read_bytes()[:12000].decode("utf-8", "replace")
            texts.extend(text[start : start + 400] for start in range(0, len(text), 300))
    return texts


def _texts_and_whole_messages() -> list[str]:
    """The sample texts, then every corpus message whole (the splitters read whole notices)."""
    whole = [p.read_bytes().decode("utf-8", "replace") for p in sorted(CORPUS.glob("*.eml"))]
    return _sample_texts() + whole


def test_the_literal_screen_never_changes_the_phrase_answer():
    for text in _sample_texts():
        assert phrases.match_phrase(text) == _plain(text), text[:200]


def test_most_phrase_rules_are_screened():
    # The speed of classification rests on this; a rule rewritten so that no literal can be
    # derived still works, only slower.
    screened = [anchors for anchors in phrases._SCREENS if anchors is not None]
    assert len(screened) >= len(phrases.RULES) - 2


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"mail ?box (?:is )?full", ("box ",)),  # "mail" is in nearly every bounce
        (r"(?:over|exceeded) quota", (" quota",)),
        (r"spam|junk mail", ("junk mail", "spam")),
        (r"\bblocked|(?:ip|address) .{0,20}banned", ("banned", "blocked")),
    ],
)
def test_anchors_are_strings_every_match_contains(source, expected):
    anchors = phrases._anchors(source)
    assert anchors == expected
    pattern = re.compile(source)
    rng = random.Random(7)
    for _ in range(2000):
        text = " ".join(rng.choices([*WORDS, "mailbox", "box", "ip", "junk", "banned"], k=6))
        if pattern.search(text):
            assert any(anchor in text for anchor in anchors)


def test_rules_that_cannot_be_screened_are_left_to_their_regex():
    assert phrases._anchors(r"(?<![@\w.-])[a-z]+\.[a-z]{2,}") is None
    assert phrases._anchors(r"a|b") is None  # one-character literals screen nothing
    assert phrases._anchors(r"(?i)unknown user") is None  # case-insensitive literals
    assert phrases._anchors(r"(?i:unknown) user") == (" user",)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"a|b(c|d)|e", ["a", "b(c|d)", "e"]),
        (r"a\|b|c", [r"a\|b", "c"]),
        (r"[|(]x|[]|]y|[^]|]z|w", ["[|(]x", "[]|]y", "[^]|]z", "w"]),
        (r"(?:a|b)", ["(?:a|b)"]),
    ],
)
def test_top_level_alternatives_split_where_the_regex_does(source, expected):
    assert phrases._top_branches(source) == expected
    assert "|".join(expected) == source


def test_phrase_rules_are_tried_alternative_by_alternative():
    # Each rule whose regex is an alternation is split, each alternative behind its own screen.
    split = [branches for *_, branches in phrases._SCREENED if len(branches) > 1]
    assert len(split) >= len(phrases.RULES) - 2
    for (*_, branches), (_, _, source) in zip(
        phrases._SCREENED, phrases._RULES_SOURCE, strict=True
    ):
        sources = [branch_source for _, branch_source, _ in branches]
        assert sorted("|".join(sources).split("|")) == sorted(source.split("|"))


def test_the_scan_for_overriding_phrases_gives_the_full_scan_answer():
    within = classify_module._OVERRIDING_WITHIN
    for text in _sample_texts():
        full = _plain(text)
        expected = (
            full if full is not None and full[1] in classify_module.OVERRIDING_PHRASES else None
        )
        limited = phrases.match_phrase(text, within=within)
        if limited is not None and limited[1] not in classify_module.OVERRIDING_PHRASES:
            limited = None
        assert limited == expected, text[:200]


def test_lower_same_length_keeps_offsets():
    text = "İSTANBUL Original Message follows"
    lowered = lower_same_length(text)
    assert len(lowered) == len(text)
    assert lowered.endswith("original message follows")


# Patterns that run over lowercased text without re.IGNORECASE must not hold capitals.
LOWERCASE_PATTERNS = [
    freetext._ORIGINAL_MARKER_RE,
    freetext._HEADER_BLOCK_RE,
    freetext._HEADER_BLOCK_AFTER_NEWLINE_RE,
    signals._DAEMON_RE,
    signals._SUBJECT_RE,
    signals._BODY_RE,
    signals._DELAY_SUBJECT_RE,
    signals._DELAY_BODY_RE,
    signals._PERMANENT_RE,
    classify_module._COMMAND_RE,
    parser._REMOTE_HOST_RE,
    mime._CONTAINER_RE,
    *(pattern for _, _, pattern in phrases.RULES),
]


@pytest.mark.parametrize("pattern", LOWERCASE_PATTERNS, ids=lambda p: str(p.pattern)[:30])
def test_patterns_over_lowered_text_are_lowercase(pattern):
    source = pattern.pattern
    if isinstance(source, bytes):
        source = source.decode("latin-1")
    without_escapes = re.sub(r"\\.", "", source)
    assert without_escapes == without_escapes.lower()
    assert not pattern.flags & re.IGNORECASE


def test_marker_cues_are_lowercase_and_hold_no_line_end():
    for cue in freetext._MARKER_CUES:
        assert cue == cue.lower()
        assert "\n" not in cue


def _split_original_by_regex(text):
    """split_original as it was written with one regex of the cues (the reference)."""
    cue_re = re.compile(
        r"original|unsent|returned|copy|header|follow|below|bounced|kopie|copie|en-t[eê]te|копия"
    )
    text = text[: freetext.MAX_BOUNCE_TEXT]
    lowered = lower_same_length(text)
    tried = -1
    for cue in cue_re.finditer(lowered):
        start = lowered.rfind("\n", 0, cue.start()) + 1
        if start == tried:
            continue
        tried = start
        end = lowered.find("\n", cue.end())
        end = len(lowered) if end < 0 else end
        if (
            start > 0
            and end - start < 200
            and freetext._ORIGINAL_MARKER_RE.match(lowered, start, end)
        ):
            return text[:start], text[end + 1 :]
    for tried, header_match in enumerate(freetext._HEADER_BLOCK_RE.finditer(lowered)):
        start = header_match.start()
        if tried > 20:
            break
        if start == 0:
            continue
        if len(freetext._FIELD_LINE_RE.findall(text, start, start + 600)) >= 3:
            return text[:start], text[start:]
    return text, ""


SPLIT_CASES = [
    "",
    "Received: from a\nX-A: b\nMessage-ID: c\nbody",
    "note\nReceived: from a\nX-A: b\nMessage-ID: c\nbody",
    "note\n" + "x-a: 1\n" * 25 + "received: x\nx-b: 1\nx-c: 2\n",
    "Received: x\n" + "note\nx-a: 1\n" * 20 + "received: x\nx-b: 1\nx-c: 2\n",
    "Failed.\n--- Original message follows --- copy below\nSubject: hi",
    "Failed. original\n--- En-tête du message ---\nSubject: hi",
    "Ошибка\n----- Копия исходного письма -----\nSubject: hi",
    "a copy of the original message follows:\nb\n---- Original message ----\nc",
]


@pytest.mark.parametrize("text", SPLIT_CASES)
def test_split_original_gives_the_regex_answer(text):
    assert freetext.split_original(text) == _split_original_by_regex(text)


def test_split_original_gives_the_regex_answer_on_the_corpus():
    for text in _texts_and_whole_messages():
        assert freetext.split_original(text) == _split_original_by_regex(text), text[:200]


def _unquote_unscreened(text):
    head = text[: freetext.MAX_BOUNCE_TEXT]
    lines = [line for line in head.splitlines() if line.strip()]
    if len(lines) < 5:
        return text
    quoted = sum(1 for line in lines if line.lstrip().startswith(">"))
    if quoted * 10 < len(lines) * 6:
        return text
    return freetext._QUOTED_RE.sub("", head)


@pytest.mark.parametrize(
    "text", ["> a\n> b\nc\nd\ne", "> a\n> b\n> c\nd\ne", "> a\n> b\n> c", "", "a\n" * 9]
)
def test_unquote_screen_gives_the_unscreened_answer(text):
    assert freetext.unquote_forwarded(text) == _unquote_unscreened(text)


def test_unquote_screen_gives_the_unscreened_answer_on_the_corpus():
    for text in _texts_and_whole_messages():
        assert freetext.unquote_forwarded(text) == _unquote_unscreened(text), text[:200]


def test_header_and_original_split_with_mixed_case_and_crlf():
    raw = (
        b"From: MAILER-DAEMON@example.org\r\nSubject: Undelivered Mail\r\n"
        b"Content-Type: text/plain; CHARSET=utf-8\r\n \tformat=flowed\r\n\r\n"
        b"Delivery to the following recipient failed permanently:\r\n\r\n"
        b"    someone@example.com\r\n\r\n550 5.1.1 User unknown\r\n\r\n"
        b"----- ORIGINAL MESSAGE FOLLOWS -----\r\n\r\nMessage-ID: <abc@kwiga.com>\r\n"
    )
    msg = mime.load(raw)
    assert msg.get("Subject") == "Undelivered Mail"
    assert msg.get_param("charset") == "utf-8"
    result = parser.parse_message(raw)
    assert [r.recipient for r in result.recipients] == ["someone@example.com"]
    assert result.original_message_id == "abc@kwiga.com"


@pytest.mark.parametrize(
    "value",
    [
        "Tue, 14 May 2024 09:00:00 +0200",
        "14 May 2024 09:00:00 -0000",
        "Tue, 14 May 2024 09:00:00 GMT",
        "Tue, 14 May 24 09:00 EST",
        "Mon, 31 Feb 2024 25:61:00 +0000",
        "Tue, 14 May 2024 09:00:00",
        "not a date",
        "",
    ],
)
def test_dates_are_read_as_email_utils_reads_them(value):
    from email.utils import parsedate_to_datetime

    from suppression.dsn.textutil import _parsedate_to_datetime

    try:
        expected: object = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError) as exc:
        expected = type(exc)
    try:
        got: object = _parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError) as exc:
        got = type(exc)
    assert got == expected


SCREENED_SIGNALS = [
    name for name in vars(signals) if isinstance(getattr(signals, name), phrases.ScreenedRegex)
]


@pytest.mark.parametrize("name", SCREENED_SIGNALS)
def test_screened_signal_regexes_answer_as_their_regex(name):
    screened = getattr(signals, name)
    plain = re.compile(screened.pattern)
    words = [*WORDS, "almost full", "warning only", "undeliverable", "gave up", "retry", "not"]
    rng = random.Random(name)
    texts = [" ".join(rng.choices(words, k=rng.randint(1, 15))) for _ in range(1500)]
    texts += [text.lower() for text in _sample_texts()[2000:]]
    for text in texts:
        assert screened.search(text) == bool(plain.search(text)), text[:200]


def test_signal_regexes_that_only_answer_yes_or_no_are_screened():
    assert len(SCREENED_SIGNALS) >= 8


def test_the_screen_table_is_current():
    # A stale entry is never used (the table is keyed by each regex's exact source), but a rule
    # missing from it is derived at every start: run scripts/screen_table.py after editing rules.
    from suppression.dsn._screen_table import TABLE

    sources = phrases.screened_sources()
    assert len(sources) >= len(phrases._RULES_SOURCE) + 8
    assert set(TABLE) == set(sources)
    for source in sources:
        assert TABLE[source] == phrases.table_entry(source), source[:80]
