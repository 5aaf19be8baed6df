"""Reads the sending side and the console make.

``fast_normalize`` accepts the plain ASCII addresses that make up nearly every mailing list with a
regular expression, and leaves everything else (quoted local parts, IDNA, odd lengths, special-use
domains) to ``normalize_email``: email-validator costs ~50 µs an address, which at 100,000
addresses would be most of the request. ``tests/api/test_fast_normalize.py`` checks with
hypothesis that the shortcut never disagrees with email-validator.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from email_validator import SPECIAL_USE_DOMAIN_NAMES

from . import policy
from .addresses import normalize_email
from .exceptions import InvalidEmailAddress
from .models import Incident, PausedDomain, Suppression


def is_suppressed(email: str) -> bool:
    """Whether sending to ``email`` is paused. Raises ``InvalidEmailAddress`` on bad input."""
    address = normalize_email(email).address
    return Suppression.objects.filter(address__address=address, lifted_at__isnull=True).exists()


def suppressed_among(
    emails: Iterable[str],
) -> tuple[dict[str, OpenSuppression | DomainPause], dict[str, str]]:
    """Which of ``emails`` are suppressed, in one query, keyed by the address as given.

    Returns (suppressed, invalid): invalid inputs map to why they are not addresses.
    """
    result = check_many(list(emails))
    return result.suppressed, result.invalid


# RFC 5322 dot-atom local part and an LDH host name with an alphabetic TLD. Anything this does
# not match is not necessarily invalid: it only goes the slow, exact way.
_PLAIN = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_SPECIAL_USE = tuple(SPECIAL_USE_DOMAIN_NAMES)
_SPECIAL_USE_SUFFIXES = tuple("." + name for name in SPECIAL_USE_DOMAIN_NAMES)


def fast_normalize(value: str) -> str | None:
    """The normalized address, or None when only email-validator can tell."""
    text = value.strip()
    if len(text) > 254 or not _PLAIN.fullmatch(text):
        return None
    local, _, domain = text.rpartition("@")
    if len(local) > 64:
        return None
    domain = domain.lower()
    # IDNA reserves "??--" labels (xn-- and friends); email-validator judges those.
    if "--" in domain and any(label[2:4] == "--" for label in domain.split(".")):
        return None
    if domain in _SPECIAL_USE or domain.endswith(_SPECIAL_USE_SUFFIXES):
        return None
    return f"{local.lower()}@{domain}"


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
    suppressed: dict[str, OpenSuppression | DomainPause]  # keyed by the input as given
    invalid: dict[str, str]  # the input as given → why it is not an address
    checked: int


def check_many(emails: list[str], stream: str | None = None) -> CheckResult:
    """Which of ``emails`` may not be mailed, keyed by the address as given, in one query."""
    by_normalized: dict[str, list[str]] = {}
    invalid: dict[str, str] = {}
    for given in emails:
        normalized, why = normalized_or_why(given)
        if normalized is None:
            invalid[given] = why
        else:
            by_normalized.setdefault(normalized, []).append(given)
    found: dict[str, OpenSuppression | DomainPause] = {
        **domain_pauses_for(by_normalized, stream),
        **open_suppressions(by_normalized),  # an address's own suppression says more
    }
    suppressed = {
        given: info for address, info in found.items() for given in by_normalized[address]
    }
    return CheckResult(suppressed=suppressed, invalid=invalid, checked=len(emails))


# --- Incidents: domains paused because their organisation refuses the platform ---------------

DOMAIN_PAUSED = "domain_paused"  # the reason the gate gives for an address at a paused domain


@dataclass(frozen=True, slots=True)
class DomainPause:
    """An address the gate answers ``suppressed`` for because its domain is paused."""

    address: str
    domain: str
    incident_id: int
    organisation: str
    since: datetime
    until: datetime
    streams: tuple[str, ...]
    reason: str = DOMAIN_PAUSED
    bounce_type: str | None = None


def paused_domains(
    stream: str | None = None, now: datetime | None = None
) -> dict[str, DomainPause]:
    """Every recipient domain an open incident pauses for ``stream`` now, in one query.

    A pause past its ``until`` no longer counts, whether or not the lift job has recorded its end.
    ``address`` is empty here: ``domain_pauses_for`` fills it in per address.
    """
    now = now or timezone.now()
    rows = (
        PausedDomain.objects.filter(incident__lifted_at__isnull=True, incident__until__gt=now)
        .order_by("incident__until")
        .values_list(
            "domain",
            "incident_id",
            "incident__organisation",
            "incident__opened_at",
            "incident__until",
            "incident__streams",
        )
    )
    found: dict[str, DomainPause] = {}
    for domain, incident_id, organisation, since, until, streams in rows:
        if policy.stream_paused(stream, streams):
            found[domain] = DomainPause(
                "", domain, incident_id, organisation, since, until, tuple(streams)
            )
    return found


def domain_pauses_for(
    addresses: Iterable[str], stream: str | None = None, now: datetime | None = None
) -> dict[str, DomainPause]:
    """The pause of each normalized address whose domain is paused for ``stream``."""
    paused = paused_domains(stream, now)
    if not paused:
        return {}
    found = {}
    for address in addresses:
        pause = paused.get(address.rpartition("@")[2])
        if pause is not None:
            found[address] = DomainPause(address, *[getattr(pause, f) for f in _PAUSE_FIELDS])
    return found


_PAUSE_FIELDS = ("domain", "incident_id", "organisation", "since", "until", "streams")


def open_incidents() -> QuerySet[Incident]:
    """Open incidents, newest first, for the dashboard's reputation alarm and the console."""
    return (
        Incident.objects.filter(lifted_at__isnull=True)
        .order_by("-opened_at")
        .prefetch_related("domains")
    )


def incident_for_domain(domain: str, now: datetime | None = None) -> Incident | None:
    """The open incident pausing ``domain`` now, if any (the case page's "domain paused" line)."""
    now = now or timezone.now()
    return (
        Incident.objects.filter(
            lifted_at__isnull=True, until__gt=now, domains__domain=domain.lower()
        )
        .order_by("-until")
        .first()
    )
