"""Complaints: RFC 5965 abuse reports (ARF) and Microsoft's JMRP variant."""

from __future__ import annotations

import re
from datetime import datetime

from suppression.dsn.mime import Part, header
from suppression.dsn.model import FailedRecipient
from suppression.dsn.rfc3464 import parse_fields
from suppression.dsn.textutil import (
    ADDRESS_RE,
    canonical_address,
    clip,
    normalize_address,
    parse_date,
)

# Microsoft's feedback loop (JMRP) attaches the complained-about message with this header.
JMRP_HEADER = "X-HmXmrOriginalRecipient"
_RCPT_TO_RE = re.compile(r"^original-rcpt-to:[ \t]*(.{1,400})$", re.IGNORECASE | re.MULTILINE)


def _addresses(value: str, limit: int = 20) -> list[str]:
    found: list[str] = []
    for match in ADDRESS_RE.finditer(value[:8192]):
        address = canonical_address(match.group(0))
        if address not in found:
            found.append(address)
        if len(found) >= limit:
            break
    return found


# RFC 5965 / 6591 feedback types that are not a recipient's complaint: a "this is not spam"
# report, and DMARC/SPF/DKIM failure reports about the sending domain.
NOT_COMPLAINTS = frozenset({"not-spam", "auth-failure"})


def feedback_type(report_text: str) -> str:
    for block in report_text.split("\n\n"):
        value = parse_fields(block).get("feedback-type")
        if value:
            return value.strip().lower()[:40]
    return "abuse"


def complaint_recipients(
    report_text: str, originals: list[Part], fallback_date: datetime | None
) -> list[FailedRecipient]:
    """One complaint per complaining address; [] when the report names nobody."""
    fields: dict[str, str] = {}
    for block in report_text.split("\n\n"):
        for name, value in parse_fields(block).items():
            fields.setdefault(name, value)
    feedback_type = fields.get("feedback-type", "abuse").strip().lower()[:40] or "abuse"
    rcpts: list[str] = []
    for match in _RCPT_TO_RE.finditer(report_text[:65536]):  # the field may repeat (RFC 5965)
        address = normalize_address(match.group(1))
        if address and address not in rcpts:
            rcpts.append(address)
    if not rcpts:
        for original in originals[:1]:
            rcpts = _addresses(header(original, JMRP_HEADER)) or _addresses(header(original, "To"))
    date = parse_date(fields.get("arrival-date", "")) or parse_date(fields.get("received-date", ""))
    diagnostic = clip(report_text)
    return [
        FailedRecipient.complaint(
            rcpt,
            feedback_type=feedback_type,
            rule=f"arf:{feedback_type}",
            occurred_at=date or fallback_date,
            diagnostic=diagnostic,
        )
        for rcpt in rcpts
    ]


def jmrp_recipients(originals: list[Part], fallback_date: datetime | None) -> list[FailedRecipient]:
    """Microsoft JMRP complaints: no report part, only the attached message with its marker."""
    for original in originals[:1]:
        rcpts = _addresses(header(original, JMRP_HEADER))
        return [
            FailedRecipient.complaint(
                rcpt, feedback_type="abuse", rule="arf:jmrp", occurred_at=fallback_date
            )
            for rcpt in rcpts
        ]
    return []


# Feedback loops that predate ARF: a notice in words and the complained-about message attached.
_WORDED_COMPLAINT_RE = re.compile(
    r"(?:subscriber|customer|user|recipient|member)s? (?:has |have )?(?:reported|marked|flagged)"
    r"[^.]{0,80} as (?:spam|junk|abuse|unsolicited)|\bspam complaint|\babuse complaint"
    r"|clicked \W?(?:this is spam|report spam|junk)"
)


def worded_complaint_recipients(
    notice: str, originals: list[Part], fallback_date: datetime | None
) -> list[FailedRecipient]:
    """A complaint told in words, about the attached message: its To names who complained."""
    if not originals or not _WORDED_COMPLAINT_RE.search(notice[:4000].lower()):
        return []
    rcpts = _addresses(header(originals[0], "To"), limit=6)
    if not rcpts or len(rcpts) > 5:  # a list of many is not one subscriber's complaint
        return []
    return [
        FailedRecipient.complaint(
            rcpt,
            feedback_type="abuse",
            rule="complaint:worded",
            occurred_at=fallback_date,
            diagnostic=clip(notice),
        )
        for rcpt in rcpts
    ]
