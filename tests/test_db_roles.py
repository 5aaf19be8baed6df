"""The append-only promise holds against the application's own database role and its commands.

On PostgreSQL with DATABASE_APP_ROLE set (as in CI) the whole suite runs as the application role;
the tests here prove what that role cannot do. The history trigger and the production guard on
``flush`` hold on every database.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction

from suppression import dbroles
from suppression.models import BounceEvent, School, Suppression, SuppressionChange

from .factories import SchoolFactory, bounce, user_in_role

pytestmark = pytest.mark.django_db

as_app_role = pytest.mark.skipif(
    not dbroles.app_role(), reason="set DATABASE_APP_ROLE (and DATABASE_URL) to run it"
)


def refusal(sql: str, params: list | None = None) -> str:
    """Run one statement in a savepoint; the database's error message, or '' if it ran."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        return str(error)
    return ""


@pytest.mark.postgres
@as_app_role
def test_the_suite_runs_as_the_application_role() -> None:
    assert dbroles.current_user(connection) == dbroles.app_role()
    with dbroles.as_owner():
        assert dbroles.current_user(connection) != dbroles.app_role()
    assert dbroles.current_user(connection) == dbroles.app_role()


@pytest.mark.postgres
@as_app_role
@pytest.mark.parametrize(
    ("sql", "error"),
    [
        ("TRUNCATE suppression_bounceevent", "permission denied for table"),
        ("TRUNCATE suppression_historicalsuppression CASCADE", "permission denied for table"),
        ("ALTER TABLE suppression_bounceevent ADD COLUMN x int", "must be owner of table"),
        ("ALTER TABLE suppression_bounceevent DISABLE TRIGGER USER", "must be owner of table"),
        ("ALTER TABLE suppression_suppressionchange DISABLE TRIGGER ALL", "must be owner of table"),
        (
            "DROP TRIGGER suppression_bounceevent_append_only ON suppression_bounceevent",
            "must be owner of",
        ),
        ("DROP FUNCTION suppression_append_only() CASCADE", "must be owner of function"),
        ("SET session_replication_role = replica", "permission denied to set parameter"),
        ("CREATE TABLE suppression_mine (id int)", "permission denied for schema public"),
    ],
)
def test_the_application_role_cannot_get_around_the_triggers(sql: str, error: str) -> None:
    bounce("a@example.com")

    assert error in refusal(sql)
    assert BounceEvent.objects.count() == 1


@pytest.mark.postgres
@as_app_role
def test_the_application_role_still_changes_rows_where_the_triggers_allow() -> None:
    opened = bounce("a@example.com").opened
    # An open suppression is an ordinary row: lifting it is an UPDATE.
    sql = "UPDATE suppression_suppression SET open_note = 'x' WHERE id = %s"
    assert refusal(sql, [opened.pk]) == ""


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("sql", "model"),
    [
        ("UPDATE suppression_bounceevent SET diagnostic = 'edited'", BounceEvent),
        ("DELETE FROM suppression_bounceevent", BounceEvent),
        ("UPDATE suppression_suppressionchange SET id = id", SuppressionChange),
        ("DELETE FROM suppression_suppressionchange", SuppressionChange),
    ],
)
def test_append_only_rows_refuse_update_and_delete(sql: str, model: type) -> None:
    bounce("a@example.com")
    before = list(model.objects.values())

    assert "append-only" in refusal(sql)
    assert list(model.objects.values()) == before


def changed_by(user) -> School:
    school = SchoolFactory(name="Before", slug="before")
    school.name = "After"
    school._history_user = user
    school.save()
    return school


def test_who_made_a_change_cannot_be_rewritten(agent) -> None:
    school = changed_by(agent)
    row = school.history.latest()
    other = user_in_role("other", "Support lead")

    for value in (other.pk, None):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            School.history.filter(pk=row.pk).update(history_user_id=value)

    assert school.history.latest().history_user_id == agent.pk


def test_a_user_named_in_the_history_cannot_be_deleted(agent) -> None:
    school = changed_by(agent)

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        get_user_model().objects.filter(pk=agent.pk).delete()

    assert school.history.latest().history_user_id == agent.pk


@pytest.mark.parametrize(
    "command", [["flush", "--noinput"], ["sqlflush"], ["seed_bulk", "--reset"]]
)
def test_flush_sqlflush_and_seed_bulk_refuse_in_production(command: list[str], settings) -> None:
    bounce("a@example.com")
    settings.KWIGA_ENV = "production"

    with pytest.raises(CommandError, match="refused with KWIGA_ENV=production"):
        call_command(*command, verbosity=0)

    assert BounceEvent.objects.count() == 1
    assert Suppression.history.count() == 1


@pytest.mark.postgres
def test_db_roles_creates_both_roles_idempotently() -> None:
    # Throwaway names, and a transaction the test rolls back: the shared server keeps nothing.
    owner, app = (f"{connection.settings_dict['NAME']}_{kind}" for kind in ("owner", "app"))

    for _ in range(2):
        call_command("db_roles", owner=owner, app=app, stdout=io.StringIO())

    with dbroles.as_owner(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_roles"
            " WHERE rolname IN (%s, %s) ORDER BY rolname = %s",
            [owner, app, owner],
        )
        assert cursor.fetchall() == [
            (app, False, False, False, True),
            (owner, False, False, False, True),
        ]
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [app, owner])
        assert cursor.fetchone() == (False,)
        # A table a later migration adds, as the owner, gets the application's grants.
        cursor.execute(f'SET ROLE "{owner}"')
        cursor.execute("CREATE TABLE suppression_later (id int)")
        cursor.execute("RESET ROLE")
        privileges = {}
        for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER"):
            for table in ("suppression_bounceevent", "suppression_later"):
                cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [app, table, privilege])
                privileges[table, privilege] = cursor.fetchone()[0]
        cursor.execute("SELECT has_schema_privilege(%s, 'public', 'CREATE')", [app])
        assert cursor.fetchone() == (False,)
    assert {key for key, allowed in privileges.items() if allowed} == {
        (table, privilege)
        for table in ("suppression_bounceevent", "suppression_later")
        for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE")
    }


def test_db_roles_does_nothing_on_sqlite() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    out = io.StringIO()
    call_command("db_roles", stdout=out)
    assert out.getvalue() == "sqlite has no roles: nothing to do.\n"
