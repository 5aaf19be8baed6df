"""One list check: an uploaded file, its progress, its summary and its two outputs on disk."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..conf import setting
from ..jobs import LeasedJob


def storage_root() -> Path:
    configured = setting("LIST_CHECK_DIR")
    return Path(configured) if configured else Path(settings.BASE_DIR) / "var" / "listchecks"


class ListCheck(LeasedJob):
    class Via(models.TextChoices):
        PORTAL = "portal", _("Owner portal")
        CONSOLE = "console", _("Support console")

    school = models.ForeignKey(
        "suppression.School", on_delete=models.CASCADE, related_name="list_checks"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    via = models.CharField(max_length=10, choices=Via.choices)
    file_name = models.CharField(max_length=200)
    folder = models.CharField(max_length=36, unique=True)  # a uuid under storage_root()
    size_bytes = models.BigIntegerField()
    rows_done = models.BigIntegerField(default=0)
    bytes_done = models.BigIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["school", "-created_at"], name="listcheck_school_idx"),
            models.Index(fields=["status", "lease_until"], name="listcheck_lease_idx"),
            models.Index(fields=["expires_at"], name="listcheck_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.school})"

    @property
    def directory(self) -> Path:
        return storage_root() / self.folder

    @property
    def source_path(self) -> Path:
        return self.directory / "upload.csv"

    @property
    def report_path(self) -> Path:
        return self.directory / "report.csv"

    @property
    def cleaned_path(self) -> Path:
        return self.directory / "clean.csv"

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.bytes_done / self.size_bytes) if self.size_bytes else 0

    @property
    def download_stem(self) -> str:
        return Path(self.file_name).stem[:80] or "list"

    def remove_files(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
