"""Incidents: a receiving organisation refuses the platform, so its domains pause, not its people.

Lock order: the address row (bounce_record), then the organisation's advisory lock, then the
incident row, then the changes feed's lock. A lead's lift and the lift job take the organisation's
lock first too, so a refusal arriving while a lead lifts either joins the incident before the lift
(and is lifted with it) or counts afterwards toward a new one; two refusals arriving at once count
one after the other, so the threshold opens exactly one incident.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from .. import policy
from ..exceptions import AlreadyLifted, NoteRequired
from ..incidents.organisation import organisation_of
from ..models import (
    BounceEvent,
    EmailAddress,
    Incident,
    PausedDomain,
    ReputationRefusal,
    SuppressionChange,
)
from ..notifications import notify_support_incident_opened
from ..taxonomy import Reason
from .common import (
    Actor,
    audited_save,
    lock_changes_feed,
    require_perm,
    user_label,
)

# The first key of the two-key advisory locks taken per organisation (the second is its hash).
INCIDENT_LOCK_SPACE = 0x6B776931  # "kwi1"


def _lock_organisation(organisation: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                [INCIDENT_LOCK_SPACE, organisation],
            )


def record_domain_change(*, incident: Incident, domain: str, kind: str, at: datetime) -> None:
    """One domain-level row of the changes feed, under the feed's lock (as every feed writer)."""
    lock_changes_feed()
    SuppressionChange.objects.create(incident=incident, domain=domain, kind=kind, at=at)


def _add_domains(incident: Incident, domains: set[str], at: datetime) -> None:
    known = set(incident.domains.values_list("domain", flat=True))
    for domain in sorted(domains - known):
        PausedDomain.objects.create(incident=incident, domain=domain, added_at=at)
        record_domain_change(
            incident=incident, domain=domain, kind=SuppressionChange.Kind.DOMAIN_PAUSED, at=at
        )


def incident_count_refusals(events: list[BounceEvent]) -> None:
    """``incident_count_refusal`` for every ``sender_reputation`` event of a batch just saved.

    In organisation order, so two batches that name the same organisations take their locks in
    the same order and never wait on each other in a circle.
    """
    refusals = [event for event in events if event.reason == Reason.SENDER_REPUTATION]
    refusals.sort(key=lambda event: organisation_of(event.remote_mta, event.address.domain))
    for event in refusals:
        incident_count_refusal(event=event, address=event.address)


def incident_count_refusal(*, event: BounceEvent, address: EmailAddress) -> Incident | None:
    """Count a ``sender_reputation`` event against its organisation; open or widen the incident.

    Runs inside ``bounce_record``'s transaction, after the event is saved. Takes the
    organisation's lock, then counts what committed before it: the refusals since the window
    began (or since the organisation's last pause lifted, whichever is later). Returns the open
    incident the event belongs to, if any. Opening writes the incident's history row, a paused
    domain and a changes-feed row per recipient domain, and mails support on commit.
    """
    lim = policy.incident_limits()
    organisation = organisation_of(event.remote_mta, address.domain)
    now = event.received_at
    refusal = ReputationRefusal.objects.create(
        event=event,
        organisation=organisation,
        domain=address.domain,
        occurred_at=event.occurred_at,
        received_at=now,
    )
    _lock_organisation(organisation)
    incident = (
        Incident.objects.select_for_update()
        .filter(organisation=organisation, lifted_at__isnull=True)
        .first()
    )
    if incident is not None and incident.until <= now:
        _lift(incident, actor=None, kind="expired", note="", at=incident.until)
        incident = None
    if incident is not None:
        refusal.incident = incident
        refusal.save(update_fields=["incident"])
        _add_domains(incident, {address.domain}, now)
        return incident
    since = now - lim.window
    last_lift = Incident.objects.filter(organisation=organisation).aggregate(last=Max("lifted_at"))[
        "last"
    ]
    window = ReputationRefusal.objects.filter(
        organisation=organisation,
        incident__isnull=True,
        received_at__gte=max(since, last_lift) if last_lift else since,
        occurred_at__gte=since,
    )
    count = window.count()
    if count < lim.threshold:
        return None
    repeat = Incident.objects.filter(
        organisation=organisation, opened_at__gte=now - lim.repeat_window
    ).count()
    incident = Incident(
        organisation=organisation,
        opened_at=now,
        until=now + policy.incident_pause(repeat, lim),
        repeat=repeat,
        streams=list(lim.streams),
        refusals=count,
    )
    minutes = int(lim.window.total_seconds() // 60)
    audited_save(
        incident,
        actor=None,
        why=f"{count} refusals of the platform from {organisation} within {minutes} minutes",
    )
    domains = set(window.values_list("domain", flat=True))
    window.update(incident=incident)
    _add_domains(incident, domains, now)
    transaction.on_commit(partial(notify_support_incident_opened, incident.pk))
    return incident


def _lift(incident: Incident, *, actor: Actor, kind: str, note: str, at: datetime) -> None:
    incident.lifted_at = max(at, incident.opened_at)
    incident.lifted_by = actor if actor is not None and actor.is_authenticated else None  # type: ignore[assignment]
    incident.lift_kind = kind
    incident.lift_note = note
    why = (
        f"lifted early by {user_label(actor)}: {note}"
        if kind == "lead"
        else "the pause ended (back-off)"
    )
    audited_save(
        incident,
        actor=actor,
        why=why,
        update_fields=["lifted_at", "lifted_by", "lift_kind", "lift_note"],
    )
    for domain in incident.domains.values_list("domain", flat=True):
        record_domain_change(
            incident=incident,
            domain=domain,
            kind=SuppressionChange.Kind.DOMAIN_LIFTED,
            at=incident.lifted_at,
        )


def incident_lift(*, incident: Incident, actor: Actor, note: str) -> Incident:
    """A lead lifts a pause before its back-off ends, saying why.

    Takes the organisation's lock and the incident row; refuses with ``AlreadyLifted`` when the
    pause ended meanwhile. Writes the history row and a domain-lifted feed row per domain.
    """
    require_perm(actor, "suppression.lift_incident", "lift a domain pause")
    if not note or not note.strip():
        raise NoteRequired("Say why the pause may end now.")
    with transaction.atomic():
        _lock_organisation(incident.organisation)
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.lifted_at is not None:
            raise AlreadyLifted(
                f"This pause was already lifted on {locked.lifted_at:%Y-%m-%d %H:%M} UTC."
            )
        _lift(locked, actor=actor, kind="lead", note=note.strip(), at=timezone.now())
        return locked


def incidents_expire(*, now: datetime | None = None) -> list[Incident]:
    """Lift every pause whose back-off ended (the ``lift_incidents`` job), each in its own
    transaction; records each lift (history row, feed rows) at the time the pause ended."""
    now = now or timezone.now()
    lifted = []
    due = Incident.objects.filter(lifted_at__isnull=True, until__lte=now).order_by("until")
    for incident in list(due):
        with transaction.atomic():
            _lock_organisation(incident.organisation)
            locked = Incident.objects.select_for_update().get(pk=incident.pk)
            if locked.lifted_at is not None or locked.until > now:
                continue
            _lift(locked, actor=None, kind="expired", note="", at=locked.until)
            lifted.append(locked)
    return lifted
