"""Bounce-message (DSN) parsing and classification; plain Python, no Django.

``parse_message`` reads one raw message: RFC 3464 delivery-status reports, RFC 5965 complaints,
the free-text bounces of MTAs that follow neither, auto-replies and delay warnings.
``iter_messages`` walks files, directories, Maildirs and mbox files. ``classify`` turns a
status code, SMTP code and diagnostic text into a reason and the rule that chose it (for ESP
webhooks and the API, whose events carry no message to parse).
"""

from suppression.dsn.classify import classify
from suppression.dsn.mailbox import iter_messages
from suppression.dsn.model import FailedRecipient, Kind, ParseResult
from suppression.dsn.parser import parse_message

__all__ = [
    "FailedRecipient",
    "Kind",
    "ParseResult",
    "classify",
    "iter_messages",
    "parse_message",
]
