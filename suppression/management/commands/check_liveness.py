"""For cron: mail support when a way in that delivered bounces before has gone silent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from suppression.conf import setting
from suppression.services.liveness import silent_sources_alarm


class Command(BaseCommand):
    help = (
        "Mail SUPPORT_EMAIL about each source (ESP webhook, LMTP, pipe, API) that delivered "
        "before and has been silent longer than LIVENESS_SILENCE_MINUTES: once per silence, "
        "however often it runs. Run it from cron every few minutes."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not setting("SUPPORT_EMAIL"):
            self.stderr.write("SUPPORT_EMAIL is empty: nobody to mail, nothing checked.")
            return
        alarmed = silent_sources_alarm()
        if alarmed:
            names = ", ".join(row.get_source_display() for row in alarmed)
            self.stdout.write(f"Mailed {setting('SUPPORT_EMAIL')} about: {names}")
        elif options["verbosity"] >= 2:
            self.stdout.write("No new silence.")
