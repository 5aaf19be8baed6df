"""Every write of the domain: one function per transition, each owning its transaction.

Lock order, everywhere: the EmailAddress row first, then the request, then the suppression. Any two
writers touching one address therefore queue on that row and never deadlock.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .bounces import BounceOutcome, bounce_record
    from .requests import request_approve, request_reject, request_submit, request_withdraw
    from .suppressions import suppression_open_manual

# Imported on first use: importing one service (the MTA pipe imports .ingest) must not import
# them all, with the mail and URL machinery the requests' notifications need.
_WHERE = {
    "BounceOutcome": "bounces",
    "bounce_record": "bounces",
    "request_approve": "requests",
    "request_reject": "requests",
    "request_submit": "requests",
    "request_withdraw": "requests",
    "suppression_open_manual": "suppressions",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "BounceOutcome",
    "bounce_record",
    "request_approve",
    "request_reject",
    "request_submit",
    "request_withdraw",
    "suppression_open_manual",
]
