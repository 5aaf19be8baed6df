"""Suppressing an address by hand."""

from __future__ import annotations

from django.db import transaction

from ..addresses import normalize_email
from ..exceptions import AlreadySuppressed, NoteRequired
from ..models import Suppression
from ..taxonomy import Reason, bounce_type_for
from .common import Actor, lock_address, lock_open_suppression, require_perm, suppression_open


def suppression_open_manual(
    *, email: str, actor: Actor, note: str, reason: Reason | str = Reason.UNKNOWN
) -> Suppression:
    """Stop sending to ``email`` by hand, with a note saying why.

    Locks the address row (creating it if unseen); refuses with ``AlreadySuppressed`` when an
    episode is open. Records the episode with its history row and a changes-feed row.
    """
    require_perm(actor, "suppression.add_suppression", "suppress addresses")
    if not note.strip():
        raise NoteRequired("Say why sending to this address must stop.")
    reason = Reason(reason)
    normalized = normalize_email(email)
    with transaction.atomic():
        address = lock_address(normalized, actor=actor, why="suppressed by hand")
        if lock_open_suppression(address) is not None:
            raise AlreadySuppressed(f"Sending to {address} is already paused.")
        # A deliberate stop is permanent until someone resumes it: an unknown reason counts hard.
        return suppression_open(
            address=address,
            trigger=Suppression.Trigger.MANUAL,
            reason=reason,
            bounce_type=bounce_type_for(reason, status="5"),
            actor=actor,
            note=note.strip(),
            why=f"suppressed by hand: {note.strip()}",
        )
