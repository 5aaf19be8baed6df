"""Requests to resume sending: every transition, every refusal, the history of each change."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from suppression import exceptions as errors
from suppression import services
from suppression.models import ReinstatementRequest, Suppression, SuppressionChange
from suppression.selectors import is_suppressed
from suppression.services.requests import guard_outcomes
from suppression.taxonomy import Reason

from .factories import bounce, owner_of

pytestmark = pytest.mark.django_db

EXPLANATION = "The client confirmed that they cleared their mailbox."


def submit(owner, school, email="kate@example.com", explanation=EXPLANATION):
    return services.request_submit(email=email, school=school, actor=owner, explanation=explanation)


@pytest.fixture
def suppressed(school):
    """A mailbox that filled up: three soft bounces in a week."""
    now = timezone.now()
    outcomes = [
        bounce(
            "kate@example.com",
            Reason.MAILBOX_FULL,
            school=school,
            status="4.2.2",
            at=now - timedelta(days=days),
        )
        for days in (6, 3, 0)
    ]
    assert outcomes[-1].opened is not None
    return outcomes[-1].opened


# --- submit ----------------------------------------------------------------------------------


def test_owner_submits_a_request_with_history(owner, school, suppressed) -> None:
    request = submit(owner, school, email="Kate@Example.com")
    assert request.status == "pending" and request.suppression == suppressed
    assert request.requested_by == owner and not request.on_behalf_of_owner
    row = request.history.get()
    assert (row.history_user, row.history_change_reason) == (owner, "request submitted")


def test_agent_submits_on_behalf_of_the_owner(agent, school, suppressed) -> None:
    request = submit(agent, school)
    assert request.on_behalf_of_owner
    assert "on behalf" in request.history.get().history_change_reason


@pytest.mark.parametrize(
    ("email", "explanation", "error"),
    [
        ("kate@example.com", "   ", errors.ExplanationRequired),
        ("nobody@example.com", EXPLANATION, errors.NotSuppressed),
        ("not an address", EXPLANATION, errors.InvalidEmailAddress),
    ],
)
def test_submit_refusals(owner, school, suppressed, email, explanation, error) -> None:
    with pytest.raises(error):
        submit(owner, school, email=email, explanation=explanation)
    assert not ReinstatementRequest.objects.exists()


def test_owner_cannot_ask_for_an_address_their_school_never_mailed(owner, school) -> None:
    bounce("stranger@example.com")  # bounced for no school of this owner
    with pytest.raises(errors.AddressNotKnownToSchool):
        submit(owner, school, email="stranger@example.com")


def test_owner_of_another_school_is_not_allowed(school, other_school, suppressed) -> None:
    outsider = owner_of(other_school, "owner2")
    with pytest.raises(errors.NotAllowed):
        submit(outsider, school)


def test_one_pending_request_per_address_and_school(owner, school, suppressed) -> None:
    submit(owner, school)
    with pytest.raises(errors.DuplicatePendingRequest):
        submit(owner, school)


# --- approve ---------------------------------------------------------------------------------


def test_approve_resumes_sending_starts_probation_and_records_it(
    owner, agent, school, suppressed
) -> None:
    request = submit(owner, school)
    with pytest.raises(AssertionError):  # mail waits for the commit
        assert mail.outbox
    services.request_approve(request=request, actor=agent, note="Checked: mailbox has room.")
    request.refresh_from_db()
    suppressed.refresh_from_db()
    assert request.status == "approved" and request.decided_by == agent
    assert request.decided_at is not None
    assert suppressed.lifted_at is not None and suppressed.lifted_by == agent
    assert not is_suppressed("kate@example.com")
    address = suppressed.address
    address.refresh_from_db()
    assert address.on_probation()
    assert address.probation_until - suppressed.lifted_at == timedelta(days=30)
    assert request.history.latest().history_user == agent
    assert request.history.latest().history_change_reason.startswith("approved")
    lift = suppressed.history.latest()
    assert lift.history_user == agent and f"request #{request.pk}" in lift.history_change_reason
    assert list(SuppressionChange.objects.values_list("kind", flat=True)) == ["opened", "lifted"]


def test_approval_mails_the_owner_on_commit(
    owner, agent, school, suppressed, django_capture_on_commit_callbacks
) -> None:
    owner.email = "owner@school.example.com"
    owner.save()
    request = submit(owner, school)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_approve(request=request, actor=agent, note="All good.")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner@school.example.com"]
    assert "Sending has been resumed" in mail.outbox[0].subject
    assert "All good." in mail.outbox[0].body


def test_approve_twice_is_already_decided(owner, agent, school, suppressed) -> None:
    request = submit(owner, school)
    services.request_approve(request=request, actor=agent)
    with pytest.raises(errors.AlreadyDecided, match="already approved by agent"):
        services.request_approve(request=request, actor=agent)


def test_approving_one_request_approves_the_other_schools_too(
    owner, agent, school, other_school, suppressed
) -> None:
    bounce("kate@example.com", Reason.MAILBOX_FULL, school=other_school)
    other = submit(owner_of(other_school, "owner2"), other_school)
    mine = submit(owner, school)
    services.request_approve(request=mine, actor=agent)
    other.refresh_from_db()
    assert other.status == "approved"
    assert f"#{mine.pk}" in other.decision_note


def test_auditor_and_owner_cannot_decide(owner, auditor, school, suppressed) -> None:
    request = submit(owner, school)
    for actor in (owner, auditor, None):
        with pytest.raises(errors.NotAllowed):
            services.request_approve(request=request, actor=actor)
        with pytest.raises(errors.NotAllowed):
            services.request_reject(request=request, actor=actor, note="no")


def test_new_bounce_after_the_request_refuses_approval(owner, agent, school, suppressed) -> None:
    request = submit(owner, school)
    bounce("kate@example.com", Reason.MAILBOX_FULL, school=school)
    with pytest.raises(errors.NewBounceSinceRequest) as caught:
        services.request_approve(request=request, actor=agent)
    assert {o.code for o in caught.value.outcomes if not o.passed} == {"new_bounce"}
    assert is_suppressed("kate@example.com")
    request.refresh_from_db()
    assert request.is_pending


def test_complaint_needs_a_lead_with_a_reason(owner, agent, lead, school) -> None:
    bounce("kate@example.com", Reason.COMPLAINT, school=school)
    request = submit(owner, school)
    with pytest.raises(errors.ComplaintNeedsLead):
        services.request_approve(request=request, actor=agent)
    with pytest.raises(errors.OverrideNotAllowed):
        services.request_approve(request=request, actor=agent, override_reason="I think so")
    with pytest.raises(errors.OverrideReasonRequired):
        services.request_approve(request=request, actor=lead)
    services.request_approve(
        request=request, actor=lead, override_reason="Client re-subscribed in writing."
    )
    request.refresh_from_db()
    assert request.status == "approved"
    assert request.override_reason == "Client re-subscribed in writing."
    reason = request.history.latest().history_change_reason
    lift = Suppression.objects.get().history.latest().history_change_reason
    assert "lead override" in lift and "Client re-subscribed" in lift
    assert reason.startswith("approved")


def test_third_resume_within_180_days_needs_a_lead(agent, lead, school) -> None:
    email = "often@example.com"
    for _ in range(2):
        services.suppression_open_manual(email=email, actor=agent, note="Owner asked to pause.")
        request = submit(agent, school, email=email)
        services.request_approve(request=request, actor=agent)
    services.suppression_open_manual(email=email, actor=agent, note="Owner asked to pause.")
    request = submit(agent, school, email=email)
    with pytest.raises(errors.TooManyReinstatements, match="resume number 3"):
        services.request_approve(request=request, actor=agent)
    services.request_approve(request=request, actor=lead, override_reason="Verified by phone.")
    assert not is_suppressed(email)


def test_hard_bounce_soon_after_a_resume_needs_a_lead(owner, agent, school) -> None:
    email = "flaky@example.com"
    bounce(email, school=school)
    services.request_approve(request=submit(owner, school, email=email), actor=agent)
    outcome = bounce(email, school=school)  # on probation: a repeat
    assert outcome.opened.is_repeat and outcome.opened.trigger == "probation_repeat"
    request = submit(owner, school, email=email)
    with pytest.raises(errors.HardBounceAfterReinstatement):
        services.request_approve(request=request, actor=agent)


def test_domain_unknown_needs_the_domain_to_resolve_now(owner, agent, school, dns_zone) -> None:
    bounce("client@gone.example", Reason.DOMAIN_UNKNOWN, school=school)
    request = submit(owner, school, email="client@gone.example")
    with pytest.raises(errors.DomainDoesNotResolve, match="NXDOMAIN"):
        services.request_approve(request=request, actor=agent)
    dns_zone.add("gone.example", "MX", (10, "mx.gone.example"))
    outcomes = guard_outcomes(request=request)
    assert next(o for o in outcomes if o.code == "domain_resolves").passed
    services.request_approve(request=request, actor=agent)
    assert not is_suppressed("client@gone.example")


def test_null_mx_domain_does_not_accept_mail(owner, agent, school, dns_zone) -> None:
    dns_zone.add("nullmx.example", "MX", (0, "."))
    dns_zone.add("nullmx.example", "A", "192.0.2.1")
    bounce("client@nullmx.example", Reason.DOMAIN_UNKNOWN, school=school)
    request = submit(owner, school, email="client@nullmx.example")
    with pytest.raises(errors.DomainDoesNotResolve, match="null MX"):
        services.request_approve(request=request, actor=agent)


def test_domain_without_mx_but_with_an_a_record_accepts_mail(
    owner, agent, school, dns_zone
) -> None:
    dns_zone.add("a-only.example", "A", "192.0.2.7")
    bounce("client@a-only.example", Reason.DOMAIN_UNKNOWN, school=school)
    request = submit(owner, school, email="client@a-only.example")
    services.request_approve(request=request, actor=agent)
    request.refresh_from_db()
    assert request.status == "approved"


def test_approve_when_no_longer_suppressed_is_refused(owner, agent, school, suppressed) -> None:
    request = submit(owner, school)
    suppressed.lifted_at = timezone.now()
    suppressed.save()
    with pytest.raises(errors.NotSuppressed):
        services.request_approve(request=request, actor=agent)


# --- reject and withdraw --------------------------------------------------------------------


def test_reject_needs_a_note_and_records_it(owner, agent, school, suppressed) -> None:
    request = submit(owner, school)
    with pytest.raises(errors.NoteRequired):
        services.request_reject(request=request, actor=agent, note="")
    services.request_reject(request=request, actor=agent, note="Mailbox still full today.")
    request.refresh_from_db()
    assert request.status == "rejected"
    assert request.decision_note == "Mailbox still full today."
    row = request.history.latest()
    assert row.history_user == agent
    assert row.history_change_reason == "rejected: Mailbox still full today."
    assert is_suppressed("kate@example.com")
    with pytest.raises(errors.AlreadyDecided):
        services.request_withdraw(request=request, actor=owner)


def test_owner_withdraws_their_request(owner, school, suppressed) -> None:
    request = submit(owner, school)
    services.request_withdraw(request=request, actor=owner)
    request.refresh_from_db()
    assert request.status == "withdrawn" and request.decided_by == owner
    assert request.history.latest().history_change_reason == "withdrawn"
    # a new request may follow a withdrawn one
    submit(owner, school)


def test_only_the_schools_owners_withdraw(owner, agent, school, other_school, suppressed) -> None:
    request = submit(owner, school)
    for actor in (owner_of(other_school, "owner2"), agent):
        with pytest.raises(errors.NotAllowed):
            services.request_withdraw(request=request, actor=actor)


def test_soft_bounces_from_before_a_resume_do_not_count_after_it(
    owner, agent, school, suppressed
) -> None:
    services.request_approve(request=submit(owner, school), actor=agent)
    outcome = bounce("kate@example.com", Reason.MAILBOX_FULL, school=school)
    assert outcome.opened is None  # one soft bounce since the resume, not four


def test_bounce_that_happened_before_a_resume_but_arrives_after_it_suppresses(
    owner, agent, school, suppressed
) -> None:
    services.request_approve(request=submit(owner, school), actor=agent)
    late = bounce(
        "kate@example.com",
        Reason.MAILBOX_UNKNOWN,
        school=school,
        at=timezone.now() - timedelta(hours=1),
    )
    assert late.opened is not None and late.opened.is_repeat
    assert is_suppressed("kate@example.com")


def test_hard_bounce_from_before_a_resume_arriving_after_it_needs_a_lead(
    owner, agent, school, suppressed
) -> None:
    services.request_approve(request=submit(owner, school), actor=agent)
    bounce(
        "kate@example.com",
        Reason.MAILBOX_UNKNOWN,
        school=school,
        at=timezone.now() - timedelta(days=2),
    )
    with pytest.raises(errors.HardBounceAfterReinstatement):
        services.request_approve(request=submit(owner, school), actor=agent)


def test_soft_bounces_received_since_a_resume_suppress_in_any_order(
    owner, agent, school, suppressed
) -> None:
    services.request_approve(request=submit(owner, school), actor=agent)
    now = timezone.now()
    # They all happened before the resume, but arrive after it, newest first.
    outcomes = [
        bounce("kate@example.com", Reason.MAILBOX_FULL, at=now - timedelta(days=days))
        for days in (1, 2, 3)
    ]
    assert [o.opened is not None for o in outcomes] == [False, False, True]
    assert is_suppressed("kate@example.com")
