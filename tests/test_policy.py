"""Pure policy rules, no database."""

from datetime import UTC, datetime, timedelta

import pytest

from suppression import exceptions as errors
from suppression.policy import (
    BounceAction,
    DomainCheck,
    GuardFacts,
    Limits,
    decide_on_bounce,
    evaluate_guards,
    guard_refusal,
    soft_window_start,
)
from suppression.taxonomy import BounceType, Reason, bounce_type_for

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LIM = Limits()


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        (Reason.MAILBOX_UNKNOWN, BounceType.HARD),
        (Reason.DOMAIN_UNKNOWN, BounceType.HARD),
        (Reason.SENDER_BLOCKED, BounceType.HARD),
        (Reason.REJECTED, BounceType.HARD),
        (Reason.MAILBOX_FULL, BounceType.SOFT),
        (Reason.SERVER_UNAVAILABLE, BounceType.SOFT),
        (Reason.MESSAGE_TOO_LARGE, BounceType.SOFT),
        (Reason.SPAM_FILTERED, BounceType.SOFT),
        (Reason.DNS_ERROR, BounceType.SOFT),
        (Reason.COMPLAINT, BounceType.COMPLAINT),
    ],
)
def test_every_reason_has_its_type(reason: Reason, expected: BounceType) -> None:
    # The status class never overrides a reason that fixes the type.
    assert bounce_type_for(reason, "5.0.0") == expected
    assert bounce_type_for(reason, "4.0.0") == expected


@pytest.mark.parametrize(
    ("status", "smtp", "expected"),
    [
        ("5.0.0", "", BounceType.HARD),
        ("4.0.0", "", BounceType.SOFT),
        ("", "550", BounceType.HARD),
        ("", "451", BounceType.SOFT),
        ("", "", BounceType.SOFT),
        ("4.9.9", "550", BounceType.SOFT),  # the enhanced status is the more precise evidence
    ],
)
def test_unknown_takes_its_type_from_the_status_class(status: str, smtp: str, expected) -> None:
    assert bounce_type_for(Reason.UNKNOWN, status, smtp) == expected


def _soft(count: int, **kwargs):
    return decide_on_bounce(
        bounce_type=BounceType.SOFT,
        occurred_at=NOW,
        has_open_suppression=False,
        probation_until=None,
        soft_in_window=count,
        lim=LIM,
        **kwargs,
    )


def test_two_soft_bounces_in_the_window_do_not_suppress() -> None:
    assert _soft(2).action == BounceAction.RECORD


def test_the_third_soft_bounce_in_the_window_suppresses() -> None:
    decision = _soft(3)
    assert decision.action == BounceAction.OPEN
    assert decision.trigger == "soft_threshold"


def test_a_threshold_of_one_makes_any_bounce_stop_sending() -> None:
    decision = decide_on_bounce(
        bounce_type=BounceType.SOFT,
        occurred_at=NOW,
        has_open_suppression=False,
        probation_until=None,
        soft_in_window=1,
        lim=Limits(soft_threshold=1),
    )
    assert decision.action == BounceAction.OPEN


def test_soft_window_is_fourteen_days_back_from_the_bounce() -> None:
    start = soft_window_start(NOW, LIM)
    assert start == NOW - timedelta(days=14)
    # Three soft bounces spread over 15 days: the first one is outside the window.
    first, third = NOW - timedelta(days=15), NOW
    assert first <= soft_window_start(third, LIM)


@pytest.mark.parametrize(
    ("bounce_type", "trigger"),
    [(BounceType.HARD, "hard_bounce"), (BounceType.COMPLAINT, "complaint")],
)
def test_hard_bounce_and_complaint_suppress_at_once(bounce_type, trigger) -> None:
    decision = decide_on_bounce(
        bounce_type=bounce_type,
        occurred_at=NOW,
        has_open_suppression=False,
        probation_until=None,
        soft_in_window=0,
        lim=LIM,
    )
    assert (decision.action, decision.trigger, decision.is_repeat) == (
        BounceAction.OPEN,
        trigger,
        False,
    )


def test_bounce_during_open_suppression_only_links() -> None:
    decision = decide_on_bounce(
        bounce_type=BounceType.HARD,
        occurred_at=NOW,
        has_open_suppression=True,
        probation_until=None,
        soft_in_window=0,
        lim=LIM,
    )
    assert decision.action == BounceAction.LINK


def test_hard_bounce_on_probation_resuppresses_as_a_repeat() -> None:
    decision = decide_on_bounce(
        bounce_type=BounceType.HARD,
        occurred_at=NOW,
        has_open_suppression=False,
        probation_until=NOW + timedelta(days=1),
        soft_in_window=0,
        lim=LIM,
    )
    assert (decision.action, decision.trigger, decision.is_repeat) == (
        BounceAction.OPEN,
        "probation_repeat",
        True,
    )


def test_hard_bounce_after_probation_is_not_a_repeat() -> None:
    decision = decide_on_bounce(
        bounce_type=BounceType.HARD,
        occurred_at=NOW,
        has_open_suppression=False,
        probation_until=NOW - timedelta(seconds=1),
        soft_in_window=0,
        lim=LIM,
    )
    assert decision.trigger == "hard_bounce"
    assert not decision.is_repeat


# --- guards ----------------------------------------------------------------------------------


def facts(**overrides) -> GuardFacts:
    base = dict(
        explanation="The client cleared the mailbox.",
        episode_reasons=frozenset({Reason.MAILBOX_FULL.value}),
        domain_check=None,
        reinstatements_in_window=0,
        last_reinstated_at=None,
        first_hard_bounce_after_reinstatement=None,
        bounced_since_request=0,
    )
    base.update(overrides)
    return GuardFacts(**base)


def failing(f: GuardFacts) -> set[str]:
    return {o.code for o in evaluate_guards(f, LIM) if not o.passed}


def test_all_guards_pass_on_a_clean_case() -> None:
    outcomes = evaluate_guards(facts(), LIM)
    assert all(o.passed for o in outcomes)
    assert guard_refusal(outcomes, is_lead=False, override_reason=None) is None


@pytest.mark.parametrize(
    ("overrides", "code", "error", "lead_may_override"),
    [
        ({"explanation": "  "}, "explanation", errors.ExplanationRequired, False),
        ({"bounced_since_request": 1}, "new_bounce", errors.NewBounceSinceRequest, False),
        (
            {
                "episode_reasons": frozenset({"domain_unknown"}),
                "domain_check": DomainCheck("gone.example", False, "NXDOMAIN"),
            },
            "domain_resolves",
            errors.DomainDoesNotResolve,
            False,
        ),
        (
            {"episode_reasons": frozenset({"complaint"})},
            "complaint",
            errors.ComplaintNeedsLead,
            True,
        ),
        (
            {"reinstatements_in_window": 2},
            "repeat_reinstatement",
            errors.TooManyReinstatements,
            True,
        ),
        (
            {
                "last_reinstated_at": NOW - timedelta(days=40),
                "first_hard_bounce_after_reinstatement": NOW - timedelta(days=11),
            },
            "hard_after_reinstatement",
            errors.HardBounceAfterReinstatement,
            True,
        ),
    ],
)
def test_each_guard_fails_with_its_own_error(overrides, code, error, lead_may_override) -> None:
    f = facts(**overrides)
    outcomes = evaluate_guards(f, LIM)
    assert failing(f) == {code}
    refusal = guard_refusal(outcomes, is_lead=False, override_reason=None)
    assert type(refusal) is error
    assert refusal.outcomes == outcomes
    lead = guard_refusal(outcomes, is_lead=True, override_reason="Client called us, verified.")
    assert (lead is None) == lead_may_override


def test_domain_guard_passes_when_the_domain_accepts_mail() -> None:
    f = facts(
        episode_reasons=frozenset({"domain_unknown"}),
        domain_check=DomainCheck("back.example", True, "MX: mx.back.example"),
    )
    assert failing(f) == set()


def test_second_resume_in_the_window_needs_no_lead() -> None:
    assert failing(facts(reinstatements_in_window=1)) == set()


def test_hard_bounce_more_than_thirty_days_after_resume_needs_no_lead() -> None:
    f = facts(
        last_reinstated_at=NOW - timedelta(days=60),
        first_hard_bounce_after_reinstatement=NOW - timedelta(days=29),
    )
    assert failing(f) == set()


def test_lead_override_needs_a_written_reason() -> None:
    outcomes = evaluate_guards(facts(episode_reasons=frozenset({"complaint"})), LIM)
    refusal = guard_refusal(outcomes, is_lead=True, override_reason="  ")
    assert isinstance(refusal, errors.OverrideReasonRequired)
    assert "spam complaint" in str(refusal)


def test_an_agent_cannot_override() -> None:
    outcomes = evaluate_guards(facts(), LIM)
    refusal = guard_refusal(outcomes, is_lead=False, override_reason="because")
    assert isinstance(refusal, errors.OverrideNotAllowed)
