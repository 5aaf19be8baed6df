"""What each provider's raw event says about one failed recipient, before any decision.

Anymail normalizes the event type; the per-recipient details a reason needs (enhanced status,
SMTP reply, the server's text, the remote MTA) stay in each provider's own JSON, read here.
Plain functions of the raw event: no database.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from anymail.signals import AnymailTrackingEvent
from django.utils.dateparse import parse_datetime

from ..models import Source

_STATUS_RE = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")
_SMTP_RE = re.compile(r"^[245]\d\d$")
_TYPE_PREFIX_RE = re.compile(r"^\s*(?:smtp|x-[\w-]+)\s*;\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Evidence:
    status: str = ""  # the provider's per-recipient enhanced status code, if it gives one
    smtp_code: str = ""
    diagnostic: str = ""  # the remote server's reply as the provider passes it on, classified
    texts: tuple[str, ...] = ()  # more wording worth classifying (never provider boilerplate)
    remote_mta: str = ""
    label: str = ""  # the provider's own classification, e.g. "Permanent/NoEmail"
    occurred_at: datetime | None = None
    event_id: str = ""  # the provider's own id of this event, when anymail's is weaker
    message_id: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # original headers, names lowercased


def valid_status(value: object) -> str:
    value = str(value or "").strip()
    return value if _STATUS_RE.match(value) else ""


def valid_smtp_code(value: object) -> str:
    value = str(value or "").strip()
    return value if _SMTP_RE.match(value) else ""


def strip_type(diagnostic: object) -> str:
    """ "smtp; 550 5.1.1 ..." → "550 5.1.1 ...": the DSN diagnostic-type is not the reply."""
    return _TYPE_PREFIX_RE.sub("", str(diagnostic or "")).strip()


def _label(*parts: object) -> str:
    return "/".join(str(part) for part in parts if part)


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _aware(value: object) -> datetime | None:
    if isinstance(value, datetime):
        parsed: datetime | None = value
    elif isinstance(value, str) and value:
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
    else:
        parsed = None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _epoch(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def amazon_ses(event: AnymailTrackingEvent) -> Evidence:
    raw = _dict(event.esp_event)
    mail = _dict(raw.get("mail"))
    headers = {
        str(item.get("name", "")).lower(): str(item.get("value", ""))
        for item in (mail.get("headers") or [])
        if isinstance(item, dict)
    }
    message_id = str(_dict(mail.get("commonHeaders")).get("messageId") or "")
    common = Evidence(headers=headers, message_id=message_id or headers.get("message-id", ""))
    if "bounce" in raw:
        bounce = _dict(raw.get("bounce"))
        recipient = (event.recipient or "").lower()
        item = next(
            (
                _dict(entry)
                for entry in bounce.get("bouncedRecipients") or []
                if str(_dict(entry).get("emailAddress", "")).lower() == recipient
            ),
            {},
        )
        diagnostic = strip_type(item.get("diagnosticCode"))
        return replace(
            common,
            status=valid_status(item.get("status")),
            diagnostic=diagnostic,
            remote_mta=str(bounce.get("remoteMtaIp") or ""),
            label=_label(bounce.get("bounceType"), bounce.get("bounceSubType")),
            occurred_at=_aware(bounce.get("timestamp")),
            # One bounce published to several topics or configuration sets keeps its feedbackId.
            event_id=str(bounce.get("feedbackId") or ""),
        )
    if "complaint" in raw:
        complaint = _dict(raw.get("complaint"))
        feedback = str(complaint.get("complaintFeedbackType") or "")
        agent = str(complaint.get("userAgent") or "")
        return replace(
            common,
            diagnostic=" ".join(part for part in (feedback, f"({agent})" if agent else "") if part),
            label=feedback,
            occurred_at=_aware(complaint.get("timestamp")),
            event_id=str(complaint.get("feedbackId") or ""),
        )
    if "reject" in raw:
        reason = str(_dict(raw.get("reject")).get("reason") or "")
        return replace(common, diagnostic=reason, label="Reject")
    if "deliveryDelay" in raw:
        delay = _dict(raw.get("deliveryDelay"))
        recipient = (event.recipient or "").lower()
        item = next(
            (
                _dict(entry)
                for entry in delay.get("delayedRecipients") or []
                if str(_dict(entry).get("emailAddress", "")).lower() == recipient
            ),
            {},
        )
        return replace(
            common,
            status=valid_status(item.get("status")),
            diagnostic=strip_type(item.get("diagnosticCode")),
            label=str(delay.get("delayType") or ""),
            occurred_at=_aware(delay.get("timestamp")),
        )
    return common


def sendgrid(event: AnymailTrackingEvent) -> Evidence:
    raw = _dict(event.esp_event)
    kind = str(raw.get("event") or "")
    if kind == "dropped":
        label = _label(kind, raw.get("reason") or raw.get("type"))
        diagnostic = str(raw.get("reason") or "")
    else:
        label = _label(kind, raw.get("bounce_classification") or raw.get("type"))
        diagnostic = str(raw.get("reason") or raw.get("response") or "")
    return Evidence(
        status=valid_status(raw.get("status")),
        diagnostic=strip_type(diagnostic),
        label=label,
        message_id=str(raw.get("smtp-id") or ""),
    )


def mailgun(event: AnymailTrackingEvent) -> Evidence:
    raw = event.esp_event
    if not isinstance(raw, dict) or hasattr(raw, "getlist"):
        # The legacy form-encoded webhook (a QueryDict, itself a dict): fewer fields, same
        # meaning.
        get = getattr(raw, "get", lambda _name, _default=None: None)
        return Evidence(
            smtp_code=valid_smtp_code(get("code")),
            diagnostic=strip_type(get("error") or get("notification") or ""),
            texts=(str(get("description") or ""),),
            label=str(get("event") or ""),
            message_id=str(get("Message-Id") or get("message-id") or ""),
            event_id=_legacy_mailgun_id(raw),
        )
    data = _dict(raw.get("event-data"))
    status = _dict(data.get("delivery-status"))
    message = str(status.get("message") or "")
    description = str(status.get("description") or "")
    reason = str(data.get("reason") or _dict(data.get("reject")).get("reason") or "")
    return Evidence(
        status=valid_status(status.get("enhanced-code")),
        smtp_code=valid_smtp_code(status.get("code")),
        diagnostic=strip_type(message or description),
        texts=(description,) if message and description else (),
        remote_mta=str(status.get("mx-host") or ""),
        label=_label(reason, data.get("severity")),
        occurred_at=_epoch(data.get("timestamp")),
        # The signature token is new on every delivery attempt; the event id is not.
        event_id=str(data.get("id") or ""),
        message_id=str(_dict(_dict(data.get("message")).get("headers")).get("message-id") or ""),
    )


# Signed afresh on every delivery attempt; everything else in a legacy post describes the event.
_LEGACY_SIGNATURE_FIELDS = frozenset({"signature", "timestamp", "token"})


def _legacy_mailgun_id(raw: Any) -> str:
    """A stable id for a legacy Mailgun post, which carries none of its own.

    Anymail uses the signature token, which is new on every retry: the same bounce would be
    recorded once per attempt. The rest of the form is the same on every attempt.
    """
    lists = getattr(raw, "lists", None)
    if lists is None:
        return ""
    fields = sorted((k, v) for k, v in lists() if k not in _LEGACY_SIGNATURE_FIELDS)
    text = json.dumps(fields, separators=(",", ":"), default=str)
    return "legacy:" + hashlib.sha256(text.encode()).hexdigest()


def postmark(event: AnymailTrackingEvent) -> Evidence:
    raw = _dict(event.esp_event)
    # Description is Postmark's boilerplate per bounce type ("ex: unknown user, mailbox not
    # found" on every hard bounce): anymail's description, shown but never classified.
    return Evidence(
        diagnostic=strip_type(raw.get("Details")),
        label=_label(raw.get("RecordType"), raw.get("Type")),
        occurred_at=_aware(raw.get("BouncedAt")),
        message_id=str(raw.get("MessageID") or ""),
    )


def brevo(event: AnymailTrackingEvent) -> Evidence:
    raw = _dict(event.esp_event)
    return Evidence(
        diagnostic=strip_type(raw.get("reason")),
        label=str(raw.get("event") or ""),
        occurred_at=_epoch(raw.get("ts_event")),
        message_id=str(raw.get("message-id") or ""),
    )


def generic(event: AnymailTrackingEvent) -> Evidence:
    return Evidence(diagnostic=strip_type(event.mta_response or ""))


READERS = {
    Source.AMAZON_SES: amazon_ses,
    Source.SENDGRID: sendgrid,
    Source.MAILGUN: mailgun,
    Source.POSTMARK: postmark,
    Source.BREVO: brevo,
}


def metadata_value(event: AnymailTrackingEvent, evidence: Evidence, name: str) -> str:
    """``X-Kwiga-<name>`` from the original headers, else the same key in the ESP metadata.

    Providers that do not echo custom headers echo metadata (SendGrid custom args, Mailgun
    user-variables, Postmark Metadata, Brevo X-Mailin-custom), as anymail's ``metadata``.
    """
    value = evidence.headers.get(f"x-kwiga-{name}", "")
    if value:
        return value.strip()
    metadata: Mapping[str, Any] = event.metadata if isinstance(event.metadata, Mapping) else {}
    wanted = {f"x-kwiga-{name}", f"kwiga-{name}", name}
    for key, item in metadata.items():
        if str(key).lower().replace("_", "-") in wanted and isinstance(item, str):
            return item.strip()
    return ""
