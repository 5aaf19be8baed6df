"""Record the bounces found in message files, Maildirs, mbox files or one message on stdin.

As the target of an MTA pipe (``ingest_bounces -``) the exit status tells the MTA what to do:
0 stored (recorded, a duplicate, not a bounce, or kept as unparseable), 75 (EX_TEMPFAIL) could
not store it, try again later. Piped, it gives up with 75 after ``PIPE_DEADLINE_SECONDS`` however
the database behaves, well before the MTA's own time limit would turn the retry into a bounce.
"""

from __future__ import annotations

import sys
import time
import traceback
from dataclasses import dataclass
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import Error as DatabaseError

from suppression.conf import setting
from suppression.deadlines import EX_TEMPFAIL, process_deadline
from suppression.models import LivenessSource
from suppression.services.ingest import MessageOutcome, MessageReport, message_ingest
from suppression.services.liveness import source_delivered

from .parse_bounces import HELP_PATHS, STDIN, check_paths, read_messages

# Without a terminal, a progress line every this many messages keeps logs short.
LOG_EVERY = 500


@dataclass
class Tally:
    messages: int = 0
    recorded: int = 0
    duplicates: int = 0
    not_failures: int = 0
    unparseable: int = 0
    invalid: int = 0

    def add(self, report: MessageReport) -> None:
        self.messages += 1
        self.recorded += len(report.recorded)
        self.duplicates += report.duplicates
        self.invalid += len(report.invalid)
        if report.outcome is MessageOutcome.UNPARSEABLE:
            self.unparseable += 1
        elif report.outcome is MessageOutcome.NOT_A_FAILURE:
            self.not_failures += 1

    def summary(self) -> str:
        return (
            f"{self.messages} messages read: {self.recorded} bounce events recorded, "
            f"{self.duplicates} duplicates (recorded before), {self.not_failures} not failures, "
            f"{self.unparseable} unparseable (kept for inspection), "
            f"{self.invalid} invalid recipient addresses"
        )


class Progress:
    """A counter on stderr: redrawn in place on a terminal, an occasional line otherwise."""

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.tty = enabled and stream.isatty()
        self.drawn_at = 0.0

    def update(self, tally: Tally) -> None:
        if not self.enabled:
            return
        if self.tty:
            now = time.monotonic()
            if now - self.drawn_at >= 0.1:
                self.drawn_at = now
                self.stream.write(f"\r{tally.summary()}")
                self.stream.flush()
        elif tally.messages % LOG_EVERY == 0:
            self.stream.write(f"{tally.summary()}\n")
            self.stream.flush()

    def done(self) -> None:
        """Clear the counter line, before the summary or a message about one message."""
        if self.tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn_at = 0.0


class Command(BaseCommand):
    help = (
        "Record the bounces found in bounce messages, idempotently: re-ingesting the same "
        "messages records nothing new. Unparseable messages are kept for inspection. "
        "With '-' it reads one message on stdin, as the target of an MTA pipe, and exits 0, "
        f"or {EX_TEMPFAIL} (EX_TEMPFAIL) when it could not store the message."
    )

    # The system checks import every URL, the API and the admin: as the MTA's pipe this command
    # starts once per message, and the checks run at deploy (`manage.py check --deploy`).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help=HELP_PATHS)
        parser.add_argument(
            "--no-progress", action="store_true", help="Never print the progress counter."
        )

    def handle(self, *args: Any, paths: list[str], **options: Any) -> None:
        if paths != [STDIN]:
            self._ingest(paths, **options)
            return
        seconds = setting("PIPE_DEADLINE_SECONDS")
        message = (
            "CommandError: Could not store the message from stdin, try again later: "
            f"no answer from the database within {seconds} s"
        )
        with process_deadline(seconds, exit_code=EX_TEMPFAIL, message=message):
            self._ingest(paths, **options)

    def _ingest(self, paths: list[str], **options: Any) -> None:
        check_paths(paths)
        verbose = options["verbosity"] >= 2
        tally = Tally()
        progress = Progress(sys.stderr, enabled=not options["no_progress"] and paths != [STDIN])
        name = ""
        try:
            for name, raw in read_messages(paths):
                report = message_ingest(raw=raw, origin=name)
                if name == STDIN:
                    source_delivered(LivenessSource.PIPE)
                tally.add(report)
                progress.update(tally)
                self._explain(report, verbose=verbose, progress=progress)
        except (DatabaseError, OSError) as error:
            progress.done()
            self._tempfail(tally, name, error, piped=paths == [STDIN])
        except Exception as error:
            if paths != [STDIN]:
                raise
            # Piped from an MTA, a crash would bounce the bounce to nobody: have it retried.
            progress.done()
            traceback.print_exc(file=sys.stderr)
            self._tempfail(tally, name, error, piped=True)
        progress.done()
        self.stdout.write(tally.summary())

    def _explain(self, report: MessageReport, *, verbose: bool, progress: Progress) -> None:
        if report.invalid or report.outcome is MessageOutcome.UNPARSEABLE or verbose:
            progress.done()
        for item in report.invalid:
            self.stderr.write(
                f"{report.origin}: not a valid address {item.recipient!r}: {item.why}"
            )
        if report.outcome is MessageOutcome.UNPARSEABLE:
            self.stderr.write(f"{report.origin}: kept as unparseable: {report.detail}")
        elif verbose:
            self.stderr.write(f"{report.origin}: {report.outcome} ({report.kind})")

    def _tempfail(self, tally: Tally, name: str, error: BaseException, *, piped: bool) -> None:
        # An MTA quotes a pipe's output in its deferral notice: keep it to the one error line.
        if not piped:
            self.stdout.write(tally.summary())
        where = "the message from stdin" if piped or name == STDIN else name or "the messages"
        raise CommandError(
            f"Could not store {where}, try again later: {type(error).__name__}: {error}",
            returncode=EX_TEMPFAIL,
        )
