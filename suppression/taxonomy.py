"""The reason taxonomy of docs/design.md as plain Python.

Kept free of Django so that the bounce-message parser (``suppression.dsn``) and the pure policy can
both use it; ``models.py`` builds its ``TextChoices`` from these enums.
"""

from __future__ import annotations

import enum


class Reason(enum.StrEnum):
    MAILBOX_UNKNOWN = "mailbox_unknown"
    DOMAIN_UNKNOWN = "domain_unknown"
    SENDER_BLOCKED = "sender_blocked"
    SENDER_REPUTATION = "sender_reputation"
    REJECTED = "rejected"
    MAILBOX_FULL = "mailbox_full"
    SERVER_UNAVAILABLE = "server_unavailable"
    MESSAGE_TOO_LARGE = "message_too_large"
    SPAM_FILTERED = "spam_filtered"
    DNS_ERROR = "dns_error"
    UNKNOWN = "unknown"
    COMPLAINT = "complaint"


class BounceType(enum.StrEnum):
    HARD = "hard"
    SOFT = "soft"
    COMPLAINT = "complaint"


REASON_LABELS: dict[Reason, str] = {
    Reason.MAILBOX_UNKNOWN: "Non-existent address",
    Reason.DOMAIN_UNKNOWN: "Non-existent domain",
    Reason.SENDER_BLOCKED: "Blocked sender",
    Reason.SENDER_REPUTATION: "Platform refused (sender reputation)",
    Reason.REJECTED: "Server rejection",
    Reason.MAILBOX_FULL: "Mailbox full",
    Reason.SERVER_UNAVAILABLE: "Temporary server issues",
    Reason.MESSAGE_TOO_LARGE: "Large email size",
    Reason.SPAM_FILTERED: "Spam filters",
    Reason.DNS_ERROR: "DNS issues",
    Reason.UNKNOWN: "Unknown",
    Reason.COMPLAINT: "Spam complaint",
}

_FIXED_TYPE: dict[Reason, BounceType] = {
    Reason.MAILBOX_UNKNOWN: BounceType.HARD,
    Reason.DOMAIN_UNKNOWN: BounceType.HARD,
    Reason.SENDER_BLOCKED: BounceType.HARD,
    Reason.SENDER_REPUTATION: BounceType.SOFT,
    Reason.REJECTED: BounceType.HARD,
    Reason.MAILBOX_FULL: BounceType.SOFT,
    Reason.SERVER_UNAVAILABLE: BounceType.SOFT,
    Reason.MESSAGE_TOO_LARGE: BounceType.SOFT,
    Reason.SPAM_FILTERED: BounceType.SOFT,
    Reason.DNS_ERROR: BounceType.SOFT,
    Reason.COMPLAINT: BounceType.COMPLAINT,
}


#: Reasons that blame the platform, not the address: recorded and counted per receiving domain,
#: but they never open a suppression and never count toward the soft threshold (docs/design.md).
NEVER_SUPPRESSES: frozenset[Reason] = frozenset({Reason.SENDER_REPUTATION})


def suppresses_address(reason: Reason | str) -> bool:
    """Whether a bounce with this reason can ever suppress the address it names."""
    return Reason(reason) not in NEVER_SUPPRESSES


def bounce_type_for(reason: Reason | str, status: str = "", smtp_code: str = "") -> BounceType:
    """The bounce type a reason implies; ``unknown`` takes it from the status class.

    An ``unknown`` reason with a 5.x.x enhanced status (or, lacking one, a 5xx SMTP reply) is hard;
    anything else unknown is soft, because suppressing on a guess would be the costlier mistake.
    """
    reason = Reason(reason)
    fixed = _FIXED_TYPE.get(reason)
    if fixed is not None:
        return fixed
    klass = (status or smtp_code or "")[:1]
    return BounceType.HARD if klass == "5" else BounceType.SOFT
