"""``manage.py list_checks_cleanup``: delete list checks past their retention, fail stalled ones.

Run it from cron (hourly is plenty). Stalled: a worker stopped and its lease ran out.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ...services.listchecks import list_checks_purge, list_checks_sweep


class Command(BaseCommand):
    help = "Delete list checks (and their files) past the retention; fail those whose worker died."

    def handle(self, *args: Any, **options: Any) -> None:
        failed = list_checks_sweep()
        purged = list_checks_purge()
        self.stdout.write(f"{purged} expired checks deleted; {failed} stalled checks failed.")
