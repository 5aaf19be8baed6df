"""Record the bounces found in message files, Maildirs, mbox files or one message on stdin.

As the target of an MTA pipe (``ingest_bounces -``) the exit status tells the MTA what to do:
0 stored (recorded, a duplicate, not a bounce, or kept as unparseable), 75 (EX_TEMPFAIL) could
not store it, try again later. Piped, it gives up with 75 after ``PIPE_DEADLINE_SECONDS`` however
the database behaves, well before the MTA's own time limit would turn the retry into a bounce.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suppression import parsecli
from suppression.conf import setting
from suppression.deadlines import EX_TEMPFAIL, process_deadline
from suppression.ingestcli import Progress, Tally, Tempfail, deadline_message, ingest
from suppression.parsecli import HELP_PATHS, STDIN

# The pipe's path (manage.py ingest_bounces -) runs suppression/pipe.py, not this module.
__all__ = ["Command", "Progress", "Tally"]


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
        with process_deadline(seconds, exit_code=EX_TEMPFAIL, message=deadline_message(seconds)):
            self._ingest(paths, **options)

    def _ingest(self, paths: list[str], **options: Any) -> None:
        try:
            ingest(
                paths,
                verbose=options["verbosity"] >= 2,
                progress=not options["no_progress"],
                stdout=self.stdout,
                stderr=self.stderr,
            )
        except parsecli.PathProblem as problem:
            raise CommandError(str(problem)) from None
        except Tempfail as failure:
            raise CommandError(str(failure), returncode=EX_TEMPFAIL) from failure.__cause__
