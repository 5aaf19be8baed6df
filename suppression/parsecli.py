"""``parse_bounces`` without Django's set-up: it reads files and needs no database or app.

``manage.py parse_bounces PATH...`` runs ``run_without_setup`` before importing Django's
management machinery, which with every installed app costs far more than the parser itself
(docs/ingestion.md has the figures). The Django command (``manage.py help parse_bounces``,
``call_command``) uses the same functions; anything but plain paths goes to it.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Iterator
from typing import Any, Protocol

STDIN = "-"
HELP_PATHS = (
    "Message files, directories of message files, Maildir folders or mbox files; "
    "'-' reads one message from standard input."
)


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...

    def flush(self) -> Any: ...


class PathProblem(ValueError):
    """A path that cannot be read: said before reading anything (CommandError in the command)."""


def check_paths(paths: list[str]) -> None:
    """Refuse a missing path before reading anything, so a typo never ingests half a run."""
    missing = [path for path in paths if path != STDIN and not _exists(path)]
    if missing:
        raise PathProblem(f"No such file or directory: {', '.join(missing)}")
    if paths.count(STDIN) > 1:
        raise PathProblem("Standard input ('-') can be read only once.")


def _exists(path: str) -> bool:
    """``Path(path).exists()`` (Python 3.11) without building a Path for each of 5,000 files."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP):
            return False
        raise
    except ValueError:  # a NUL in the path
        return False
    return True


def read_messages(paths: list[str]) -> Iterator[tuple[str, bytes]]:
    """(name, raw bytes) for every message under ``paths``; ``-`` is one message on stdin."""
    from .dsn import iter_messages

    for path in paths:
        if path == STDIN:
            yield STDIN, sys.stdin.buffer.read()
        else:
            yield from iter_messages(path)


def result_lines(name: str, result: Any) -> list[dict[str, Any]]:
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


# json.dumps with any argument builds a new encoder per call; one per process does the same work.
_JSON = json.JSONEncoder(ensure_ascii=False)


def print_results(paths: list[str], *, max_bytes: int, out: Writer) -> None:
    """One JSON line per row of ``result_lines``; a reader that stops early is no error."""
    from .dsn import parse_message

    check_paths(paths)
    try:
        for name, raw in read_messages(paths):
            for line in result_lines(name, parse_message(raw, max_bytes=max_bytes)):
                out.write(_JSON.encode(line) + "\n")
        out.flush()
    except BrokenPipeError:
        # The reader (head, less) has seen enough; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def max_message_bytes() -> int:
    """``SUPPRESSION["MAX_MESSAGE_BYTES"]`` as kwiga_mail/settings.py reads it, without it.

    The settings module costs a start of ``parse_bounces`` more than the rest of its set-up
    (dj_database_url, django.core.exceptions, the database options); it takes this one value from
    ``SUPPRESSION_MAX_MESSAGE_BYTES`` with the app's default, and so does this
    (tests/ingest/test_startup.py holds the two to the same answer).
    """
    from .conf import DEFAULTS

    value = os.environ.get("SUPPRESSION_MAX_MESSAGE_BYTES")
    return int(value) if value is not None else int(DEFAULTS["MAX_MESSAGE_BYTES"])


def run_without_setup(args: list[str]) -> int | None:
    """Exit status of ``parse_bounces`` run on ``args``; None when only the command can run it."""
    if not args or any(arg.startswith("-") and arg != STDIN for arg in args):
        return None  # options, --help, --settings: Django's command parses those
    try:
        print_results(args, max_bytes=max_message_bytes(), out=sys.stdout)
    except PathProblem as problem:
        sys.stderr.write(f"CommandError: {problem}\n")
        return 1
    return 0
