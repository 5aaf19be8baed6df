"""The reason for an API bounce event that came without one.

The platform's MTA sends the enhanced status, the SMTP reply and the diagnostic; the DSN package's
classifier turns those into a reason exactly as it does for bounce messages, so that a bounce means
the same whichever door it came in by.
"""

from __future__ import annotations

from ..dsn.classify import classify
from ..taxonomy import Reason


def classify_event(status: str, smtp_code: str, diagnostic: str) -> tuple[Reason, str]:
    """(reason, the rule that chose it) for one event."""
    reason, rule = classify(status, smtp_code, diagnostic)
    return Reason(reason), f"dsn:{rule}"
