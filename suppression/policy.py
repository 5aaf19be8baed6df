"""Pure rules of docs/design.md's policy: no ORM, no writes, unit-tested without a database.

The services gather the facts (under row locks), these functions decide, and the services act.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import exceptions as errors
from .conf import setting
from .taxonomy import BounceType, Reason, bounce_type_for

__all__ = [
    "BounceAction",
    "BounceDecision",
    "GuardFacts",
    "GuardOutcome",
    "Limits",
    "bounce_type_for",
    "decide_on_bounce",
    "evaluate_guards",
    "guard_refusal",
    "limits",
    "probation_end",
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
    bounce_type: BounceType,
    occurred_at: datetime,
    has_open_suppression: bool,
    probation_until: datetime | None,
    soft_in_window: int,
    lim: Limits,
) -> BounceDecision:
    """What a newly recorded bounce does to the address.

    ``soft_in_window`` counts the soft bounces that occurred in the window ending at
    ``occurred_at``, this one included, and were received after sending was last resumed: those
    received before were weighed by whoever resumed it. What counts is when we learned of a
    bounce, not when it happened, so a bounce that happened just before a resume but arrives
    after it is never lost.
    """
    if has_open_suppression:
        return BounceDecision(BounceAction.LINK, why="a suppression is already open")
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


def soft_window_start(occurred_at: datetime, lim: Limits) -> datetime:
    """Earliest occurrence time (exclusive) of a soft bounce that still counts."""
    return occurred_at - lim.soft_window


def probation_end(resumed_at: datetime, lim: Limits) -> datetime:
    return resumed_at + lim.probation


# --- Guards on resuming sending ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DomainCheck:
    domain: str
    accepts_mail: bool
    detail: str


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
                needs_lead=False,
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
