"""Delete raw bounce messages older than the retention period (for cron, e.g. daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from suppression.conf import setting
from suppression.services.raw_messages import raw_messages_purge


class Command(BaseCommand):
    help = (
        "Delete stored raw bounce messages received more than RAW_MESSAGE_RETENTION_DAYS ago. "
        "The bounce events they reported stay."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = raw_messages_purge()
        days = setting("RAW_MESSAGE_RETENTION_DAYS")
        self.stdout.write(f"Deleted {deleted} raw bounce message(s) older than {days} days.")
