"""Django's ``flush``, refused in production, and run as the owner role where connections switch.

It would erase the append-only tables (bounce events, the changes feed, the audit history). The
test suite still needs it between transactional tests: it empties the tables as the login role
(the owner), since the application role may not TRUNCATE.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush

from suppression import dbroles
from suppression.appendonly import refuse_in_production


class Command(flush.Command):
    help = f"{flush.Command.help} Refused when KWIGA_ENV=production."

    def handle(self, **options: Any) -> None:
        refuse_in_production("flush")
        with dbroles.as_owner():
            super().handle(**options)
