"""Django's ``sqlflush``, refused in production: its output erases the append-only tables."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import sqlflush

from suppression.appendonly import refuse_in_production


class Command(sqlflush.Command):
    help = f"{sqlflush.Command.help} Refused when KWIGA_ENV=production."

    def handle(self, **options: Any) -> str:
        refuse_in_production("sqlflush")
        return super().handle(**options)
