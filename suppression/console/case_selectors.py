"""Reads for the support console's case page and its search: what the templates show.

Each returns everything its page draws in a fixed number of queries, whatever the page size or
the number of events on the address (pinned by tests/console/test_case_page.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from ..addresses import normalize_email
from ..conf import setting
from ..dns import check_domain_for_page
from ..exceptions import InvalidEmailAddress
from ..models import (
    BounceEvent,
    EmailAddress,
    ReasonChoices,
    ReinstatementRequest,
    RequestStatus,
    Suppression,
    SuppressionTrigger,
)
from ..policy import GuardOutcome
from ..services.requests import guard_outcomes
from .selectors import decode_cursor, encode_cursor, older_than

FIND_LIMIT = 50
SUBSTRING_MIN = 3
HISTORY_ROWS = 50


# --- Paused or on, in words ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SendingState:
    paused: bool
    words: str  # "Paused since 2026-11-20 14:05 UTC, because: Mailbox full (repeated soft bounces)"

    @property
    def label(self) -> str:
        return "paused" if self.paused else "on"


def _when(at: datetime) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M %Z}"


def sending_state(
    *,
    opened_at: datetime | None,
    reason: str | None,
    trigger: str | None,
    probation_until: datetime | None,
    now: datetime | None = None,
) -> SendingState:
    if opened_at is not None:
        why = dict(ReasonChoices.choices).get(reason or "", reason or "unknown")
        how = SuppressionTrigger(trigger).label.lower() if trigger else ""
        because = f"{why} ({how})" if how and how != why.lower() else why
        return SendingState(True, f"Paused since {_when(opened_at)}, because: {because}.")
    if probation_until is not None and probation_until > (now or timezone.now()):
        return SendingState(
            False,
            f"On, on probation until {_when(probation_until)}: a hard bounce before then "
            "pauses it again at once.",
        )
    return SendingState(False, "On: nothing stops sending to this address.")


def with_sending_state(queryset: QuerySet[EmailAddress]) -> QuerySet[EmailAddress]:
    """Annotate each address with its open episode (one index probe per row shown)."""
    open_episode = Suppression.objects.filter(address=OuterRef("pk"), lifted_at__isnull=True)
    return queryset.annotate(
        open_since=Subquery(open_episode.values("opened_at")[:1]),
        open_reason=Subquery(open_episode.values("reason")[:1]),
        open_trigger=Subquery(open_episode.values("trigger")[:1]),
    )


def state_of(address: Any) -> SendingState:
    """The state of an address annotated by ``with_sending_state``."""
    return sending_state(
        opened_at=address.open_since,
        reason=address.open_reason,
        trigger=address.open_trigger,
        probation_until=address.probation_until,
    )


# --- Find ---------------------------------------------------------------------------------------


@dataclass
class FindResult:
    term: str
    how: str  # "address", "domain", "part" or "" (nothing searched)
    rows: list[tuple[EmailAddress, SendingState]] = field(default_factory=list)
    more: bool = False  # more than FIND_LIMIT matched
    problem: str = ""


_DOMAIN = re.compile(r"^[^\s@]+\.[^\s@.]+$")


def address_find(term: str, *, limit: int = FIND_LIMIT) -> FindResult:
    """Addresses matching ``term``: an address exactly, a domain exactly, else a part of one.

    Exact and domain matches use the unique and domain indexes; a part uses the trigram index
    on PostgreSQL (``LIKE '%part%'``) and a plain LIKE on SQLite. At most ``limit`` rows.
    """
    term = term.strip()
    result = FindResult(term=term, how="")
    if not term:
        return result
    base = with_sending_state(EmailAddress.objects.all())
    found: list[EmailAddress] = []
    if "@" in term and not term.startswith("@") and not term.endswith("@"):
        try:
            exact = normalize_email(term).address
        except InvalidEmailAddress:
            exact = ""
        if exact:
            result.how = "address"
            found = list(base.filter(address=exact)[:1])
    if not found and _DOMAIN.match(term.lstrip("@")):
        try:
            domain = term.lstrip("@").rstrip(".").encode("idna").decode("ascii").lower()
        except UnicodeError:
            domain = ""
        if domain:
            found = list(base.filter(domain=domain).order_by("address")[: limit + 1])
            if found:
                result.how = "domain"
    if not found:
        part = term.lower()
        if len(part) < SUBSTRING_MIN:
            result.problem = f"Type at least {SUBSTRING_MIN} characters to search by a part."
            return result
        result.how = "part"
        # Addresses are stored lowercased, so a case-sensitive LIKE finds every spelling and
        # PostgreSQL's trigram index can answer it.
        found = list(base.filter(address__contains=part).order_by("address")[: limit + 1])
    result.more = len(found) > limit
    result.rows = [(address, state_of(address)) for address in found[:limit]]
    return result


# --- The case page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelinePage:
    events: list[BounceEvent]
    older_cursor: str  # "" on the last page
    is_first: bool


@dataclass
class PendingPanel:
    request: ReinstatementRequest
    outcomes: list[GuardOutcome]

    @property
    def failing(self) -> list[GuardOutcome]:
        return [o for o in self.outcomes if not o.passed]

    @property
    def blocks_everyone(self) -> bool:
        return any(not o.needs_lead for o in self.failing)

    @property
    def needs_lead(self) -> bool:
        return bool(self.failing) and not self.blocks_everyone

    @property
    def fingerprint(self) -> str:
        return guards_fingerprint(self.outcomes)


@dataclass
class HistoryRow:
    at: datetime
    what: str  # "address", "suppression #3", "request #7"
    change: str  # "created", "changed"
    who: str
    why: str


@dataclass
class Case:
    address: EmailAddress
    state: SendingState
    open_suppression: Suppression | None
    episodes: list[Suppression]
    requests: list[ReinstatementRequest]
    pending: list[PendingPanel]
    timeline: TimelinePage
    history: list[HistoryRow]
    event_count_shown: int = 0

    @property
    def previous_reinstatements(self) -> list[Suppression]:
        return [e for e in self.episodes if e.lifted_at is not None]


def guards_fingerprint(outcomes: list[GuardOutcome]) -> str:
    """What the guards said, compact, for a form to carry back: "explanation:1,new_bounce:0"."""
    return ",".join(f"{o.code}:{int(o.passed)}" for o in outcomes)


def guards_changed(seen: str, outcomes: list[GuardOutcome]) -> list[str]:
    """Sentences saying which guards changed since the page that posted ``seen`` was drawn."""
    before = dict(item.split(":", 1) for item in seen.split(",") if ":" in item)
    changed = []
    for outcome in outcomes:
        was = before.get(outcome.code)
        now = str(int(outcome.passed))
        if was is None or was == now:
            continue
        if outcome.passed:
            changed.append(f"“{outcome.label}” now passes.")
        else:
            changed.append(f"“{outcome.label}” now fails: {outcome.detail}")
    return changed


def timeline_page(
    address: EmailAddress, *, before: str = "", size: int | None = None
) -> TimelinePage:
    """One page of the address's events, newest first, by keyset (never an offset)."""
    size = size or setting("CASE_TIMELINE_PAGE_SIZE")
    events = (
        BounceEvent.objects.filter(address=address)
        .select_related("school", "raw_link")
        .order_by("-occurred_at", "-pk")
    )
    cursor = decode_cursor(before) if before else None
    events = events.filter(older_than(cursor, "occurred_at"))
    rows = list(events[: size + 1])
    last = rows[size - 1] if len(rows) > size else None
    older = encode_cursor(last.occurred_at, last.pk) if last else ""
    return TimelinePage(events=rows[:size], older_cursor=older, is_first=cursor is None)


def _history(address: EmailAddress) -> list[HistoryRow]:
    kinds = {"+": "created", "~": "changed", "-": "deleted"}
    rows = chain(
        (
            ("address", h)
            for h in address.history.select_related("history_user").order_by("-history_date")[
                :HISTORY_ROWS
            ]
        ),
        (
            (f"suppression #{h.id}", h)
            for h in Suppression.history.filter(address_id=address.pk)
            .select_related("history_user")
            .order_by("-history_date")[:HISTORY_ROWS]
        ),
        (
            (f"request #{h.id}", h)
            for h in ReinstatementRequest.history.filter(address_id=address.pk)
            .select_related("history_user")
            .order_by("-history_date")[:HISTORY_ROWS]
        ),
    )
    history = [
        HistoryRow(
            at=h.history_date,
            what=what,
            change=kinds.get(h.history_type, h.history_type),
            who=h.history_user.get_username() if h.history_user else "the system",
            why=h.history_change_reason or "",
        )
        for what, h in rows
    ]
    history.sort(key=lambda row: row.at, reverse=True)
    return history[:HISTORY_ROWS]


def case_view(address: EmailAddress, *, before: str = "", size: int | None = None) -> Case:
    """Everything the case page shows about one address."""
    episodes = list(
        Suppression.objects.filter(address=address)
        .select_related("opened_by", "lifted_by")
        .order_by("-opened_at")
    )
    open_suppression = next((e for e in episodes if e.lifted_at is None), None)
    requests = list(
        ReinstatementRequest.objects.filter(address=address)
        .select_related("school", "requested_by", "decided_by", "address")
        .order_by("-created_at")
    )
    pending = [
        PendingPanel(
            request=r,
            outcomes=guard_outcomes(request=r, domain_checker=check_domain_for_page),
        )
        for r in requests
        if r.status == RequestStatus.PENDING
    ]
    state = sending_state(
        opened_at=open_suppression.opened_at if open_suppression else None,
        reason=open_suppression.reason if open_suppression else None,
        trigger=open_suppression.trigger if open_suppression else None,
        probation_until=address.probation_until,
    )
    return Case(
        address=address,
        state=state,
        open_suppression=open_suppression,
        episodes=episodes,
        requests=requests,
        pending=pending,
        timeline=timeline_page(address, before=before, size=size),
        history=_history(address),
    )
