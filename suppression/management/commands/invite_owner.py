"""Make someone an owner of a school and mail them the portal's set-password link."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from suppression.exceptions import SuppressionError
from suppression.models import School
from suppression.services.owners import owner_invite


class Command(BaseCommand):
    help = "Invite a school owner: creates or reuses the user and mails a set-password link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--school", required=True, help="The school's slug.")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--language", default="uk", choices=[code for code, _ in settings.LANGUAGES]
        )

    def handle(self, *args: Any, **options: Any) -> None:
        school = School.objects.filter(slug=options["school"]).first()
        if school is None:
            raise CommandError(f"No school with the slug {options['school']!r}.")
        try:
            invitation = owner_invite(
                email=options["email"],
                school=school,
                actor=None,
                first_name=options["first_name"],
                last_name=options["last_name"],
                language=options["language"],
            )
        except SuppressionError as error:
            raise CommandError(str(error)) from None
        user = invitation.user
        self.stdout.write(
            f"{'Created' if invitation.created_user else 'Reused'} {user.get_username()}; "
            f"{'added to' if invitation.created_membership else 'already owns'} {school.slug}; "
            f"invitation mailed to {user.email}."
        )
