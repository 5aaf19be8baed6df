"""Every write of the domain: one function per transition, each owning its transaction.

Lock order, everywhere: the EmailAddress row first, then the request, then the suppression. Any two
writers touching one address therefore queue on that row and never deadlock.
"""

from .bounces import BounceOutcome, bounce_record
from .requests import request_approve, request_reject, request_submit, request_withdraw
from .suppressions import suppression_open_manual

__all__ = [
    "BounceOutcome",
    "bounce_record",
    "request_approve",
    "request_reject",
    "request_submit",
    "request_withdraw",
    "suppression_open_manual",
]
