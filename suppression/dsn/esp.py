"""ESP notifications mailed as JSON (Amazon SES through SNS e-mail subscriptions)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_START_RE = re.compile(r'\{\s*"(?:notificationType|eventType|Type)"')


def find_json(text: str) -> dict[str, Any] | None:
    """The SES notification object in a mail body, or None."""
    match = _START_RE.search(text[:65536])
    if match is None:
        return None
    body = text[match.start() : match.start() + 200_000]
    end = body.rfind("}")
    if end < 0:
        return None
    body = body[: end + 1]
    # SNS e-mail wraps long lines and marks the cut with "!" at the end of a line.
    for candidate in (body, re.sub(r"!\r?\n ?", "", body), body.replace("\n", "")):
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(data, dict):
            if isinstance(data.get("Message"), str):
                try:
                    inner = json.loads(data["Message"])
                except ValueError:
                    return None
                return inner if isinstance(inner, dict) else None
            return data
    return None


def kind_of(data: dict[str, Any]) -> str:
    return str(data.get("notificationType") or data.get("eventType") or "").lower()


@dataclass
class EspRecipient:
    address: str
    status: str
    diagnostic: str
    action: str


@dataclass
class EspEvent:
    """An ESP notification reduced to what the parser needs."""

    kind: str  # "bounce", "complaint", "delivery", "deliverydelay", ...
    recipients: list[EspRecipient] = field(default_factory=list)
    occurred_at: datetime | None = None
    feedback_type: str = ""
    remote_mta: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # original headers, names lowercased
    subtype: str = ""


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _iso(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def read_event(data: dict[str, Any]) -> EspEvent:
    event = EspEvent(kind=kind_of(data))
    mail = _dict(data.get("mail"))
    for item in (mail.get("headers") or [])[:200]:
        item = _dict(item)
        name = str(item.get("name", "")).lower()
        if name and name not in event.headers:
            event.headers[name] = str(item.get("value", ""))[:1000]
    common = _dict(mail.get("commonHeaders"))
    if "message-id" not in event.headers and common.get("messageId"):
        # "headersTruncated": the full list may stop before Message-ID; commonHeaders keeps it.
        event.headers["message-id"] = str(common.get("messageId"))[:1000]
    if event.kind == "bounce":
        bounce = _dict(data.get("bounce"))
        event.occurred_at = _iso(bounce.get("timestamp"))
        # reportingMTA is Amazon's own sender; the refusing server is only known by its address.
        event.remote_mta = str(bounce.get("remoteMtaIp") or "").strip()[:255]
        event.subtype = str(bounce.get("bounceSubType") or "")
        for item in (bounce.get("bouncedRecipients") or [])[:500]:
            item = _dict(item)
            diagnostic = str(item.get("diagnosticCode") or "")
            if ";" in diagnostic[:12]:
                diagnostic = diagnostic.split(";", 1)[1].strip()
            event.recipients.append(
                EspRecipient(
                    address=str(item.get("emailAddress", "")),
                    status=str(item.get("status") or ""),
                    diagnostic=diagnostic,
                    action=str(item.get("action") or "failed"),
                )
            )
    elif event.kind == "complaint":
        complaint = _dict(data.get("complaint"))
        event.occurred_at = _iso(complaint.get("timestamp"))
        event.feedback_type = str(complaint.get("complaintFeedbackType") or "abuse").lower()[:40]
        for item in (complaint.get("complainedRecipients") or [])[:500]:
            address = str(_dict(item).get("emailAddress", ""))
            event.recipients.append(EspRecipient(address, "", "", ""))
    return event
