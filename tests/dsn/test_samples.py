"""The parser on the project's own sample bounces (tests/samples), which every clone has.

The corpus tests in test_parser.py and test_corpus_quality.py need the development corpus beside
the repository and skip without it; these cover the same shapes on messages written for this
project: a two-recipient RFC 3464 report, a complaint, a report naming nobody, Exchange Online's
report, an auto-reply, a reply from a person, a delay warning and a delivery report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from suppression.dsn import Kind, parse_message

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

# file -> (kind, [(recipient, reasons that fit, status, SMTP code)], school, stream, original id)
EXPECTED = {
    "sendmail-two-recipients.eml": (
        Kind.FAILED,
        [
            ("old.student@college.example", {"mailbox_unknown"}, "5.2.1", "550"),
            ("nobody.here@college.example", {"mailbox_unknown"}, "5.1.1", "550"),
        ],
        "",
        "",
        "",
    ),
    "arf-abuse.eml": (
        Kind.COMPLAINT,
        [("marta.reader@mailprovider.example", {"complaint"}, "", "")],
        "demo-school",
        "campaign",
        "campaign-77.marta@mail.kwiga.com",
    ),
    "exchange-online-nul.eml": (
        Kind.FAILED,
        [("accounts@tenant.example", {"mailbox_unknown"}, "5.1.10", "550")],
        "demo-school",
        "system",
        "system-6001.accounts@mail.kwiga.com",
    ),
    "postfix-invalid-recipient.eml": (
        Kind.FAILED,
        [("stu..dent.@mailbox.example", {"mailbox_unknown", "rejected"}, "5.1.3", "553")],
        "demo-school",
        "system",
        "system-5120@mail.kwiga.com",
    ),
    "arf-no-recipient.eml": (Kind.UNPARSEABLE, [], "", "", "campaign-78@mail.kwiga.com"),
    "vacation.eml": (Kind.AUTO_REPLY, [], "", "", ""),
    "not-a-bounce.eml": (Kind.NOT_A_BOUNCE, [], "", "", ""),
    "exim-delayed.eml": (
        Kind.DELAYED,
        [],
        "python-bootcamp",
        "automation",
        "automation-912.lena@mail.kwiga.com",
    ),
    "delivered-report.eml": (Kind.DELIVERED, [], "", "", "system-7002.hanna@mail.kwiga.com"),
}


def test_every_sample_has_an_expectation() -> None:
    assert sorted(path.name for path in SAMPLES.glob("*.eml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample(name: str) -> None:
    kind, recipients, school, stream, original = EXPECTED[name]

    result = parse_message((SAMPLES / name).read_bytes())

    assert result.kind is kind
    got = [(r.recipient, r.reason.value, r.status, r.smtp_code) for r in result.recipients]
    assert [g[0] for g in got] == [want[0] for want in recipients]
    for (_, reason, status, code), (_, reasons, want_status, want_code) in zip(
        got, recipients, strict=True
    ):
        assert reason in reasons
        assert (status, code) == (want_status, want_code)
    assert (result.school, result.stream, result.original_message_id) == (school, stream, original)
