"""Show what the parser reads in bounce messages, one JSON object per line; records nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suppression import parsecli
from suppression.conf import setting
from suppression.parsecli import HELP_PATHS, STDIN, read_messages, result_lines

# Shared with manage.py's set-up-free path and with ingest_bounces.
__all__ = ["HELP_PATHS", "STDIN", "check_paths", "read_messages", "result_lines"]


def check_paths(paths: list[str]) -> None:
    try:
        parsecli.check_paths(paths)
    except parsecli.PathProblem as problem:
        raise CommandError(str(problem)) from None


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
        parsecli.print_results(paths, max_bytes=setting("MAX_MESSAGE_BYTES"), out=self.stdout)
