"""Incidents (a receiving organisation refuses the platform) and waves undone in one batch.

Imported by ``suppression.models`` so that they belong to the ``suppression`` app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class LiftKind(models.TextChoices):
    EXPIRED = "expired", "Pause ended (back-off)"
    LEAD = "lead", "Lifted early by a lead"


class Incident(models.Model):
    """Sending to one receiving organisation is paused because it refuses the platform itself.

    The organisation is the remote MTA's registered domain (``outlook.com`` for every Microsoft 365
    customer) or, when the bounces name no server, the recipient domain. The pause covers the
    recipient domains in ``domains`` for the streams in ``streams`` until ``until``.
    """

    organisation = models.CharField(max_length=255)
    opened_at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(help_text="When the pause lifts by itself.")
    repeat = models.PositiveSmallIntegerField(
        default=0, help_text="Earlier incidents of this organisation within the repeat window."
    )
    streams = models.JSONField(default=list, help_text="The streams the pause covers.")
    refusals = models.PositiveIntegerField(
        default=0, help_text="Refusals counted in the window when it opened."
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_kind = models.CharField(max_length=10, choices=LiftKind.choices, blank=True)
    lift_note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at"]
        permissions = [("lift_incident", "Can lift a domain pause early, with a note")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(lifted_at__isnull=True),
                name="one_open_incident_per_organisation",
            ),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | Q(lifted_at__gte=models.F("opened_at")),
                name="incident_lifted_after_opened",
            ),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lift_kind="")
                | Q(lifted_at__isnull=False, lift_kind__in=LiftKind.values),
                name="incident_lift_kind_iff_lifted",
            ),
            models.CheckConstraint(
                condition=~Q(lift_kind=LiftKind.LEAD) | ~Q(lift_note=""),
                name="incident_lead_lift_has_note",
            ),
        ]
        indexes = [
            models.Index(
                fields=["until"], condition=Q(lifted_at__isnull=True), name="incident_open_idx"
            ),
            models.Index(fields=["organisation", "-opened_at"], name="incident_org_idx"),
        ]

    def __str__(self) -> str:
        return f"Incident #{self.pk}: {self.organisation}"

    @property
    def is_open(self) -> bool:
        return self.lifted_at is None


class PausedDomain(models.Model):
    """A recipient domain an incident covers: seen in its refusals, or joined while it was open."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="domains")
    domain = models.CharField(max_length=255)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "domain"], name="one_row_per_paused_domain")
        ]
        indexes = [models.Index(fields=["domain"], name="paused_domain_idx")]

    def __str__(self) -> str:
        return self.domain


class ReputationRefusal(models.Model):
    """A ``sender_reputation`` event counted against its receiving organisation.

    Written with the event, in the same transaction; ``incident`` is set when an incident counts
    it (the refusals that opened it, and those that arrive while it is open).
    """

    event = models.OneToOneField(
        "suppression.BounceEvent", on_delete=models.PROTECT, related_name="refusal"
    )
    organisation = models.CharField(max_length=255)
    domain = models.CharField(max_length=255)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="refusal_rows"
    )

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "-received_at"], name="refusal_org_idx"),
            models.Index(fields=["incident", "-received_at"], name="refusal_incident_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.domain} via {self.organisation}"


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Resuming"
    DONE = "done", "Resumed"
    UNDOING = "undoing", "Being undone"
    UNDONE = "undone", "Undone"


class ResumeBatch(models.Model):
    """A lead resumes a wave of suppressions at once: one record linking every one it lifted.

    It runs in chunks that commit separately; ``cursor`` is the last item done, so a worker that
    was killed resumes after it (``services.waves.batch_run``).
    """

    Status = BatchStatus

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(help_text="Why the wave is resumed.")
    criteria = models.JSONField(default=dict, help_text="The selection, as the lead made it.")
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default="queued")
    selected = models.PositiveIntegerField(default=0)
    resumed = models.PositiveIntegerField(default=0)
    left_out = models.PositiveIntegerField(default=0)
    cursor = models.BigIntegerField(default=0, help_text="The last item processed.")
    finished_at = models.DateTimeField(null=True, blank=True)
    undo_until = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undo_note = models.TextField(blank=True)
    undo_cursor = models.BigIntegerField(default=0)
    resuppressed = models.PositiveIntegerField(default=0)
    undone_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(
        excluded_fields=["cursor", "undo_cursor", "resumed", "left_out", "resuppressed"]
    )

    class Meta:
        verbose_name = "resume batch"
        verbose_name_plural = "resume batches"
        ordering = ["-created_at"]
        permissions = [("run_resumebatch", "Can resume a wave of suppressions and undo it")]
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="resume_batch_has_note"),
            models.CheckConstraint(
                condition=Q(status__in=BatchStatus.values), name="resume_batch_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Resume batch #{self.pk}"


class ItemState(models.TextChoices):
    SELECTED = "selected", "Selected"
    RESUMED = "resumed", "Resumed"
    LEFT_OUT = "left_out", "Left out"
    RESUPPRESSED = "resuppressed", "Suppressed again (undo)"
    KEPT = "kept", "Not re-suppressed by the undo"


class ResumeBatchItem(models.Model):
    """One suppression of a batch: what happened to it and why."""

    State = ItemState

    # Tens of thousands of rows per batch, each written twice: no index beyond those below
    # (the unique (batch, suppression) one serves the batch's lookups; nothing is ever deleted).
    batch = models.ForeignKey(
        ResumeBatch, on_delete=models.PROTECT, related_name="items", db_index=False
    )
    suppression = models.ForeignKey(
        "suppression.Suppression", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    address = models.ForeignKey(
        "suppression.EmailAddress", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    state = models.CharField(max_length=12, choices=ItemState.choices, default="selected")
    why = models.CharField(max_length=200, blank=True, help_text="Why it was left out.")
    resuppression = models.ForeignKey(
        "suppression.Suppression",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        help_text="The suppression the undo opened again.",
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "suppression"], name="one_item_per_batch"),
            # Whatever two batches (or two workers) do at once, a suppression is resumed once.
            models.UniqueConstraint(
                fields=["suppression"],
                condition=Q(state__in=["resumed", "resuppressed", "kept"]),
                name="suppression_resumed_by_one_batch",
            ),
        ]
        indexes = [models.Index(fields=["batch", "state"], name="batch_item_state_idx")]

    def __str__(self) -> str:
        return f"{self.batch}: {self.address_id} {self.state}"
