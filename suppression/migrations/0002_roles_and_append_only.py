"""Roles as groups with model permissions, and append-only tables enforced by the database."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_MODELS = [
    "school", "schoolmembership", "emailaddress", "suppression", "bounceevent",
    "reinstatementrequest", "suppressionchange",
    "historicalschool", "historicalschoolmembership", "historicalemailaddress",
    "historicalsuppression", "historicalreinstatementrequest",
]
AGENT = [f"suppression.view_{m}" for m in VIEW_MODELS] + [
    "suppression.add_suppression",
    "suppression.add_reinstatementrequest",
    "suppression.decide_reinstatementrequest",
    "auth.view_user",
]
LEAD = AGENT + [
    "suppression.override_guards",
    "suppression.add_school", "suppression.change_school",
    "suppression.add_schoolmembership", "suppression.change_schoolmembership",
    "suppression.delete_schoolmembership",
    "auth.add_user", "auth.change_user", "auth.view_group",
]
AUDITOR = [f"suppression.view_{m}" for m in VIEW_MODELS] + ["auth.view_user", "auth.view_group"]
ROLES = {
    "Support agent": AGENT,
    "Support lead": LEAD,
    "Auditor": AUDITOR,
    # Owners never enter the admin; the portal grants them what their school memberships allow.
    "School owner": [],
}

APPEND_ONLY = ["suppression_bounceevent", "suppression_suppressionchange"]


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


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
