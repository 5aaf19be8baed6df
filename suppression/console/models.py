"""The console's own tables: daily bounce counts and the audit log.

Imported by ``suppression.models`` so that they belong to the ``suppression`` app.

* ``BounceDayCount`` and ``RefusalDayCount`` are kept up to date by the bounce services in the
  same transaction as the events (``console/counts.py``): the dashboard and the event list read a
  few hundred rows of them instead of scanning millions of events.
* ``AuditEntry`` is one row per history row of every history-tracked model, written beside it
  (``console/audit.py``), so the audit log is one indexed table, not a union over many.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class BounceDayCount(models.Model):
    """How many events occurred on one UTC day, per type, reason, source and stream."""

    day = models.DateField()
    bounce_type = models.CharField(max_length=10)
    reason = models.CharField(max_length=20)
    source = models.CharField(max_length=20)
    stream = models.CharField(max_length=20, blank=True)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "bounce_type", "reason", "source", "stream"],
                name="one_bounce_count_per_key",
            )
        ]
        # The event list's filters, each as a list of values (console/selectors.py): one short
        # range of days per combination, read index-only, instead of every row of the table.
        indexes = [
            models.Index(
                fields=["bounce_type", "reason", "source", "stream", "day"],
                include=["n"],
                name="bounce_count_combo_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.bounce_type}/{self.reason} {self.source}/{self.stream}: {self.n}"


class RefusalDayCount(models.Model):
    """Sender-side refusals (``sender_reputation``) per receiving domain and UTC day."""

    day = models.DateField()
    domain = models.CharField(max_length=255)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "domain"], name="one_refusal_count_per_key")
        ]
        indexes = [models.Index(fields=["domain", "day"], name="refusal_domain_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.domain}: {self.n}"


class OpenSuppressionCount(models.Model):
    """Open suppressions per reason, kept where the changes feed is written (same lock)."""

    reason = models.CharField(max_length=20, unique=True)
    n = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.reason}: {self.n}"


class AuditAction(models.TextChoices):
    CREATED = "+", "Created"
    CHANGED = "~", "Changed"
    DELETED = "-", "Deleted"


class AuditEntry(models.Model):
    """One change to any history-tracked object, in words. Append-only, like the history."""

    Action = AuditAction

    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # Users are never deleted: the history and its triggers refuse it (appendonly.py).
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        help_text="Empty for the system (bounces, the API).",
    )
    object_type = models.CharField(max_length=100, help_text="app_label.model of the object")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    action = models.CharField(max_length=1, choices=AuditAction.choices)
    summary = models.TextField(help_text="What changed, in words.")
    reason = models.TextField(blank=True, help_text="The change reason the history recorded.")
    history_id = models.BigIntegerField()

    class Meta:
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "history_id"], name="one_audit_entry_per_history_row"
            ),
        ]
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_at_idx"),
            models.Index(fields=["actor", "-at", "-id"], name="audit_actor_at_idx"),
            models.Index(fields=["object_type", "-at", "-id"], name="audit_type_at_idx"),
            models.Index(fields=["action", "-at", "-id"], name="audit_action_at_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.object_type} {self.object_id} {self.action}"
