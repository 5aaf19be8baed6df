"""Hostile input: nothing raises out of parse_message and no message takes more than a second."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suppression.dsn import Kind, ParseResult, parse_message
from tests.dsn._corpus import CORPUS, DEFAULT_CORPUS, MISSING, REPOSITORY

SECOND = 1.0

_SAMPLES = sorted(CORPUS.glob("*.eml")) if CORPUS.is_dir() else []
# Without the corpus, the project's own hand-written bounces are the seeds.
_OWN = sorted((REPOSITORY / "tests" / "samples").glob("*.eml"))
_SEEDS: list[bytes] = [p.read_bytes() for p in _SAMPLES[::6] or _OWN]

hostile_settings = settings(
    max_examples=200,
    deadline=1000,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _timed(raw: bytes) -> ParseResult:
    start = time.perf_counter()
    result = parse_message(raw)
    elapsed = time.perf_counter() - start
    assert elapsed < SECOND, f"{elapsed:.2f}s"
    assert isinstance(result, ParseResult)
    if result.kind in (Kind.FAILED, Kind.COMPLAINT):
        assert result.recipients
    return result


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(st.sampled_from(_SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "duplicate", "delete"]))
        pos = draw(st.integers(0, max(0, len(raw) - 1)))
        if action == "flip" and raw:
            raw[pos] = draw(st.integers(0, 255))
        elif action == "cut":
            del raw[pos:]
        elif action == "insert":
            raw[pos:pos] = draw(
                st.sampled_from(
                    [
                        b"\r\n",
                        b"\n--",
                        b"Content-Type: multipart/mixed; boundary=x\n\n--x\n",
                        b"Content-Type: message/delivery-status\n\n",
                        b"Content-Transfer-Encoding: base64\n",
                        b'charset="x-no-such-charset"',
                        b"=?utf-8?B?////?=",
                        b"\xff\xfe\x00",
                        b"<a@b.c>",
                        b"Final-Recipient: rfc822;",
                        b"\x1b$B",
                    ]
                )
            )
        elif action == "duplicate" and raw:
            end = min(len(raw), pos + draw(st.integers(1, 4096)))
            raw[pos:pos] = raw[pos:end] * draw(st.integers(1, 20))
        elif action == "delete" and raw:
            del raw[pos : pos + draw(st.integers(1, 512))]
    return bytes(raw)


@hostile_settings
@given(mutated())
def test_mutated_corpus_messages_never_raise(raw):
    _timed(raw)


@hostile_settings
@given(st.binary(max_size=4096))
def test_random_bytes_never_raise(raw):
    _timed(raw)


def _deep_multipart(depth: int) -> bytes:
    parts = [b"Content-Type: multipart/mixed; boundary=b0\n\n"]
    for i in range(depth):
        parts.append(b"--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n" % (i, i + 1))
    return b"".join(parts)


def _deep_rfc822(depth: int) -> bytes:
    return b"Content-Type: message/rfc822\n\n" * depth + b"Subject: x\n\nbody\n"


_BOUNCE_HEAD = b"From: MAILER-DAEMON@example.net\nSubject: Undelivered Mail Returned to Sender\n\n"

HOSTILE = {
    "empty": b"",
    "blank": b"\n\n\n",
    "nul bytes": b"\x00" * 10_000,
    "garbage": bytes(range(256)) * 400,
    "headers only": b"From: MAILER-DAEMON@example.net\nSubject: Returned mail",
    "truncated multipart": b"Content-Type: multipart/report; boundary=x\n\n--x\nContent-Type: mes",
    "no boundary": b"Content-Type: multipart/report; report-type=delivery-status\n\nFinal-",
    "deep multipart": _deep_multipart(3000),
    "deep rfc822": _deep_rfc822(2000),
    "8-bit headers": b"From: \xff\xfe <x@\xe9.com>\nSubject: \x80\x81 Undeliverable\n"
    b"To: \xc3\n\n\xff",
    "wrong charset": b"Content-Type: text/plain; charset=utf-7-nope\nSubject: Undelivered\n"
    b"From: postmaster@x.org\n\n<a@b.org>: 550 5.1.1 unknown\n",
    "bad base64": b"Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!=*&^%",
    "10,000 addresses in To": b"From: MAILER-DAEMON@x.org\nTo: "
    + b", ".join(b"u%d@example.com" % i for i in range(10_000))
    + b"\nSubject: Returned mail\n\nuser unknown\n",
    "10,000 failed recipients": b"From: MAILER-DAEMON@x.org\nX-Failed-Recipients: "
    + b", ".join(b"u%d@example.com" % i for i in range(10_000))
    + b"\nSubject: Returned mail\n\nuser unknown\n",
    "10,000 DSN blocks": b"Content-Type: multipart/report; boundary=b\n\n--b\n"
    b"Content-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\n"
    + b"".join(
        b"Final-Recipient: rfc822; u%d@example.com\nAction: failed\nStatus: 5.1.1\n\n" % i
        for i in range(10_000)
    ),
    "long line of at-signs": _BOUNCE_HEAD + b"a@" * 4_000_000,
    "long address-like run": _BOUNCE_HEAD + b"a." * 4_000_000 + b"@",
    "many addresses": _BOUNCE_HEAD + b"user unknown x@example.com\n" * 300_000,
    "one long word": _BOUNCE_HEAD + b"x" * 9_000_000,
    "many parts": b"Content-Type: multipart/mixed; boundary=b\n\n"
    + b"--b\nContent-Type: text/plain\n\nuser unknown <a@b.org>\n" * 50_000,
    "many headers": b"".join(b"X-H%d: v\n" % i for i in range(200_000)) + b"\nbody",
    "json bomb": b'Subject: AWS Notification Message\n\n{"notificationType":' + b"[" * 100_000,
}


@pytest.mark.parametrize("raw", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hand_made_hostile_messages(raw):
    _timed(raw)


def test_a_30_mb_message_is_refused_before_parsing():
    result = _timed(b"Subject: big\n\n" + b"a" * (30 * 1024 * 1024))
    assert result.kind is Kind.UNPARSEABLE
    assert "limit" in result.detail


def test_non_bytes_input_is_unparseable():
    assert parse_message("text, not bytes").kind is Kind.UNPARSEABLE  # type: ignore[arg-type]


@pytest.mark.skipif(not _SAMPLES, reason=MISSING)
def test_whole_corpus_with_each_line_ending_parses_quickly():
    for path in _SAMPLES:
        raw = path.read_bytes()
        for variant in (raw, raw.replace(b"\n", b"\r\n"), raw.replace(b"\n", b"\r")):
            _timed(variant)


def test_own_samples_seed_the_mutations_on_a_bare_clone():
    assert len(_OWN) >= 6


def test_corpus_path_points_next_to_the_repository():
    assert Path(__file__).resolve().parents[3] / "shared/corpus/dsn" == DEFAULT_CORPUS
