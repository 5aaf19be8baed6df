from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from suppression.demo import PASSWORD, STORIES, USERS, DemoNotAllowed, seed_demo


class Command(BaseCommand):
    help = "Fill the database with demo schools, users, bounces and requests (idempotent)."
    # `make run` has just run migrate, which checks; starting a second time costs seconds
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addresses", type=int, default=150)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the whole database first (every table), then build the demo afresh.",
        )
        parser.add_argument(
            "--migrate",
            action="store_true",
            help="Apply the migrations first, in this process (`make run`: the app starts once "
            "instead of twice, seconds on a busy machine).",
        )

    def handle(
        self, *args: Any, addresses: int, reset: bool, migrate: bool, **options: Any
    ) -> None:
        if migrate:
            if getattr(settings, "PRODUCTION", False):
                # Refuse before touching the database, as seed_demo itself would after.
                raise CommandError("Demo users are never created with production settings.")
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
        try:
            summary = seed_demo(addresses=addresses, reset=reset)
        except DemoNotAllowed as error:
            raise CommandError(str(error)) from None
        if reset:
            self.stdout.write("Emptied the database.")
        self.stdout.write(
            f"Demo data: {summary.recorded} bounce events recorded, {summary.requests} requests "
            f"filed, {summary.created_users} users created."
        )
        for note in summary.notes:
            self.stdout.write(f"  note: {note}")
        self.stdout.write("The demo's stories (see Reinstatement requests in the admin):")
        for story in STORIES:
            self.stdout.write(f"  {story.email}: {story.shows}")
        logins = ", ".join(username for username, *_ in USERS)
        self.stdout.write(f"Demo logins ({logins}), password: {PASSWORD}")
