"""Show what the parser reads in bounce messages, one JSON object per line; records nothing."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suppression.conf import setting
from suppression.dsn import ParseResult, iter_messages, parse_message

STDIN = "-"
HELP_PATHS = (
    "Message files, directories of message files, Maildir folders or mbox files; "
    "'-' reads one message from standard input."
)


def check_paths(paths: list[str]) -> None:
    """Refuse a missing path before reading anything, so a typo never ingests half a run."""
    missing = [path for path in paths if path != STDIN and not Path(path).exists()]
    if missing:
        raise CommandError(f"No such file or directory: {', '.join(missing)}")
    if paths.count(STDIN) > 1:
        raise CommandError("Standard input ('-') can be read only once.")


def read_messages(paths: list[str]) -> Iterator[tuple[str, bytes]]:
    """(name, raw bytes) for every message under ``paths``; ``-`` is one message on stdin."""
    for path in paths:
        if path == STDIN:
            yield STDIN, sys.stdin.buffer.read()
        else:
            yield from iter_messages(path)


def result_lines(name: str, result: ParseResult) -> list[dict[str, Any]]:
    """One row per failed recipient, or one row with ``recipient: null`` saying what it was."""
    if not result.recipients:
        return [
            {
                "file": name,
                "kind": str(result.kind),
                "recipient": None,
                "original_recipient": None,
                "reason": None,
                "type": None,
                "status": None,
                "smtp_code": None,
                "diagnostic": None,
                "action": None,
                "remote_mta": None,
                "rule": None,
                "detail": result.detail,
            }
        ]
    return [
        {
            "file": name,
            "kind": str(result.kind),
            "recipient": item.recipient,
            "original_recipient": (
                item.original_recipient
                if item.original_recipient not in ("", item.recipient)
                else None
            ),
            "reason": str(item.reason),
            "type": str(item.type),
            "status": item.status,
            "smtp_code": item.smtp_code,
            "diagnostic": item.diagnostic,
            "action": item.action,
            "remote_mta": item.remote_mta,
            "rule": item.rule,
        }
        for item in result.recipients
    ]


class Command(BaseCommand):
    help = (
        "Parse bounce messages and print one JSON object per failed recipient "
        "(file, recipient, reason, type, status, smtp_code, diagnostic, action, remote_mta, "
        "rule); a message with no failed recipient prints recipient null and its kind. "
        "Records nothing: see ingest_bounces."
    )
    # Reading files needs no database and no system checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help=HELP_PATHS)

    def handle(self, *args: Any, paths: list[str], **options: Any) -> None:
        check_paths(paths)
        max_bytes = setting("MAX_MESSAGE_BYTES")
        try:
            for name, raw in read_messages(paths):
                for line in result_lines(name, parse_message(raw, max_bytes=max_bytes)):
                    self.stdout.write(json.dumps(line, ensure_ascii=False))
            self.stdout.flush()
        except BrokenPipeError:
            # The reader (head, less) has seen enough; that is not an error.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
