"""Reads the sending side and the console make.

``fast_normalize`` accepts the plain ASCII addresses that make up nearly every mailing list with a
regular expression, and leaves everything else (quoted local parts, IDNA, odd lengths, special-use
domains) to ``normalize_email``: email-validator costs ~50 µs an address, which at 100,000
addresses would be most of the request. ``tests/api/test_fast_normalize.py`` checks with
hypothesis that the shortcut never disagrees with email-validator.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection

from .addresses import fast_normalize, normalize_email
from .exceptions import InvalidEmailAddress
from .models import Suppression


def is_suppressed(email: str) -> bool:
    """Whether sending to ``email`` is paused. Raises ``InvalidEmailAddress`` on bad input."""
    address = normalize_email(email).address
    return Suppression.objects.filter(address__address=address, lifted_at__isnull=True).exists()


def suppressed_among(emails: Iterable[str]) -> tuple[dict[str, OpenSuppression], dict[str, str]]:
    """Which of ``emails`` are suppressed, in one query, keyed by the address as given.

    Returns (suppressed, invalid): invalid inputs map to why they are not addresses.
    """
    result = check_many(list(emails))
    return result.suppressed, result.invalid


def normalized_or_why(value: object) -> tuple[str | None, str]:
    """(normalized address, "") or (None, why the input is not an address)."""
    if isinstance(value, str):
        fast = fast_normalize(value)
        if fast is not None:
            return fast, ""
    try:
        return normalize_email(value).address, ""
    except InvalidEmailAddress as error:
        return None, error.why


@dataclass(frozen=True, slots=True)
class OpenSuppression:
    address: str
    reason: str
    bounce_type: str
    since: datetime


# One statement for the whole batch. The addresses travel as one newline-joined text parameter
# (normalized addresses never contain a newline), far cheaper to send than a 100,000-element
# array. The LATERAL ... LIMIT 1 makes PostgreSQL probe the address index once per input: seeing
# the whole list inlined, the planner would otherwise hash-join against a sequential scan of every
# address, which at a million rows costs 5-10 times more than the probes.
_OPEN_AMONG_SQL = """
SELECT a.address, s.reason, s.bounce_type, s.opened_at
FROM unnest(string_to_array(%s, E'\\n')) AS wanted(address)
CROSS JOIN LATERAL (
    SELECT id, address FROM suppression_emailaddress WHERE address = wanted.address LIMIT 1
) a
JOIN suppression_suppression s ON s.address_id = a.id AND s.lifted_at IS NULL
"""
_OPEN_AMONG_SQL_SQLITE = """
SELECT a.address, s.reason, s.bounce_type, s.opened_at
FROM suppression_emailaddress a
JOIN suppression_suppression s ON s.address_id = a.id AND s.lifted_at IS NULL
WHERE a.address IN (SELECT value FROM json_each(%s))
"""


def open_suppressions(addresses: Iterable[str]) -> dict[str, OpenSuppression]:
    """The open suppression of each normalized address that has one: one query, any size."""
    wanted = sorted(set(addresses))
    if not wanted:
        return {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_OPEN_AMONG_SQL, ["\n".join(wanted)])
        else:
            cursor.execute(_OPEN_AMONG_SQL_SQLITE, [json.dumps(wanted)])
        rows = cursor.fetchall()
    found: dict[str, OpenSuppression] = {}
    for address, reason, bounce_type, since in rows:
        if isinstance(since, str):  # SQLite can hand back text through a raw cursor
            since = datetime.fromisoformat(since)
        if since.tzinfo is None:  # SQLite stores UTC without an offset
            since = since.replace(tzinfo=UTC)
        found[address] = OpenSuppression(address, reason, bounce_type, since)
    return found


@dataclass(frozen=True, slots=True)
class CheckResult:
    suppressed: dict[str, OpenSuppression]  # keyed by the input as given
    invalid: dict[str, str]  # the input as given → why it is not an address
    checked: int


def check_many(emails: list[str]) -> CheckResult:
    """Which of ``emails`` may not be mailed, keyed by the address as given, in one query."""
    by_normalized: dict[str, list[str]] = {}
    invalid: dict[str, str] = {}
    for given in emails:
        normalized, why = normalized_or_why(given)
        if normalized is None:
            invalid[given] = why
        else:
            by_normalized.setdefault(normalized, []).append(given)
    found = open_suppressions(by_normalized)
    suppressed = {
        given: info for address, info in found.items() for given in by_normalized[address]
    }
    return CheckResult(suppressed=suppressed, invalid=invalid, checked=len(emails))
