"""Roles as groups with model permissions, and append-only tables enforced by the database."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from suppression import appendonly
from suppression.roles import sync_roles

APPEND_ONLY = ["suppression_bounceevent", "suppression_suppressionchange"]


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps, using=schema_editor.connection.alias, missing_ok=True)


HISTORY_TABLES = [
    "suppression_historicalschool",
    "suppression_historicalschoolmembership",
    "suppression_historicalemailaddress",
    "suppression_historicalsuppression",
    "suppression_historicalreinstatementrequest",
]


def install_triggers(apps, schema_editor):
    for table in APPEND_ONLY:
        appendonly.install(schema_editor, table, history=False)
    for table in HISTORY_TABLES:
        appendonly.install(schema_editor, table, history=True)


def remove_triggers(apps, schema_editor):
    for table in APPEND_ONLY + HISTORY_TABLES:
        appendonly.remove(schema_editor, table)


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
