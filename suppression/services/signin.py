"""Unlocking sign-in: forgetting the failed attempts that lock a username or an address."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from axes.models import AccessAttempt
from django.db import transaction

from .common import Actor, require_perm

log = logging.getLogger("suppression.signin")


def signin_unlock(*, attempt_ids: Iterable[int], actor: Actor) -> list[AccessAttempt]:
    """Delete these failed-attempt rows, so the usernames and addresses they count against unlock.

    Locks the rows; logs who unlocked what. Returns the deleted rows (for the admin's log entries).
    """
    require_perm(actor, "axes.delete_accessattempt", "unlock sign-in")
    with transaction.atomic():
        attempts = list(AccessAttempt.objects.select_for_update().filter(pk__in=list(attempt_ids)))
        for attempt in attempts:
            log.warning(
                "Sign-in unlocked by %s: username %r, address %s (%d failures)",
                actor,
                attempt.username,
                attempt.ip_address,
                attempt.failures_since_start,
            )
        AccessAttempt.objects.filter(pk__in=[attempt.pk for attempt in attempts]).delete()
    return attempts
