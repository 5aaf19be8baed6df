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
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any, cast

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from . import policy
from .addresses import SPECIAL_USE_DOMAIN_NAMES, fast_normalize, normalize_email
from .exceptions import InvalidEmailAddress
from .models import Incident, PausedDomain, Suppression
from .timing import Phases


def is_suppressed(email: str) -> bool:
    """Whether sending to ``email`` is paused. Raises ``InvalidEmailAddress`` on bad input."""
    address = normalize_email(email).address
    return Suppression.objects.filter(address__address=address, lifted_at__isnull=True).exists()


def suppressed_among(emails: Iterable[str]) -> tuple[dict[str, OpenSuppression], dict[str, str]]:
    """Which of ``emails`` are suppressed, in one query, keyed by the address as given.

    Returns (suppressed, invalid): invalid inputs map to why they are not addresses.
    """
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
    return suppressed, invalid


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


def db_time(value: datetime | str | None) -> datetime | None:
    """A time read through a raw cursor, as an aware datetime (SQLite gives text or naive UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


# The single check in one statement: the address's open suppression (at most one, the database
# enforces it) and the pauses of its domain, instead of one query for each. A pause row carries
# the incident's fields; the first column tells the two kinds apart. Pauses come in the order of
# their until, so that, as in paused_domains, the one that lasts longest is the answer.
_STATUS_SQL = """
SELECT 0, s.reason, s.bounce_type, s.opened_at, NULL, NULL, NULL, NULL
FROM suppression_emailaddress a
JOIN suppression_suppression s ON s.address_id = a.id AND s.lifted_at IS NULL
WHERE a.address = %s
UNION ALL
SELECT 1, i.organisation, NULL, i.opened_at, i.until, i.streams, i.id, d.domain
FROM suppression_pauseddomain d
JOIN suppression_incident i ON i.id = d.incident_id
WHERE d.domain = %s AND i.lifted_at IS NULL AND i.until > %s
ORDER BY 1, 5
"""


def address_status(
    address: str, stream: str | None = None, now: datetime | None = None
) -> OpenSuppression | DomainPause | None:
    """Why sending to the normalized ``address`` is paused now, in one query, or None.

    Its own open suppression wins over a pause of its domain (what ``open_suppressions`` and then
    ``domain_pauses_for`` answer, in one round trip instead of two).
    """
    now = now or timezone.now()
    domain = address.rpartition("@")[2]
    with connection.cursor() as cursor:
        cursor.execute(
            _STATUS_SQL, [address, domain, connection.ops.adapt_datetimefield_value(now)]
        )
        rows = cursor.fetchall()
    found: DomainPause | None = None
    for kind, reason, bounce_type, since, until, streams, incident_id, paused in rows:
        if kind == 0:
            return OpenSuppression(address, reason, bounce_type, cast(datetime, db_time(since)))
        if isinstance(streams, str):  # JSON arrives as text (Django's loader; SQLite)
            streams = json.loads(streams)
        if policy.stream_paused(stream, streams):
            found = DomainPause(
                address,
                paused,
                incident_id,
                reason,
                cast(datetime, db_time(since)),
                cast(datetime, db_time(until)),
                tuple(streams),
            )
    return found


# --- The bulk check (POST /api/v1/suppressions/check) -------------------------------------------
#
# Built for 100,000 addresses a call: the inputs are normalized in bulk (one regular-expression
# pass over all of them, instead of one call per address), travel to PostgreSQL as one text
# parameter, and come back as plain tuples whose time is already the text the API sends. The
# answer is built as dictionaries ready for the JSON encoder: no model or dataclass per row.

# A line of the joined inputs that _PLAIN matches whole and that does not end in a special-use
# domain name (which fast_normalize refuses). The same language as _PLAIN (addresses.py), written
# for speed over 100,000 lines: possessive runs where _PLAIN's backtracking can never find another
# way (an atext run holds no dot and no @; a label's letters, digits and hyphens run to its dot,
# and a lookbehind refuses a label that ends in a hyphen, as _PLAIN's last [A-Za-z0-9] does), and
# the special-use endings refused by lookbehinds at the end of the line instead of a second pass.
# tests/api/test_fast_normalize.py holds normalize_many to fast_normalize line by line.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_NOT_SPECIAL_USE = "".join(
    rf"(?<!\.{re.escape(name)})" for name in sorted(SPECIAL_USE_DOMAIN_NAMES)
)
_PLAIN_LINES = re.compile(
    rf"^{_ATEXT}++(?:\.{_ATEXT}++)*+"
    r"@(?:[A-Za-z0-9][A-Za-z0-9-]{0,62}+(?<!-)\.)++[A-Za-z]{2,63}+"
    rf"(?i:{_NOT_SPECIAL_USE})$",
    re.MULTILINE,
)
# A line _PLAIN matches that is at most this long has a local part of at most 64 characters (its
# domain is at least "a.bc") and is well under 254: only longer lines need fast_normalize's counts.
_SURELY_SHORT = 69


def normalize_many(emails: list[str]) -> list[str | None]:
    """``[fast_normalize(e) for e in emails]``, in bulk: 3-4 times cheaper at 100,000 inputs.

    One regular-expression pass over the newline-joined inputs finds the lines ``_PLAIN`` matches
    whole (special-use domains left out), and a length check and a substring search find the
    lines among them that ``fast_normalize`` would still refuse (too long, an IDNA-reserved
    label). Those, and every other line, go through ``fast_normalize`` itself; every line left is
    plain ASCII, so its normalized form is simply its lower case.
    ``tests/api/test_fast_normalize.py`` checks with hypothesis that the two never disagree.
    """
    count = len(emails)
    if not count:
        return []
    joined = "\n".join(emails)
    if joined.count("\n") != count - 1:  # an input with a newline: lines would not line up
        return [fast_normalize(value) for value in emails]
    normalized: list[str | None] = list(joined.lower().split("\n"))
    exact: set[int] = set()
    leftover = _PLAIN_LINES.sub("", joined)  # matched lines become empty
    if len(leftover) != count - 1 or not all(emails):
        exact.update(i for i, rest in enumerate(leftover.split("\n")) if rest or not emails[i])
    if max(map(len, emails)) > _SURELY_SHORT:
        exact.update(i for i, value in enumerate(emails) if len(value) > _SURELY_SHORT)
    if "--" in joined:
        hits = [found.start() for found in re.finditer("--", joined)]
        starts = list(accumulate((len(value) + 1 for value in emails), initial=0))
        exact.update(bisect_right(starts, at) - 1 for at in hits)
    for i in exact:
        normalized[i] = fast_normalize(emails[i])
    return normalized


# The bulk probe. The addresses travel as one newline-joined text parameter (normalized addresses
# never contain a newline), far cheaper to send than a 100,000-element array, and each row comes
# back with its line number, which names its address. The LATERAL ...
# LIMIT 1 makes PostgreSQL probe the address index once per input: seeing the whole list, the
# planner would otherwise hash-join against a sequential scan of every address, 5-10 times slower
# at a million rows. The time comes back as the text the API sends (DjangoJSONEncoder's form:
# UTC, milliseconds unless the time is on a whole second, "Z"), so Python never builds a datetime;
# the address is not sent back (it is the line that matched).
_JSON_TIME_SQL = """to_char({column} AT TIME ZONE 'UTC',
    CASE WHEN date_trunc('second', {column}) = {column} THEN 'YYYY-MM-DD"T"HH24:MI:SS"Z"'
         ELSE 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"' END)"""
_CHECK_SQL = f"""
SELECT w.i, s.reason, s.bounce_type, {_JSON_TIME_SQL.format(column="s.opened_at")}
FROM unnest(string_to_array(%s, E'\\n')) WITH ORDINALITY AS w(address, i)
CROSS JOIN LATERAL (
    SELECT id FROM suppression_emailaddress WHERE address = w.address LIMIT 1
) a
JOIN suppression_suppression s ON s.address_id = a.id AND s.lifted_at IS NULL
WHERE w.address <> ''
"""
_CHECK_SQL_SQLITE = """
SELECT w.key, s.reason, s.bounce_type, s.opened_at
FROM json_each(%s) AS w
JOIN suppression_emailaddress a ON a.address = w.value
JOIN suppression_suppression s ON s.address_id = a.id AND s.lifted_at IS NULL
WHERE w.value <> ''
"""


# The changes feed, a keyset page; times as the text the API sends, like _CHECK_SQL.
_CHANGES_SQL = f"""
SELECT c.id, c.kind, {_JSON_TIME_SQL.format(column="c.at")}, a.address, s.reason, s.bounce_type,
       c.domain, c.incident_id, {_JSON_TIME_SQL.format(column="i.until")}, i.streams
FROM suppression_suppressionchange c
LEFT JOIN suppression_emailaddress a ON a.id = c.address_id
LEFT JOIN suppression_suppression s ON s.id = c.suppression_id
LEFT JOIN suppression_incident i ON i.id = c.incident_id
WHERE c.id > %s ORDER BY c.id LIMIT %s
"""


def changes_after(cursor: int, limit: int) -> list[tuple[Any, ...]]:
    """Up to ``limit`` changes after ``cursor``, oldest first, in one keyset query: (id, kind, at,
    address, reason, type, domain, incident id, until, streams), times as JSON text. Address rows
    have no incident; domain rows (an incident's pause or lift) have no address."""
    with connection.cursor() as db:
        if connection.vendor == "postgresql":
            db.execute(_CHANGES_SQL, [cursor, limit])
            return db.fetchall()
        sql = _CHANGES_SQL
        for column in ("c.at", "i.until"):
            sql = sql.replace(_JSON_TIME_SQL.format(column=column), column)
        db.execute(sql, [cursor, limit])
        return [
            (
                pk,
                kind,
                json_time(at),
                *rest,
                until and json_time(until),
                json.loads(streams) if isinstance(streams, str) else streams,
            )
            for pk, kind, at, *rest, until, streams in db.fetchall()
        ]


def json_time(value: datetime | str) -> str:
    """A stored time as the API writes it (what ninja's encoder makes of a datetime)."""
    if isinstance(value, str):  # SQLite can hand back text through a raw cursor
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # SQLite stores UTC without an offset
        value = value.replace(tzinfo=UTC)
    return str(DjangoJSONEncoder().default(value.astimezone(UTC)))


@dataclass(slots=True)
class CheckResult:
    """The bulk check's answer, ready for the JSON encoder.

    ``suppressed`` maps an input as given to its answer: ``address`` (normalized), ``reason``,
    ``type`` and ``since`` (already text). Answers that do not come from the address's own
    suppression (an overlay such as a paused domain) are added here before encoding; ``valid``
    gives them every input with its normalized address.
    """

    emails: list[str]  # the inputs as given
    normalized: list[str]  # the same positions: the normalized address, "" for an invalid input
    suppressed: dict[str, dict[str, Any]]
    invalid: dict[str, str]  # the input as given → why it is not an address

    @property
    def checked(self) -> int:
        return len(self.emails)

    def valid(self) -> Iterator[tuple[str, str]]:
        """(input as given, normalized address) of every input that is an address."""
        pairs = zip(self.emails, self.normalized, strict=True)
        return ((given, address) for given, address in pairs if address)


def check_many(
    emails: list[str], stream: str | None = None, phases: Phases | None = None
) -> CheckResult:
    """Which of ``emails`` may not be mailed, keyed by the address as given, in one query.

    ``phases`` (optional) records where the time went: normalize, sort, database, answer, pauses.
    """
    phases = phases or Phases()
    fast = normalize_many(emails)
    invalid: dict[str, str] = {}
    if None in fast:
        for i, address in enumerate(fast):
            if address is None:
                exact, why = normalized_or_why(emails[i])  # email-validator's own answer
                if exact is None:
                    invalid[emails[i]] = why
                fast[i] = exact or ""
    normalized = cast(list[str], fast)
    phases.done("normalize")
    # Each suppressed normalized address → its row (line or index, reason, type, since).
    found: dict[str, tuple[Any, ...]] = {}
    if len(invalid) < len(emails):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                found = _probe_sorted(cursor, normalized, phases)
            else:
                cursor.execute(_CHECK_SQL_SQLITE, [json.dumps(normalized)])
                for at, reason, kind, since in cursor.fetchall():
                    found[normalized[at]] = (at, reason, kind, json_time(since))
                phases.done("database")
    # Walking the inputs gives the answer in their order, each duplicate its own key.
    suppressed: dict[str, dict[str, Any]] = {}
    get = found.get
    for at, address in enumerate(normalized):
        row = get(address)
        if row is not None:
            suppressed[emails[at]] = {
                "address": address,
                "reason": row[1],
                "type": row[2],
                "since": row[3],
            }
    result = CheckResult(
        emails=emails, normalized=normalized, suppressed=suppressed, invalid=invalid
    )
    phases.done("answer")
    add_domain_pauses(result, stream)
    phases.done("pauses")
    return result


def _probe_sorted(cursor: Any, normalized: list[str], phases: Phases) -> dict[str, tuple[Any, ...]]:
    """The rows of _CHECK_SQL for ``normalized``, by normalized address.

    Each address is probed once, in index order: PostgreSQL then walks the address index and the
    suppressions' pages mostly forwards instead of jumping about (at 100,000 / 50% suppressed,
    357 ms sorted against 459 ms in input order for the statement alone, 1M addresses with the
    covering indexes). The database's collation is byte order (C.UTF-8, the order Python sorts
    str in); under another one the sort would only help less. A row's line names its address in
    the sorted list; check_many then walks the inputs, so the answer keeps their order, byte for
    byte as the check in input order wrote it.

    JIT is off for this statement only, in the same round trip: with 100,000 probes the planner's
    cost is far over jit_above_cost, and compiling costs ~100 ms for nothing an index probe needs.
    RESET puts back the session's own value (a failed statement rolls the SET back with its
    transaction); the SELECT's rows are the second of the three results.
    """
    unique = sorted(set(normalized))
    if unique and not unique[0]:
        del unique[0]  # the invalid inputs' empty lines
    probes = "\n".join(unique)
    phases.done("sort")
    cursor.execute(f"SET jit = off; {_CHECK_SQL}; RESET jit", [probes])
    cursor.cursor.nextset()
    fetched = cursor.fetchall()
    phases.done("database")
    return {unique[row[0] - 1]: row for row in fetched}


def add_domain_pauses(result: CheckResult, stream: str | None = None) -> None:
    """Answer the inputs at a domain an open incident pauses for ``stream`` (one small query).

    An address's own suppression says more, so it is kept where there is one.
    """
    paused = paused_domains(stream)
    if not paused:
        return
    for given, address in result.valid():
        if given in result.suppressed:
            continue
        pause = paused.get(address.rpartition("@")[2])
        if pause is not None:
            result.suppressed[given] = pause_answer(address, pause)


def pause_answer(address: str, pause: DomainPause) -> dict[str, Any]:
    """What the gate says of an address at a paused domain: which incident, and until when."""
    return {
        "address": address,
        "reason": DOMAIN_PAUSED,
        "type": None,
        "since": json_time(pause.since),
        "incident": pause.incident_id,
        "domain": pause.domain,
        "until": json_time(pause.until),
        "streams": list(pause.streams),
    }


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """A way in, as the liveness page and the dashboard show it."""

    source: str
    label: str
    last_delivered_at: datetime | None
    silent: bool  # delivered before, and not for longer than LIVENESS_SILENCE_MINUTES
    alarmed_at: datetime | None


def source_liveness(*, now: datetime | None = None) -> list[SourceStatus]:
    """Every way in, silent ones first, then the longest quiet; never-seen ones last."""
    from django.utils import timezone

    from .models import LivenessSource, SourceLiveness
    from .services.liveness import silence_limit

    now = now or timezone.now()
    rows = {row.source: row for row in SourceLiveness.objects.all()}
    limit = silence_limit()
    statuses = []
    for source in LivenessSource:
        row = rows.get(source.value)
        statuses.append(
            SourceStatus(
                source=source.value,
                label=source.label,
                last_delivered_at=row.last_delivered_at if row else None,
                silent=row is not None and now - row.last_delivered_at > limit,
                alarmed_at=row.alarmed_at if row else None,
            )
        )
    far_past = datetime.min.replace(tzinfo=UTC)
    return sorted(
        statuses,
        key=lambda s: (not s.silent, s.last_delivered_at is None, s.last_delivered_at or far_past),
    )


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
