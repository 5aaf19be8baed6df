"""Roles as groups with model permissions, and append-only tables enforced by the database."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from suppression.roles import sync_roles

APPEND_ONLY = ["suppression_bounceevent", "suppression_suppressionchange"]


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps, using=schema_editor.connection.alias)


def history_tables(apps):
    return [
        model._meta.db_table
        for model in apps.get_app_config("suppression").get_models()
        if model.__name__.startswith("Historical")
    ]


def install_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION suppression_append_only() RETURNS trigger AS $$
            BEGIN
                -- Deleting a user may null its history_user_id; nothing else may change.
                IF TG_OP = 'UPDATE' AND TG_ARGV[0] = 'history'
                   AND (to_jsonb(NEW) - 'history_user_id') = (to_jsonb(OLD) - 'history_user_id')
                THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'restrict_violation';
            END;
            $$ LANGUAGE plpgsql;
            """,
            params=None,
        )
        for table in APPEND_ONLY:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION suppression_append_only('row')"
            )
        for table in history_tables(apps):
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION suppression_append_only('history')"
            )
    elif vendor == "sqlite":
        # Only UPDATE here: Django's test flush empties SQLite tables with DELETE.
        for table in APPEND_ONLY:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END"
            )


def remove_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    tables = APPEND_ONLY + (history_tables(apps) if vendor == "postgresql" else [])
    for table in tables:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")


class Migration(migrations.Migration):
    dependencies = [
        ("suppression", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
