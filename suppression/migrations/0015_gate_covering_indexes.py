"""Covering indexes for the sending gate's bulk probe (PostgreSQL only).

The bulk check probes the address index once per input, then the open suppression of each
address found. With the columns it reads inside the indexes, PostgreSQL answers both probes from
the indexes alone (index-only scans) instead of fetching a heap page per address and per
suppression: at 100,000 addresses with half suppressed (1M addresses, 5M events), the statement
went from ~570-710 ms to ~370 ms on the shared machine, and most of the pages it no longer reads
were not in shared_buffers. Both are plain indexes beside the constraints (the unique address and
the one open suppression per address stay as they are); SQLite has no INCLUDE and needs none.
"""

from django.db import migrations

INDEXES = {
    "gate_address_covering": "suppression_emailaddress (address) INCLUDE (id)",
    "gate_open_suppression_covering": (
        "suppression_suppression (address_id) INCLUDE (reason, bounce_type, opened_at) "
        "WHERE lifted_at IS NULL"
    ),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("suppression", "0014_console"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
