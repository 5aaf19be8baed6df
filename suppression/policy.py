"""Pure rules of docs/design.md's policy: no ORM, no writes, unit-tested without a database.

The services gather the facts (under row locks), these functions decide, and the services act.
"""

from __future__ import annotations

import enum
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import exceptions as errors
from .conf import setting
from .taxonomy import BounceType, Reason, bounce_type_for, suppresses_address

__all__ = [
    "BounceAction",
    "BounceDecision",
    "GuardFacts",
    "GuardOutcome",
    "Limits",
    "bounce_type_for",
    "daily_limit_reached",
    "decide_on_bounce",
    "evaluate_guards",
    "guard_refusal",
    "limits",
    "owner_may_ask_to_resume",
    "probation_end",
    "soft_bounces_counted",
    "soft_counts_since_resume",
    "soft_horizon",
    "soft_in_window",
]


@dataclass(frozen=True, slots=True)
class Limits:
    soft_threshold: int = 3
    soft_window: timedelta = timedelta(days=14)
    probation: timedelta = timedelta(days=30)
    repeat_count: int = 3
    repeat_window: timedelta = timedelta(days=180)
    hard_after_reinstatement: timedelta = timedelta(days=30)


def limits() -> Limits:
    """The policy's numbers from the SUPPRESSION settings."""
    return Limits(
        soft_threshold=setting("SOFT_BOUNCE_THRESHOLD"),
        soft_window=timedelta(days=setting("SOFT_BOUNCE_WINDOW_DAYS")),
        probation=timedelta(days=setting("PROBATION_DAYS")),
        repeat_count=setting("REPEAT_REINSTATEMENT_COUNT"),
        repeat_window=timedelta(days=setting("REPEAT_REINSTATEMENT_WINDOW_DAYS")),
        hard_after_reinstatement=timedelta(days=setting("HARD_BOUNCE_AFTER_REINSTATEMENT_DAYS")),
    )


# --- Recording a bounce ---------------------------------------------------------------------


class BounceAction(enum.StrEnum):
    LINK = "link"  # a suppression is open: record the event against it, open nothing
    OPEN = "open"  # open a new suppression
    RECORD = "record"  # record only: below the soft threshold


@dataclass(frozen=True, slots=True)
class BounceDecision:
    action: BounceAction
    trigger: str = ""  # Suppression.Trigger value when action is OPEN
    is_repeat: bool = False
    why: str = ""


def decide_on_bounce(
    *,
    reason: Reason | str,
    bounce_type: BounceType,
    occurred_at: datetime,
    has_open_suppression: bool,
    probation_until: datetime | None,
    soft_in_window: int,
    lim: Limits,
) -> BounceDecision:
    """What a newly recorded bounce does to the address.

    ``soft_in_window`` is ``soft_bounces_counted`` over the address's soft bounces, this one
    included: the most of them, received since the last resume, that fall within one soft window
    whose newest happened within the window before now. It depends on the set of bounces, never
    on the order they arrived in. A reason that blames the platform (``sender_reputation``)
    records only, and ``soft_in_window`` never counts such bounces.
    """
    if has_open_suppression:
        return BounceDecision(BounceAction.LINK, why="a suppression is already open")
    if not suppresses_address(reason):
        return BounceDecision(
            BounceAction.RECORD, why="the platform was refused, not the address: never suppresses"
        )
    on_probation = probation_until is not None and occurred_at < probation_until
    if bounce_type == BounceType.HARD:
        if on_probation:
            return BounceDecision(
                BounceAction.OPEN,
                "probation_repeat",
                is_repeat=True,
                why="hard bounce while on probation",
            )
        return BounceDecision(BounceAction.OPEN, "hard_bounce", why="hard bounce")
    if bounce_type == BounceType.COMPLAINT:
        return BounceDecision(BounceAction.OPEN, "complaint", why="spam complaint")
    if soft_in_window >= lim.soft_threshold:
        return BounceDecision(
            BounceAction.OPEN,
            "soft_threshold",
            why=f"{soft_in_window} soft bounces within {lim.soft_window.days} days",
        )
    return BounceDecision(
        BounceAction.RECORD,
        why=f"{soft_in_window} of {lim.soft_threshold} soft bounces within "
        f"{lim.soft_window.days} days",
    )


def soft_counts_since_resume(received_at: datetime, resumed_at: datetime | None) -> bool:
    """Whether a soft bounce counts toward the threshold after the last resume.

    Those received before the resume were weighed by whoever resumed sending. What counts is when
    we learned of a bounce, not when it happened, so a bounce that happened just before a resume
    but arrives after it is never lost.
    """
    return resumed_at is None or received_at > resumed_at


def soft_horizon(now: datetime, lim: Limits) -> datetime:
    """Occurrence time (exclusive) before which a soft bounce can no longer count at ``now``.

    A counted group's newest bounce happened after ``now - window`` and the group spans less than
    a window, so none of its bounces happened at or before ``now - 2 * window``: the services read
    only the bounces after this.
    """
    return now - 2 * lim.soft_window


def soft_in_window(occurred: Iterable[datetime], *, now: datetime, lim: Limits) -> int:
    """The most of these soft bounces that happened within one window, its newest recent.

    A group counts when its occurrence times span less than ``lim.soft_window`` (any window, not
    only the one ending at the latest arrival) and its newest happened after ``now - window``: a
    replayed year-old batch suppresses nobody today. ``occurred`` is every counted bounce's
    ``occurred_at``, in any order.
    """
    times = sorted(occurred)
    best = 0
    # Each recent bounce as the newest of its group; the group reaches back less than a window.
    for newest in range(bisect_right(times, now - lim.soft_window), len(times)):
        first = bisect_right(times, times[newest] - lim.soft_window)
        best = max(best, newest - first + 1)
    return best


def soft_bounces_counted(
    bounces: Iterable[tuple[datetime, datetime]],
    *,
    resumed_at: datetime | None,
    now: datetime,
    lim: Limits,
) -> int:
    """The soft-bounce count ``decide_on_bounce`` compares with the threshold.

    ``bounces`` are the address's soft bounces as ``(occurred_at, received_at)``; ``resumed_at``
    is when sending was last resumed (None if never).
    """
    counted = (o for o, received in bounces if soft_counts_since_resume(received, resumed_at))
    return soft_in_window(counted, now=now, lim=lim)


def probation_end(resumed_at: datetime, lim: Limits) -> datetime:
    return resumed_at + lim.probation


# --- Guards on resuming sending ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DomainCheck:
    domain: str
    accepts_mail: bool
    detail: str
    # DNS gave no answer in time (or every server failed): "could not check", never "does not
    # exist". It blocks an agent; a lead may resume anyway with a written reason.
    undetermined: bool = False


@dataclass(frozen=True, slots=True)
class GuardFacts:
    """What the guards look at, read on the locked rows at decision time."""

    explanation: str
    episode_reasons: frozenset[str]
    domain_check: DomainCheck | None  # None when no domain_unknown bounce is in the episode
    reinstatements_in_window: int  # earlier resumes within the repeat window
    last_reinstated_at: datetime | None
    first_hard_bounce_after_reinstatement: datetime | None
    bounced_since_request: int  # events received after the request was submitted


@dataclass(frozen=True, slots=True)
class GuardOutcome:
    code: str
    label: str
    passed: bool
    needs_lead: bool  # a failing guard a lead may override with a written reason
    detail: str


GUARD_ERRORS: dict[str, type[errors.GuardFailed]] = {
    "explanation": errors.ExplanationRequired,
    "new_bounce": errors.NewBounceSinceRequest,
    "domain_resolves": errors.DomainDoesNotResolve,
    "complaint": errors.ComplaintNeedsLead,
    "repeat_reinstatement": errors.TooManyReinstatements,
    "hard_after_reinstatement": errors.HardBounceAfterReinstatement,
}


def evaluate_guards(facts: GuardFacts, lim: Limits) -> list[GuardOutcome]:
    """Every guard's outcome, in the order the console shows them."""
    outcomes = [
        GuardOutcome(
            "explanation",
            "The owner explained what was fixed",
            passed=bool(facts.explanation.strip()),
            needs_lead=False,
            detail="" if facts.explanation.strip() else "The request has no explanation.",
        ),
        GuardOutcome(
            "new_bounce",
            "No new bounce since the request was submitted",
            passed=facts.bounced_since_request == 0,
            needs_lead=False,
            detail=(
                ""
                if facts.bounced_since_request == 0
                else f"{facts.bounced_since_request} bounce(s) arrived after the request; "
                "ask the owner to check again and submit a new request."
            ),
        ),
    ]
    if facts.domain_check is not None:
        check = facts.domain_check
        outcomes.append(
            GuardOutcome(
                "domain_resolves",
                f"The domain {check.domain} accepts mail now",
                passed=check.accepts_mail,
                needs_lead=check.undetermined,
                detail=check.detail,
            )
        )
    complained = Reason.COMPLAINT in facts.episode_reasons
    outcomes.append(
        GuardOutcome(
            "complaint",
            "The recipient never reported our mail as spam",
            passed=not complained,
            needs_lead=True,
            detail="The recipient filed a spam complaint." if complained else "",
        )
    )
    this_one = facts.reinstatements_in_window + 1
    too_many = this_one >= lim.repeat_count
    outcomes.append(
        GuardOutcome(
            "repeat_reinstatement",
            f"Fewer than {lim.repeat_count} resumes within {lim.repeat_window.days} days",
            passed=not too_many,
            needs_lead=True,
            detail=(
                f"This would be resume number {this_one} within {lim.repeat_window.days} days."
                if too_many
                else ""
            ),
        )
    )
    hard_after = _hard_bounce_soon_after_resume(facts, lim)
    outcomes.append(
        GuardOutcome(
            "hard_after_reinstatement",
            f"No hard bounce within {lim.hard_after_reinstatement.days} days of the last resume",
            passed=not hard_after,
            needs_lead=True,
            detail=(
                f"It bounced hard on {facts.first_hard_bounce_after_reinstatement:%Y-%m-%d}, "
                f"within {lim.hard_after_reinstatement.days} days of being resumed on "
                f"{facts.last_reinstated_at:%Y-%m-%d}."
                if hard_after
                else ""
            ),
        )
    )
    return outcomes


def _hard_bounce_soon_after_resume(facts: GuardFacts, lim: Limits) -> bool:
    resumed, bounced = facts.last_reinstated_at, facts.first_hard_bounce_after_reinstatement
    return (
        resumed is not None
        and bounced is not None
        and resumed <= bounced <= resumed + lim.hard_after_reinstatement
    )


def guard_refusal(
    outcomes: list[GuardOutcome], *, is_lead: bool, override_reason: str | None
) -> errors.SuppressionError | None:
    """The error that refuses the decision, or None when it may go ahead.

    A failing guard that no one may override refuses outright. Guards that need a lead refuse
    unless a lead gives a written reason; an override offered by anyone else is refused too.
    """
    failing = [o for o in outcomes if not o.passed]
    for outcome in failing:
        if not outcome.needs_lead:
            return GUARD_ERRORS[outcome.code](outcome.detail, outcomes)
    override = (override_reason or "").strip()
    if override and not is_lead:
        return errors.OverrideNotAllowed()
    lead_guards = [o for o in failing if o.needs_lead]
    if not lead_guards:
        return None
    if not is_lead:
        first = lead_guards[0]
        return GUARD_ERRORS[first.code](
            f"{first.detail} Only a support lead can resume sending, with a written reason.",
            outcomes,
        )
    if not override:
        return errors.OverrideReasonRequired(
            "Write why you resume sending although: " + "; ".join(o.detail for o in lead_guards)
        )
    return None


# --- What an owner may ask for -----------------------------------------------------------------


def owner_may_ask_to_resume(*, reason: str, bounce_type: str) -> bool:
    """Whether support resumes sending on an owner's request for this episode.

    A spam complaint is the recipient's own word that they do not want the mail: an owner's
    request cannot undo it (only the recipient, through support, can), so the portal explains that
    instead of offering the form.
    """
    return reason != Reason.COMPLAINT and bounce_type != BounceType.COMPLAINT


def daily_limit_reached(*, today: int, limit: int) -> bool:
    """An owner who filed ``today`` requests and questions may file no more above ``limit``."""
    return today >= limit


# --- Incidents and waves ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IncidentLimits:
    threshold: int
    window: timedelta
    pause: timedelta
    pause_max: timedelta
    repeat_window: timedelta
    streams: tuple[str, ...]


def incident_limits() -> IncidentLimits:
    return IncidentLimits(
        threshold=setting("INCIDENT_THRESHOLD"),
        window=timedelta(minutes=setting("INCIDENT_WINDOW_MINUTES")),
        pause=timedelta(minutes=setting("INCIDENT_PAUSE_MINUTES")),
        pause_max=timedelta(minutes=setting("INCIDENT_PAUSE_MAX_MINUTES")),
        repeat_window=timedelta(days=setting("INCIDENT_REPEAT_DAYS")),
        streams=tuple(setting("INCIDENT_STREAMS")),
    )


def incident_pause(repeat: int, lim: IncidentLimits) -> timedelta:
    """The back-off: the base pause, doubled for each earlier incident in the repeat window."""
    if repeat >= 32:  # 2**32 base pauses is past any maximum; avoid a huge timedelta
        return lim.pause_max
    return min(lim.pause * (2**repeat), lim.pause_max)


def stream_paused(stream: str | None, streams: Iterable[str]) -> bool:
    """Whether a pause over ``streams`` stops a message of ``stream``.

    A caller that names no stream is told about every pause: it cannot be a system message the
    pause would let through unless it says so.
    """
    return not stream or stream in streams


def wave_left_out_why(facts: GuardFacts, lim: Limits) -> str:
    """Why a resume batch must leave this address out, or "" to resume it.

    The guards a request faces, minus the owner's explanation (the batch's note stands for it):
    any guard a lead must override with a reason of its own for this address, and a
    ``domain_unknown`` episode, whose domain check belongs to a request of its own.
    """
    if Reason.DOMAIN_UNKNOWN in facts.episode_reasons:
        return "non-existent domain: resume it through a request, which checks the domain"
    for outcome in evaluate_guards(facts, lim):
        if outcome.passed:
            continue
        if outcome.code == "new_bounce":
            return "bounced again since the batch was created"
        if outcome.needs_lead:
            return f"needs a lead's own reason: {outcome.detail or outcome.label}"[:200]
        return f"{outcome.label}: {outcome.detail}"[:200]
    return ""
