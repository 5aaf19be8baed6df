"""``ingest_bounces``'s work, without Django's management machinery.

The command (``manage.py ingest_bounces PATH...``, ``call_command``) and the MTA's pipe
(``manage.py ingest_bounces -``, which ``suppression/pipe.py`` runs without the management
framework: it starts once per message) share it. Django must be set up before ``ingest`` runs.
"""

from __future__ import annotations

import sys
import time
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .parsecli import STDIN, check_paths, read_messages

if TYPE_CHECKING:
    from .services.ingest import MessageReport

# Without a terminal, a progress line every this many messages keeps logs short.
LOG_EVERY = 500


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


class Tempfail(Exception):
    """The messages could not be stored, try again later (exit status 75 for an MTA)."""


@dataclass
class Tally:
    messages: int = 0
    recorded: int = 0
    duplicates: int = 0
    not_failures: int = 0
    unparseable: int = 0
    invalid: int = 0

    def add(self, report: MessageReport) -> None:
        from .services.ingest import MessageOutcome

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

    def __init__(self, stream: Any, *, enabled: bool) -> None:
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


def ingest(
    paths: list[str], *, verbose: bool, progress: bool, stdout: Writer, stderr: Writer
) -> None:
    """Record every message under ``paths``; the summary line goes to ``stdout``.

    ``stdout`` and ``stderr`` take lines without their newline (Django's OutputWrapper).
    Raises PathProblem before reading anything, Tempfail when the database (or, piped, anything
    at all) failed: what was recorded stays recorded.
    """
    from django.db import Error as DatabaseError

    from .models import LivenessSource
    from .services.ingest import message_ingest
    from .services.liveness import source_delivered

    check_paths(paths)
    piped = paths == [STDIN]
    tally = Tally()
    counter = Progress(sys.stderr, enabled=progress and not piped)
    name = ""
    try:
        for name, raw in read_messages(paths):
            report = message_ingest(raw=raw, origin=name)
            if name == STDIN:
                source_delivered(LivenessSource.PIPE)
            tally.add(report)
            counter.update(tally)
            _explain(report, verbose=verbose, progress=counter, stderr=stderr)
    except (DatabaseError, OSError) as error:
        counter.done()
        _tempfail(tally, name, error, piped=piped, stdout=stdout)
    except Exception as error:
        if not piped:
            raise
        # Piped from an MTA, a crash would bounce the bounce to nobody: have it retried.
        counter.done()
        traceback.print_exc(file=sys.stderr)
        _tempfail(tally, name, error, piped=True, stdout=stdout)
    counter.done()
    stdout.write(tally.summary())


def _explain(report: MessageReport, *, verbose: bool, progress: Progress, stderr: Writer) -> None:
    from .services.ingest import MessageOutcome

    if report.invalid or report.outcome is MessageOutcome.UNPARSEABLE or verbose:
        progress.done()
    for item in report.invalid:
        stderr.write(f"{report.origin}: not a valid address {item.recipient!r}: {item.why}")
    if report.outcome is MessageOutcome.UNPARSEABLE:
        stderr.write(f"{report.origin}: kept as unparseable: {report.detail}")
    elif verbose:
        stderr.write(f"{report.origin}: {report.outcome} ({report.kind})")


def _tempfail(
    tally: Tally, name: str, error: BaseException, *, piped: bool, stdout: Writer
) -> None:
    # An MTA quotes a pipe's output in its deferral notice: keep it to the one error line.
    if not piped:
        stdout.write(tally.summary())
    where = "the message from stdin" if piped or name == STDIN else name or "the messages"
    raise Tempfail(
        f"Could not store {where}, try again later: {type(error).__name__}: {error}"
    ) from error


def deadline_message(seconds: float) -> str:
    return (
        "CommandError: Could not store the message from stdin, try again later: "
        f"no answer from the database within {seconds} s"
    )
