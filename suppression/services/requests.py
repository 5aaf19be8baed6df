"""Requests to resume sending: submit, approve, reject, withdraw."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone

from .. import policy
from ..addresses import normalize_email
from ..conf import setting
from ..dns import check_domain_accepts_mail
from ..exceptions import (
    AddressNotKnownToSchool,
    AlreadyDecided,
    DailyLimitReached,
    DuplicatePendingRequest,
    ExplanationRequired,
    NotAllowed,
    NoteRequired,
    NotSuppressed,
)
from ..models import AddressInquiry, EmailAddress, ReinstatementRequest, School, Suppression
from ..notifications import notify_request_decided, notify_support_new_request
from ..taxonomy import BounceType, Reason
from .common import (
    Actor,
    audited_save,
    lock_open_suppression,
    require_perm,
    suppression_lift,
    user_label,
)

DomainChecker = Callable[[str], policy.DomainCheck]
Status = ReinstatementRequest.Status


def request_submit(
    *, email: str, school: School, actor: Actor, explanation: str
) -> ReinstatementRequest:
    """Ask support to resume sending to ``email`` for ``school``.

    An owner of the school may ask for one of the school's paused addresses (an open suppression
    of an address the school's mail bounced from); any other address gets one and the same
    ``AddressNotKnownToSchool``, whatever its state elsewhere, so the answer tells an owner nothing
    about a stranger's address. Owners file at most ``OWNER_DAILY_REQUEST_LIMIT`` requests and
    questions a day. Support staff (``add_reinstatementrequest``) may file for any school, on the
    owner's behalf. Locks the owner's user row (the daily count), then the address row; the
    database allows one pending request per address and school. Writes the request's history row
    and mails support on commit.
    """
    if not isinstance(actor, User):
        raise NotAllowed("Sign in to ask for sending to be resumed.")
    is_owner = school.memberships.filter(user_id=actor.pk).exists()
    on_behalf = not is_owner
    if on_behalf:
        require_perm(actor, "suppression.add_reinstatementrequest", f"ask on behalf of {school}")
    if not explanation or not explanation.strip():
        raise ExplanationRequired("Say what the client did to fix the problem.")
    normalized = normalize_email(email)
    not_ours = AddressNotKnownToSchool(
        f"{normalized.address} is not among the paused addresses of {school}."
    )
    with transaction.atomic():
        if not on_behalf:
            check_owner_daily_limit(actor)
        address = (
            EmailAddress.objects.select_for_update().filter(address=normalized.address).first()
        )
        suppression = lock_open_suppression(address) if address else None
        if address is None or suppression is None:
            if not on_behalf:
                raise not_ours
            raise NotSuppressed(f"Sending to {normalized.address} is not paused.")
        if not on_behalf and not address.events.filter(school=school).exists():
            raise not_ours
        if ReinstatementRequest.objects.filter(
            address=address, school=school, status=Status.PENDING
        ).exists():
            raise DuplicatePendingRequest(
                f"A request to resume {address} for {school} is already waiting for support."
            )
        request = ReinstatementRequest(
            address=address,
            school=school,
            suppression=suppression,
            requested_by=actor,
            on_behalf_of_owner=on_behalf,
            explanation=explanation.strip(),
        )
        try:
            with transaction.atomic():
                audited_save(
                    request,
                    actor=actor,
                    why=f"request submitted{' on behalf of the owner' if on_behalf else ''}",
                )
        except IntegrityError:
            raise DuplicatePendingRequest(
                f"A request to resume {address} for {school} is already waiting for support."
            ) from None
        transaction.on_commit(partial(notify_support_new_request, request.pk))
        return request


def owner_requests_today(user: User) -> int:
    """Requests and questions ``user`` filed as an owner since midnight (the site's time zone)."""
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    filed = ReinstatementRequest.objects.filter(
        requested_by=user, on_behalf_of_owner=False, created_at__gte=midnight
    ).count()
    return filed + AddressInquiry.objects.filter(asked_by=user, created_at__gte=midnight).count()


def check_owner_daily_limit(user: User) -> None:
    """Refuse when ``user`` reached the day's limit; call inside the transaction that files.

    The user row is locked first, so two submissions of one owner in two server processes count
    one after the other and the limit holds exactly.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()
    limit = setting("OWNER_DAILY_REQUEST_LIMIT")
    if policy.daily_limit_reached(today=owner_requests_today(user), limit=limit):
        raise DailyLimitReached(
            f"{user.get_username()} already filed {limit} requests today, the daily limit."
        )


def guard_outcomes(
    *,
    request: ReinstatementRequest,
    at: datetime | None = None,
    domain_checker: DomainChecker = check_domain_accepts_mail,
) -> list[policy.GuardOutcome]:
    """Every guard's outcome for ``request`` now, for the console to show before deciding."""
    suppression = request.address.suppressions.filter(lifted_at__isnull=True).first()
    facts = _guard_facts(
        request=request,
        suppression=suppression,
        at=at or timezone.now(),
        domain_checker=domain_checker,
    )
    return policy.evaluate_guards(facts, policy.limits())


def _episode_reasons(suppression: Suppression | None) -> frozenset[str]:
    if suppression is None:
        return frozenset()
    reasons = set(suppression.events.values_list("reason", flat=True).distinct())
    reasons.add(suppression.reason)
    return frozenset(reasons)


def _guard_facts(
    *,
    request: ReinstatementRequest,
    suppression: Suppression | None,
    at: datetime,
    domain_checker: DomainChecker,
    known_domain_check: policy.DomainCheck | None = None,
) -> policy.GuardFacts:
    lim = policy.limits()
    address = request.address
    reasons = _episode_reasons(suppression)
    domain_check = None
    if Reason.DOMAIN_UNKNOWN in reasons:
        domain_check = known_domain_check or domain_checker(address.domain)
    lifted = address.suppressions.filter(lifted_at__isnull=False)
    last_reinstated_at = lifted.aggregate(last=Max("lifted_at"))["last"]
    first_hard_after = None
    if last_reinstated_at is not None:
        # Received, not occurred: a hard bounce we learned of after the resume is news to whoever
        # resumed it, even if it happened just before.
        first_hard_after = address.events.filter(
            bounce_type=BounceType.HARD, received_at__gte=last_reinstated_at
        ).aggregate(first=Min("received_at"))["first"]
    return policy.GuardFacts(
        explanation=request.explanation,
        episode_reasons=reasons,
        domain_check=domain_check,
        reinstatements_in_window=lifted.filter(lifted_at__gte=at - lim.repeat_window).count(),
        last_reinstated_at=last_reinstated_at,
        first_hard_bounce_after_reinstatement=first_hard_after,
        bounced_since_request=address.events.filter(received_at__gt=request.created_at).count(),
    )


def _lock_pending(request: ReinstatementRequest) -> tuple[EmailAddress, ReinstatementRequest]:
    address = EmailAddress.objects.select_for_update().get(pk=request.address_id)
    locked = (
        ReinstatementRequest.objects.select_for_update()
        .select_related("address")
        .get(pk=request.pk)
    )
    if not locked.is_pending:
        raise AlreadyDecided(
            f"This request was already {locked.get_status_display().lower()} by "
            f"{user_label(locked.decided_by)} on {locked.decided_at:%Y-%m-%d %H:%M} UTC."
        )
    return address, locked


def request_approve(
    *,
    request: ReinstatementRequest,
    actor: Actor,
    note: str = "",
    override_reason: str | None = None,
    domain_checker: DomainChecker = check_domain_accepts_mail,
) -> ReinstatementRequest:
    """Resume sending: close the suppression, start probation, record the decision.

    Locks the address, the request and the open suppression, then re-checks every guard on the
    locked state: what the agent saw when the page was drawn may be stale. Refuses with the failing
    guard's own error unless a lead (``override_guards``) gives ``override_reason`` for guards that
    allow it. Other pending requests for the same episode are approved with it. Writes history
    rows for the request(s), the suppression and the address, a changes-feed row, and mails the
    requester(s) on commit.
    """
    require_perm(actor, "suppression.decide_reinstatementrequest", "resume sending")
    assert actor is not None  # for the type checker: require_perm refused anonymous callers
    # DNS is slow: look it up before taking the locks when the episode needs it.
    precheck = None
    open_now = request.address.suppressions.filter(lifted_at__isnull=True).first()
    if Reason.DOMAIN_UNKNOWN in _episode_reasons(open_now):
        precheck = domain_checker(request.address.domain)
    now = timezone.now()
    with transaction.atomic():
        address, locked = _lock_pending(request)
        suppression = lock_open_suppression(address)
        if suppression is None:
            raise NotSuppressed(f"Sending to {address} is not paused any more.")
        facts = _guard_facts(
            request=locked,
            suppression=suppression,
            at=now,
            domain_checker=domain_checker,
            known_domain_check=precheck,
        )
        outcomes = policy.evaluate_guards(facts, policy.limits())
        refusal = policy.guard_refusal(
            outcomes,
            is_lead=actor.has_perm("suppression.override_guards"),
            override_reason=override_reason,
        )
        if refusal is not None:
            raise refusal
        override = (override_reason or "").strip()
        overridden = [o.label for o in outcomes if not o.passed]
        why = f"resumed by request #{locked.pk}"
        if overridden:
            why += f"; lead override of: {', '.join(overridden)} — {override}"
        suppression_lift(suppression=suppression, actor=actor, note=note, why=why, at=now)
        address.probation_until = policy.probation_end(now, policy.limits())
        audited_save(
            address, actor=actor, why=f"on probation after {why}", update_fields=["probation_until"]
        )
        decided = [locked]
        _decide(
            locked,
            status=Status.APPROVED,
            actor=actor,
            note=note,
            at=now,
            override_reason=override if overridden else "",
            why="approved",
        )
        siblings = (
            ReinstatementRequest.objects.select_for_update()
            .filter(suppression=suppression, status=Status.PENDING)
            .exclude(pk=locked.pk)
        )
        for sibling in siblings:
            _decide(
                sibling,
                status=Status.APPROVED,
                actor=actor,
                at=now,
                note=f"Sending was resumed through request #{locked.pk}.",
                why=f"approved with request #{locked.pk}",
            )
            decided.append(sibling)
        for each in decided:
            transaction.on_commit(partial(notify_request_decided, each.pk))
        return locked


def request_reject(
    *, request: ReinstatementRequest, actor: Actor, note: str
) -> ReinstatementRequest:
    """Keep sending paused and tell the owner why (``note`` is shown to them).

    Locks the address and the request; writes the request's history row; mails the requester.
    """
    require_perm(actor, "suppression.decide_reinstatementrequest", "decide requests")
    if not note or not note.strip():
        raise NoteRequired("Write a note for the school owner saying why.")
    with transaction.atomic():
        _, locked = _lock_pending(request)
        _decide(
            locked,
            status=Status.REJECTED,
            actor=actor,
            note=note.strip(),
            at=timezone.now(),
            why="rejected",
        )
        transaction.on_commit(lambda: notify_request_decided(locked.pk))
        return locked


def request_withdraw(
    *, request: ReinstatementRequest, actor: Actor, note: str = ""
) -> ReinstatementRequest:
    """The requester (or another owner of the school) takes the request back."""
    if actor is None or not actor.is_authenticated:
        raise NotAllowed("Sign in to withdraw a request.")
    allowed = (
        request.requested_by_id == actor.pk
        or request.school.memberships.filter(user_id=actor.pk).exists()
    )
    if not allowed:
        raise NotAllowed("Only the school's owners can withdraw this request.")
    with transaction.atomic():
        _, locked = _lock_pending(request)
        _decide(
            locked,
            status=Status.WITHDRAWN,
            actor=actor,
            note=note.strip(),
            at=timezone.now(),
            why="withdrawn",
        )
        return locked


def _decide(
    request: ReinstatementRequest,
    *,
    status: str,
    actor: Actor,
    note: str,
    at: datetime,
    why: str,
    override_reason: str = "",
) -> None:
    request.status = status
    request.decided_by = actor  # type: ignore[assignment]
    request.decided_at = at
    request.decision_note = note
    request.override_reason = override_reason
    audited_save(
        request,
        actor=actor,
        why=f"{why}: {note}" if note else why,
        update_fields=["status", "decided_by", "decided_at", "decision_note", "override_reason"],
    )
