"""History rows refuse every change, history_user_id included (users are never deleted)."""

from django.db import migrations

from suppression import appendonly

HISTORY_TABLES = [
    "suppression_historicalschool",
    "suppression_historicalschoolmembership",
    "suppression_historicalemailaddress",
    "suppression_historicalsuppression",
    "suppression_historicalreinstatementrequest",
    "suppression_historicalapiclient",
]

OLD_FUNCTION = """
CREATE OR REPLACE FUNCTION suppression_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_ARGV[0] = 'history'
       AND (to_jsonb(NEW) - 'history_user_id') = (to_jsonb(OLD) - 'history_user_id')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    # PostgreSQL: the new function body; SQLite: UPDATE triggers on the history tables too.
    for table in HISTORY_TABLES:
        appendonly.install(schema_editor, table, history=True)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_FUNCTION, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for table in HISTORY_TABLES:
            appendonly.remove(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [
        ("suppression", "0005_open_suppressions_index"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
