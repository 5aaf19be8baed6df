"""Lift every domain pause whose back-off has ended; run it from cron every minute or so."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...services.incidents import incidents_expire


class Command(BaseCommand):
    help = "Lift (and record) every incident whose pause has ended. Safe to run at any time."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO time to act as now (tests, replays).")

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options.get("now"):
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as error:
                raise CommandError(f"--now: {error}") from None
            if now.tzinfo is None:
                raise CommandError("--now needs a time zone, e.g. 2025-05-01T10:00:00+00:00")
        lifted = incidents_expire(now=now)
        for incident in lifted:
            self.stdout.write(
                f"lifted incident #{incident.pk} ({incident.organisation}) at "
                f"{incident.lifted_at:%Y-%m-%d %H:%M} UTC"
            )
        self.stdout.write(f"{len(lifted)} pause(s) lifted")
