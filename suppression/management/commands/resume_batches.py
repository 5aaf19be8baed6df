"""Carry on every resume batch a worker left unfinished (killed, or the machine restarted)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ...models import ResumeBatch
from ...services import waves


class Command(BaseCommand):
    help = "Finish every resume batch (or its undo) left running; each resumes at its cursor."

    def handle(self, *args: Any, **options: Any) -> None:
        pending = ResumeBatch.objects.filter(
            status__in=[
                ResumeBatch.Status.QUEUED,
                ResumeBatch.Status.RUNNING,
                ResumeBatch.Status.UNDOING,
            ]
        ).values_list("pk", flat=True)
        for batch_id in list(pending):
            batch = waves.run(batch_id)
            self.stdout.write(
                f"{batch}: {batch.get_status_display()} — {batch.resumed} resumed, "
                f"{batch.left_out} left out, {batch.resuppressed} suppressed again by an undo"
            )
