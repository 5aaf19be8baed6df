"""The two PostgreSQL roles: an owner that owns the schema and runs migrations, and an
application role that owns nothing and may only read and write rows where the triggers allow.

The application role has SELECT, INSERT, UPDATE and DELETE on the tables and USAGE on the
sequences, and nothing else: no TRUNCATE, no CREATE in the schema, and since it owns no table
it cannot ALTER one, drop or disable a trigger. In production the application logs in as that
role and ``manage.py migrate`` runs with the owner's credentials.

``DATABASE_APP_ROLE`` (``SUPPRESSION['DB_APP_ROLE']``) is for a login that may act as both,
like the test suite's: every new connection then runs ``SET ROLE <app role>``, and
:func:`as_owner` switches back to the login for the work that needs the owner (creating and
migrating the test database, the test flush). SQLite has no roles: all of this does nothing there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections

from .conf import setting

SCHEMA = "public"
DML = "SELECT, INSERT, UPDATE, DELETE"

# How many as_owner() blocks are open; while any is, connections act as their login.
_owner_depth = 0


def app_role() -> str:
    return str(setting("DB_APP_ROLE") or "")


def _apply(connection: Any) -> None:
    """Put one open connection in the role it should have now."""
    role = app_role()
    if connection.vendor != "postgresql" or not role or connection.connection is None:
        return
    with connection.cursor() as cursor:
        if _owner_depth:
            cursor.execute("RESET ROLE")
        else:
            cursor.execute(f"SET ROLE {connection.ops.quote_name(role)}")


def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: a new connection takes the application role."""
    if not _owner_depth:
        _apply(connection)


@contextmanager
def as_owner() -> Iterator[None]:
    """Run the block as the login role (the owner, in tests) instead of the application role.

    Switches this thread's open connections and those it opens meanwhile. Where the login is the
    application role itself, as in production, this changes nothing.
    """
    suspend()
    try:
        yield
    finally:
        resume()


def suspend() -> None:
    global _owner_depth
    _owner_depth += 1
    if _owner_depth == 1:
        for connection in connections.all(initialized_only=True):
            _apply(connection)


def resume() -> None:
    global _owner_depth
    _owner_depth -= 1
    if _owner_depth == 0:
        for connection in connections.all(initialized_only=True):
            _apply(connection)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def grant_statements(*, owner: str, app: str) -> list[str]:
    """Give the application role DML on everything the owner has made and will make in the schema.

    Run as the owner or a superuser, after every migration or once with the default privileges.
    """
    o, a = _quote(owner), _quote(app)
    return [
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {a}",
        f"REVOKE CREATE ON SCHEMA {SCHEMA} FROM PUBLIC",
        f"REVOKE CREATE ON SCHEMA {SCHEMA} FROM {a}",
        f"GRANT {DML} ON ALL TABLES IN SCHEMA {SCHEMA} TO {a}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {SCHEMA} FROM {a}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO {a}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {SCHEMA} GRANT {DML} ON TABLES TO {a}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {SCHEMA} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {a}",
    ]


def _create_role(name: str) -> str:
    return (
        "DO $$ BEGIN "
        f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_literal(name)}) "
        f"THEN CREATE ROLE {_quote(name)} LOGIN; END IF; END $$"
    )


def role_statements(*, owner: str, app: str, database: str) -> list[str]:
    """Create both roles if missing and set what each may do; idempotent; run as a superuser."""
    o, a = _quote(owner), _quote(app)
    limited = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    return [
        _create_role(owner),
        _create_role(app),
        f"ALTER ROLE {o} {limited}",
        f"ALTER ROLE {a} {limited}",
        # Membership would let the application act as the owner (SET ROLE).
        f"REVOKE {o} FROM {a}",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {_quote(database)} TO {o}, {a}",
        f"ALTER SCHEMA {SCHEMA} OWNER TO {o}",
        f"GRANT USAGE, CREATE ON SCHEMA {SCHEMA} TO {o}",
        # The console's search by a part of an address (migration 0010) needs trigrams; the
        # owner role that migrates may not create an extension, so the superuser does it here.
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        *grant_statements(owner=owner, app=app),
    ]


def current_user(connection: Any) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        return str(cursor.fetchone()[0])
