"""Create an API client and print its token, once: only a hash of it is stored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from suppression.exceptions import SuppressionError
from suppression.models import ApiClient
from suppression.services.api_clients import api_client_create, api_client_rotate


class Command(BaseCommand):
    help = "Create an API client for the sending system and print its bearer token once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Who calls the API, e.g. 'sending-system'.")
        parser.add_argument(
            "--scopes",
            default="check",
            help="Comma-separated: check (ask about addresses), ingest (push bounces).",
        )
        parser.add_argument(
            "--expires-days",
            type=int,
            default=None,
            help="Let the token stop working after this many days (default: never).",
        )
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="Issue a new token for the existing client NAME; the old token stops working.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["expires_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-days must be at least 1.")
        if options["rotate"]:
            client = ApiClient.objects.filter(name=options["name"]).first()
            if client is None:
                raise CommandError(f"No API client named {options['name']!r}.")
            self.stdout.write(api_client_rotate(client=client, actor=None).token)
            return
        try:
            issued = api_client_create(
                name=options["name"],
                scopes=options["scopes"].split(","),
                actor=None,
                expires_at=timezone.now() + timedelta(days=days) if days else None,
            )
        except SuppressionError as error:
            raise CommandError(str(error)) from None
        client = issued.client
        self.stderr.write(
            f"Created API client {client.name!r} (#{client.pk}) with scopes "
            f"{', '.join(client.scopes)}"
            + (f", expiring {client.expires_at:%Y-%m-%d %H:%M} UTC" if client.expires_at else "")
            + ". The token below is shown only now; store it in the sending system's secrets."
        )
        # The token alone on stdout, so that scripts can capture it: TOKEN=$(... create_api_client)
        self.stdout.write(issued.token)
