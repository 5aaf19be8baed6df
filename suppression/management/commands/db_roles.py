"""Create the two PostgreSQL roles and their privileges, idempotently (run as a superuser).

The owner owns the schema and runs ``manage.py migrate``; the application role owns nothing
and may only SELECT, INSERT, UPDATE and DELETE rows (the triggers refuse changes to append-only
rows) and use the sequences. Default privileges give it the same on tables migrations add later.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connections, transaction

from suppression import dbroles


class Command(BaseCommand):
    help = (
        "Create the database owner role and the application role (DML only) if missing, and "
        "grant what each may do. Idempotent. Needs a superuser connection; PostgreSQL only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", default="kwiga_owner", help="Owner role (migrations).")
        parser.add_argument(
            "--app",
            default=dbroles.app_role() or "kwiga_app",
            help="Application role (DML only); defaults to DATABASE_APP_ROLE or kwiga_app.",
        )
        parser.add_argument("--database", default="default", help="Database alias.")
        parser.add_argument(
            "--print", action="store_true", help="Print the SQL instead of running it."
        )

    def handle(self, *args: Any, owner: str, app: str, database: str, **options: Any) -> None:
        connection = connections[database]
        if connection.vendor != "postgresql":
            self.stdout.write(f"{connection.vendor} has no roles: nothing to do.")
            return
        statements = dbroles.role_statements(
            owner=owner, app=app, database=connection.settings_dict["NAME"]
        )
        if options["print"]:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with dbroles.as_owner(), transaction.atomic(using=database), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"Roles ready: {owner} (owner, migrations), {app} (application, DML).")
