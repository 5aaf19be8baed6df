"""Pieces the services share: audited saves, the address row lock, opening and lifting episodes."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from ..addresses import NormalizedAddress
from ..console import counts
from ..exceptions import NotAllowed
from ..models import EmailAddress, Suppression, SuppressionChange
from . import fastsql

Actor = User | AnonymousUser | None

# Any constant works: it only has to be the same for every writer of the changes feed.
CHANGES_FEED_LOCK = 0x6B7767616D6C  # "kwgaml"


def audited_save(
    instance: models.Model,
    *,
    actor: Actor,
    why: str,
    update_fields: list[str] | None = None,
) -> None:
    """Save with the history row's user and change reason set."""
    instance._history_user = actor if actor is not None and actor.is_authenticated else None  # type: ignore[attr-defined]
    instance._change_reason = why[:10000]  # type: ignore[attr-defined]
    if update_fields is None:
        instance.save()
    else:
        instance.save(update_fields=update_fields)


def require_perm(actor: Actor, perm: str, what: str) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm(perm):
        raise NotAllowed(f"You are not allowed to {what}.")


def lock_address(normalized: NormalizedAddress, *, actor: Actor, why: str) -> EmailAddress:
    """The address row, created when first seen, locked until the transaction ends."""
    address = EmailAddress.objects.select_for_update().filter(address=normalized.address).first()
    if address is not None:
        return address
    try:
        with transaction.atomic():
            address = EmailAddress(
                address=normalized.address, domain=normalized.domain, display=normalized.display
            )
            audited_save(address, actor=actor, why=why)
            return address
    except IntegrityError:
        # Another writer created it first; its row lock makes us wait until it commits.
        return EmailAddress.objects.select_for_update().get(address=normalized.address)


def lock_open_suppression(address: EmailAddress) -> Suppression | None:
    return (
        Suppression.objects.select_for_update()
        .filter(address=address, lifted_at__isnull=True)
        .first()
    )


def lock_changes_feed() -> None:
    """Serialise writers of the changes feed until they commit, so that ids are handed out in
    commit order and a reader paging by id never skips a row that commits late (PostgreSQL;
    SQLite serialises every writer anyway). Every feed writer takes it just before writing."""
    if fastsql.available():
        fastsql.execute("SELECT pg_advisory_xact_lock(%s)", [CHANGES_FEED_LOCK])


def _record_change(suppression: Suppression, kind: str, at: datetime) -> None:
    lock_changes_feed()
    SuppressionChange.objects.create(
        suppression=suppression, address_id=suppression.address_id, kind=kind, at=at
    )
    step = 1 if kind == SuppressionChange.Kind.OPENED else -1
    counts.count_open(Counter({suppression.reason: step}))


def suppression_open(
    *,
    address: EmailAddress,
    trigger: str,
    reason: str,
    bounce_type: str,
    actor: Actor,
    why: str,
    note: str = "",
    is_repeat: bool = False,
    at: datetime | None = None,
) -> Suppression:
    """Open an episode on a locked address that has none open (the database refuses a second)."""
    at = at or timezone.now()
    suppression = Suppression(
        address=address,
        trigger=trigger,
        reason=reason,
        bounce_type=bounce_type,
        is_repeat=is_repeat,
        opened_at=at,
        opened_by=actor if isinstance(actor, User) else None,
        open_note=note,
    )
    audited_save(suppression, actor=actor, why=why)
    if address.probation_until is not None:
        address.probation_until = None
        audited_save(
            address, actor=actor, why=f"probation ended: {why}", update_fields=["probation_until"]
        )
    _record_change(suppression, SuppressionChange.Kind.OPENED, at)
    return suppression


def suppression_lift(
    *, suppression: Suppression, actor: Actor, note: str, why: str, at: datetime
) -> None:
    suppression.lifted_at = at
    suppression.lifted_by = actor if isinstance(actor, User) else None
    suppression.lift_note = note
    audited_save(
        suppression, actor=actor, why=why, update_fields=["lifted_at", "lifted_by", "lift_note"]
    )
    _record_change(suppression, SuppressionChange.Kind.LIFTED, at)


def user_label(user: Any) -> str:
    if user is None:
        return "the system"
    return user.get_username() if hasattr(user, "get_username") else str(user)
