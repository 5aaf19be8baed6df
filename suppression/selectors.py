"""Reads the sending side and the console make."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .addresses import normalize_email
from .exceptions import InvalidEmailAddress
from .models import Suppression


@dataclass(frozen=True, slots=True)
class SuppressionInfo:
    address: str
    reason: str
    bounce_type: str
    since: datetime


def is_suppressed(email: str) -> bool:
    """Whether sending to ``email`` is paused. Raises ``InvalidEmailAddress`` on bad input."""
    address = normalize_email(email).address
    return Suppression.objects.filter(address__address=address, lifted_at__isnull=True).exists()


def suppressed_among(emails: Iterable[str]) -> tuple[dict[str, SuppressionInfo], dict[str, str]]:
    """Which of ``emails`` are suppressed, in one query, keyed by the address as given.

    Returns (suppressed, invalid): invalid inputs map to why they are not addresses.
    """
    by_normalized: dict[str, list[str]] = {}
    invalid: dict[str, str] = {}
    for given in emails:
        try:
            by_normalized.setdefault(normalize_email(given).address, []).append(given)
        except InvalidEmailAddress as error:
            invalid[str(given)] = error.why
    suppressed: dict[str, SuppressionInfo] = {}
    if not by_normalized:
        return suppressed, invalid
    rows = Suppression.objects.filter(
        lifted_at__isnull=True, address__address__in=list(by_normalized)
    ).values_list("address__address", "reason", "bounce_type", "opened_at")
    for address, reason, bounce_type, since in rows:
        info = SuppressionInfo(address, reason, bounce_type, since)
        for given in by_normalized[address]:
            suppressed[given] = info
    return suppressed, invalid
