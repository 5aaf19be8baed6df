# The event list's indexes become covering indexes (console/selectors.py, event_page): newest
# first and each filter in time order, with the id as the last key and the other filter columns
# carried (INCLUDE, PostgreSQL only), so that a page's ids are found by an index-only walk; and
# (school, type, reason, source, stream, time, id) for a school with filters it rarely matches;
# and the daily counts get (type, reason, source, stream, day) INCLUDE (n) for the same lists.
#
# Safe on a big events table: on PostgreSQL each new index is built with CREATE INDEX
# CONCURRENTLY (bounces keep being recorded meanwhile; no lock that blocks writes), and only then
# are the indexes it replaces dropped, concurrently too, so the list always has an index. The
# migration is therefore not atomic; an interrupted build leaves an INVALID index, which a re-run
# drops before building it again. 5M events: see README ("How it stays fast at 5M events").

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models
from django.db.migrations.operations import AddIndex, RemoveIndex

FILTERS = ("bounce_type", "reason", "source", "stream", "school")


class AddIndexSafely(AddIndexConcurrently):
    """CREATE INDEX CONCURRENTLY on PostgreSQL (after dropping a half-built one), plain elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)
        schema_editor.execute(
            f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(self.index.name)}"
        )
        return super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)
        return super().database_backwards(app_label, schema_editor, from_state, to_state)


class RemoveIndexSafely(RemoveIndexConcurrently):
    """DROP INDEX CONCURRENTLY on PostgreSQL, plain elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return RemoveIndex.database_forwards(
                self, app_label, schema_editor, from_state, to_state
            )
        return super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return RemoveIndex.database_backwards(
                self, app_label, schema_editor, from_state, to_state
            )
        return super().database_backwards(app_label, schema_editor, from_state, to_state)


def covering(lead, name):
    return AddIndexSafely(
        model_name="bounceevent",
        index=models.Index(
            fields=[*lead, "-occurred_at", "-id"],
            include=[f for f in FILTERS if f not in lead],
            name=name,
        ),
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("suppression", "0015_gate_covering_indexes"),
    ]

    operations = [
        covering([], "bounce_time_cover_idx"),
        covering(["school"], "bounce_school_cover_idx"),
        covering(["reason"], "bounce_reason_cover_idx"),
        covering(["bounce_type"], "bounce_type_cover_idx"),
        covering(["source"], "bounce_source_cover_idx"),
        covering(["stream"], "bounce_stream_cover_idx"),
        AddIndexSafely(
            model_name="bounceevent",
            index=models.Index(
                fields=["school", *FILTERS[:4], "-occurred_at", "-id"],
                name="bounce_school_combo_idx",
            ),
        ),
        AddIndexSafely(
            model_name="bouncedaycount",
            index=models.Index(
                fields=[*FILTERS[:4], "day"], include=["n"], name="bounce_count_combo_idx"
            ),
        ),
        RemoveIndexSafely(model_name="bounceevent", name="bounce_occurred_idx"),
        RemoveIndexSafely(model_name="bounceevent", name="bounce_school_time_idx"),
        RemoveIndexSafely(model_name="bounceevent", name="bounce_reason_time_idx"),
        RemoveIndexSafely(model_name="bounceevent", name="bounce_type_time_idx"),
        RemoveIndexSafely(model_name="bounceevent", name="bounce_source_time_idx"),
        RemoveIndexSafely(model_name="bounceevent", name="bounce_stream_time_idx"),
    ]
