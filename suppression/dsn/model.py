"""The parser's result types: what a bounce message says, normalized."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from suppression.taxonomy import BounceType, Reason


class Kind(enum.StrEnum):
    FAILED = "failed"
    COMPLAINT = "complaint"
    AUTO_REPLY = "auto_reply"
    DELAYED = "delayed"
    DELIVERED = "delivered"
    NOT_A_BOUNCE = "not_a_bounce"
    UNPARSEABLE = "unparseable"


@dataclass(frozen=True, slots=True)
class FailedRecipient:
    recipient: str
    original_recipient: str
    reason: Reason
    type: BounceType
    status: str
    smtp_code: str
    diagnostic: str
    action: str
    remote_mta: str
    rule: str
    occurred_at: datetime | None
    feedback_type: str = ""

    @classmethod
    def complaint(
        cls,
        recipient: str,
        *,
        feedback_type: str,
        rule: str,
        occurred_at: datetime | None,
        diagnostic: str = "",
    ) -> FailedRecipient:
        """A spam complaint (ARF, JMRP, an ESP's complaint notice) about ``recipient``."""
        return cls(
            recipient=recipient,
            original_recipient="",
            reason=Reason.COMPLAINT,
            type=BounceType.COMPLAINT,
            status="",
            smtp_code="",
            diagnostic=diagnostic,
            action="",
            remote_mta="",
            rule=rule,
            occurred_at=occurred_at,
            feedback_type=feedback_type,
        )


@dataclass(frozen=True, slots=True)
class ParseResult:
    kind: Kind
    recipients: tuple[FailedRecipient, ...]
    original_message_id: str
    school: str
    stream: str
    detail: str
    bounce_message_id: str
