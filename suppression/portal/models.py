"""The portal's own tables: an owner's language and the questions owners ask support.

Imported by ``suppression.models`` so that they belong to the ``suppression`` app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class OwnerProfile(models.Model):
    """What the portal remembers about an owner: the language the mails to them are written in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owner_profile"
    )
    language = models.CharField(max_length=10, blank=True, help_text="Empty: not chosen yet.")

    def __str__(self) -> str:
        return f"{self.user} ({self.language or 'no language chosen'})"


class InquiryStatus(models.TextChoices):
    OPEN = "open", "Waiting for support"
    ANSWERED = "answered", "Answered"


class AddressInquiry(models.Model):
    """An owner asks support about an address; the portal answers the same whatever its state.

    The address is kept as text, as the owner typed it (normalized): it may be one the platform
    has never seen, and creating an address row for it would tell nothing new.
    """

    Status = InquiryStatus

    school = models.ForeignKey("suppression.School", on_delete=models.PROTECT, related_name="+")
    email = models.CharField(max_length=320)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField()
    status = models.CharField(
        max_length=10, choices=InquiryStatus.choices, default=InquiryStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True, help_text="Shown back to the school owner.")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "question about an address"
        verbose_name_plural = "questions about addresses"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InquiryStatus.values), name="inquiry_status_valid"
            ),
            models.CheckConstraint(condition=~Q(message=""), name="inquiry_has_message"),
        ]
        indexes = [
            models.Index(fields=["school", "-created_at"], name="inquiry_school_idx"),
            models.Index(fields=["asked_by", "-created_at"], name="inquiry_owner_day_idx"),
            models.Index(
                fields=["created_at"], condition=Q(status="open"), name="inquiry_open_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} for {self.school_id}"
