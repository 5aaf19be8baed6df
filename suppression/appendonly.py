"""Database triggers that make tables append-only, used by the migrations, and the guard that
keeps Django's ``flush`` and ``sqlflush`` away from a production database.

PostgreSQL refuses every UPDATE and DELETE, history rows included: who made a change
(``history_user_id``) is as fixed as the change. It once let a user's deletion null that column;
users are deactivated, never deleted, so deleting one who is named in history is refused too.
SQLite refuses UPDATE only, because Django's test flush empties SQLite tables with DELETE.
TRUNCATE fires no row trigger: the application's PostgreSQL role has no TRUNCATE privilege
(see suppression/dbroles.py), and ``flush`` refuses in production.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

# TG_ARGV[0] ('row' or 'history') is kept for the triggers already installed; both refuse alike.
FUNCTION = """
CREATE OR REPLACE FUNCTION suppression_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


ERASES = "it would erase the bounce events, the changes feed and the audit history"


def refuse_in_production(command: str, why: str = ERASES) -> None:
    """Stop a command that would empty or forge the append-only tables when KWIGA_ENV=production."""
    if getattr(settings, "KWIGA_ENV", "development") == "production":
        raise CommandError(f"{command} is refused with KWIGA_ENV=production: {why}.")


def install(schema_editor: Any, table: str, *, history: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)
        kind = "history" if history else "row"
        schema_editor.execute(
            f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION suppression_append_only('{kind}')"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS {table}_append_only BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END"
        )


def remove(schema_editor: Any, table: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")
