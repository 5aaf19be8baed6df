"""Reads for the list-check pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import School
from .checker import VERDICT_ORDER
from .models import ListCheck

VERDICT_LABELS = {
    "invalid": _("Invalid"),
    "duplicate": _("Duplicate"),
    "suppressed": _("Cannot be mailed"),
    "fix_suggested": _("Typo: fix suggested"),
    "could_not_check": _("Could not check (kept)"),
    "risky": _("Risky (kept)"),
    "ok": _("OK"),
}


def checks_for_school(school: School) -> QuerySet[ListCheck]:
    """The school's checks that have not expired, newest first."""
    return ListCheck.objects.filter(school=school, expires_at__gt=timezone.now()).select_related(
        "created_by"
    )


def summary_rows(check: ListCheck) -> list[dict[str, Any]]:
    """One row per verdict for the summary table: label, count, examples."""
    summary = check.summary or {}
    counts = summary.get("counts", {})
    examples = summary.get("examples", {})
    return [
        {
            "verdict": verdict.value,
            "label": VERDICT_LABELS[verdict.value],
            "count": counts.get(verdict.value, 0),
            "examples": examples.get(verdict.value, []),
        }
        for verdict in VERDICT_ORDER
    ]
