"""RFC 3464 delivery-status fields: per-message and per-recipient blocks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from suppression.dsn.mime import iter_header_blocks
from suppression.dsn.textutil import collapse, normalize_address, parse_date

_FIELD_RE = re.compile(r"^([A-Za-z][A-Za-z0-9-]{0,40})[ \t]*:[ \t]*(.*)$")
MAX_RECIPIENTS = 500


@dataclass
class DsnRecord:
    recipient: str
    original_recipient: str
    action: str
    status: str
    diagnostic: str
    diagnostic_type: str
    remote_mta: str
    occurred_at: datetime | None  # Last-Attempt-Date: when delivery failed
    # Arrival-Date (the recipient's, else the message's): when the original reached the reporter.
    # Kept as text: it is read only when neither the failure nor the bounce has a date.
    arrival_dates: tuple[str, str] = ("", "")

    @property
    def arrival_at(self) -> datetime | None:
        return parse_date(self.arrival_dates[0]) or parse_date(self.arrival_dates[1])


def parse_fields(block: str) -> dict[str, str]:
    """A block's fields, names lowercased, folded lines joined; the first occurrence wins."""
    fields: dict[str, str] = {}
    name = ""
    for line in block.splitlines():
        if line[:1] in (" ", "\t") and name:
            fields[name] += " " + line.strip()
            continue
        match = _FIELD_RE.match(line)
        if match is None:
            name = ""
            continue
        name = match.group(1).lower()
        if name in fields:
            name = ""  # keep the first value, ignore continuation of a duplicate
            continue
        fields[name] = match.group(2).strip()
    return fields


def _value_after_type(value: str) -> tuple[str, str]:
    """Split "smtp; 550 5.1.1 ..." into ("smtp", "550 5.1.1 ...")."""
    value = collapse(value)
    head, sep, rest = value.partition(";")
    if sep and len(head) <= 20 and " " not in head.strip():
        return head.strip().lower(), rest.strip()
    return "", value


_FINAL_RE = re.compile(r"^final-recipient[ \t]*:", re.IGNORECASE | re.MULTILINE)


def _recipient_blocks(text: str) -> Iterator[str]:
    """The header blocks, a block naming two Final-Recipients cut in two: malformed reports
    leave out the blank line between recipients, and the second would otherwise be lost."""
    for block in iter_header_blocks(text):
        starts = [m.start() for m in _FINAL_RE.finditer(block)]
        if len(starts) < 2:
            yield block
            continue
        yield block[: starts[1]]
        for index, start in enumerate(starts[1:], start=1):
            end = starts[index + 1] if index + 1 < len(starts) else len(block)
            yield block[start:end]


def parse(text: str) -> list[DsnRecord]:
    """Recipient records of a delivery-status text; [] when it has none."""
    message_fields: dict[str, str] = {}
    records: list[DsnRecord] = []
    for block in _recipient_blocks(text):
        fields = parse_fields(block)
        if not fields:
            continue
        rcpt_raw = fields.get("final-recipient") or fields.get("x-actual-recipient") or ""
        orig_raw = fields.get("original-recipient", "")
        if not rcpt_raw and not orig_raw:
            if "reporting-mta" in fields or "arrival-date" in fields or not records:
                message_fields.update({k: v for k, v in fields.items() if k not in message_fields})
            continue
        recipient = normalize_address(rcpt_raw) or normalize_address(orig_raw)
        if not recipient:
            continue
        original = normalize_address(orig_raw)
        if original == recipient:
            original = ""
        diag_type, diagnostic = _value_after_type(fields.get("diagnostic-code", ""))
        _, remote = _value_after_type(fields.get("remote-mta", ""))
        status = collapse(fields.get("status", "")).split(" ")[0][:16]
        records.append(
            DsnRecord(
                recipient=recipient,
                original_recipient=original,
                action=collapse(fields.get("action", "")).lower().split(" ")[0][:20],
                status=status,
                diagnostic=diagnostic,
                diagnostic_type=diag_type,
                remote_mta=remote[:255],
                occurred_at=parse_date(fields.get("last-attempt-date", "")),
                arrival_dates=(
                    fields.get("arrival-date", ""),
                    message_fields.get("arrival-date", ""),
                ),
            )
        )
        if len(records) >= MAX_RECIPIENTS:
            break
    return records


def looks_like_dsn_text(text: str) -> bool:
    """Delivery-status fields pasted into a text part (some ESPs write them there)."""
    lowered = text[:20000].lower()
    return "final-recipient:" in lowered and ("action:" in lowered or "status:" in lowered)
