"""Pure policy rules, no database."""

import itertools
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
    soft_bounces_counted,
    soft_horizon,
    soft_in_window,
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
        reason=Reason.MAILBOX_FULL,
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
        reason=Reason.MAILBOX_FULL,
        bounce_type=BounceType.SOFT,
        occurred_at=NOW,
        has_open_suppression=False,
        probation_until=None,
        soft_in_window=1,
        lim=Limits(soft_threshold=1),
    )
    assert decision.action == BounceAction.OPEN


D, H = timedelta(days=1), timedelta(hours=1)


@pytest.mark.parametrize(
    ("ago", "expected"),
    [
        pytest.param([], 0, id="none"),
        pytest.param([0 * H, 1 * H, 2 * H], 3, id="12:00 11:00 10:00"),
        pytest.param([13 * D + 23 * H, 6 * D, 0 * D], 3, id="just under fourteen days"),
        pytest.param([14 * D, 7 * D, 0 * D], 2, id="exactly fourteen days apart is too far"),
        pytest.param([15 * D, 7 * D, 0 * D], 2, id="fifteen days"),
        # The qualifying window ends 10 days ago, not at the newest bounce.
        pytest.param([0 * D, 10 * D, 19 * D, 20 * D], 3, id="an earlier window"),
        pytest.param([0 * D, 3 * D, 20 * D, 22 * D, 24 * D], 2, id="an old cluster"),
        pytest.param([365 * D, 365 * D - H, 365 * D - 2 * H], 0, id="a replayed year-old batch"),
        pytest.param([20 * D, 15 * D, 14 * D], 0, id="newest exactly fourteen days ago"),
        pytest.param([20 * D, 15 * D, 13 * D], 3, id="newest thirteen days ago"),
        pytest.param([27 * D, 26 * D, 13 * D], 2, id="recent newest, too wide"),
        pytest.param([-12 * H, 0 * H, 1 * H], 3, id="one reported up to a day ahead"),
        pytest.param([1 * H], 1, id="one recent"),
        pytest.param([20 * D], 0, id="one old"),
        pytest.param([H, H, H], 3, id="same time"),
    ],
)
def test_soft_bounces_count_within_any_recent_window_in_any_order(ago, expected) -> None:
    times = [NOW - a for a in ago]
    for order in itertools.permutations(times):
        assert soft_in_window(order, now=NOW, lim=LIM) == expected


def test_the_window_is_a_setting() -> None:
    times = [NOW - 20 * D, NOW - 10 * D, NOW]
    assert soft_in_window(times, now=NOW, lim=Limits(soft_window=timedelta(days=21))) == 3
    assert soft_in_window(times, now=NOW, lim=Limits(soft_window=timedelta(days=7))) == 1


def test_no_counted_bounce_happened_before_the_horizon() -> None:
    # A counted group ends after now - 14 days and spans less than 14 days.
    assert soft_horizon(NOW, LIM) == NOW - 28 * D
    oldest_possible = [NOW - 28 * D + 2 * H, NOW - 14 * D + H, NOW - 14 * D + H]
    assert soft_in_window(oldest_possible, now=NOW, lim=LIM) == 3
    assert soft_in_window([NOW - 28 * D, *oldest_possible[1:]], now=NOW, lim=LIM) == 2


RESUMED = NOW - 5 * D


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        pytest.param([None, None, None], 3, id="never resumed"),
        pytest.param([RESUMED - H] * 3, 0, id="all received before the resume"),
        pytest.param([RESUMED - H, RESUMED + H, RESUMED + H], 2, id="one before"),
        pytest.param([RESUMED, RESUMED + H, RESUMED + H], 2, id="at the resume"),
        # They happened before the resume but we learned of them after: they count in full.
        pytest.param([RESUMED + H] * 3, 3, id="happened before, received after"),
    ],
)
def test_only_soft_bounces_received_since_the_last_resume_count(received, expected) -> None:
    occurred = [NOW - 9 * D, NOW - 8 * D, NOW - 7 * D]  # all before the resume
    bounces = [(o, r or o) for o, r in zip(occurred, received, strict=True)]
    resumed_at = RESUMED if received[0] is not None else None
    assert soft_bounces_counted(bounces, resumed_at=resumed_at, now=NOW, lim=LIM) == expected


@pytest.mark.parametrize(
    ("ago", "action"),
    [(H, BounceAction.OPEN), (13 * D, BounceAction.OPEN), (15 * D, BounceAction.RECORD)],
)
def test_threshold_one_stops_sending_on_any_recent_bounce(ago, action) -> None:
    lim = Limits(soft_threshold=1)
    decision = decide_on_bounce(
        reason=Reason.MAILBOX_FULL,
        bounce_type=BounceType.SOFT,
        occurred_at=NOW - ago,
        has_open_suppression=False,
        probation_until=None,
        soft_in_window=soft_bounces_counted([(NOW - ago, NOW)], resumed_at=None, now=NOW, lim=lim),
        lim=lim,
    )
    assert decision.action == action


@pytest.mark.parametrize(
    ("bounce_type", "trigger"),
    [(BounceType.HARD, "hard_bounce"), (BounceType.COMPLAINT, "complaint")],
)
def test_hard_bounce_and_complaint_suppress_at_once(bounce_type, trigger) -> None:
    decision = decide_on_bounce(
        reason={
            BounceType.HARD: Reason.MAILBOX_UNKNOWN,
            BounceType.SOFT: Reason.MAILBOX_FULL,
            BounceType.COMPLAINT: Reason.COMPLAINT,
        }[bounce_type],
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
        reason=Reason.MAILBOX_UNKNOWN,
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
        reason=Reason.MAILBOX_UNKNOWN,
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
        reason=Reason.MAILBOX_UNKNOWN,
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
            {
                "episode_reasons": frozenset({"domain_unknown"}),
                "domain_check": DomainCheck(
                    "slow.example", False, "Could not check", undetermined=True
                ),
            },
            "domain_resolves",
            errors.DomainDoesNotResolve,
            True,  # "could not check" is no "does not exist": a lead may decide
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
