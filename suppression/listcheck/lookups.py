"""The Django side of a list check: who may see what about suppressed addresses, and DNS settings.

Support and operators see why an address is suppressed. An owner sees the reason only when the
address bounced for their own school's mail; otherwise only "cannot be mailed" (the portal never
reveals another school's suppressions). Each look-up is one query per chunk (two for an owner).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..conf import setting
from ..models import BounceEvent
from ..selectors import OpenSuppression, open_suppressions
from ..taxonomy import REASON_LABELS, Reason
from .checker import SuppressedLookup
from .dnscheck import DomainChecker

CANNOT_BE_MAILED = "cannot be mailed (sending to it is paused)"


def _with_reason(found: OpenSuppression) -> str:
    try:
        label = REASON_LABELS[Reason(found.reason)]
    except ValueError:
        label = found.reason
    return f"{CANNOT_BE_MAILED}: {label}, since {found.since:%Y-%m-%d}"


def support_lookup(addresses: Sequence[str]) -> dict[str, str]:
    """Suppressed addresses among ``addresses``, each with its reason."""
    return {address: _with_reason(found) for address, found in open_suppressions(addresses).items()}


def owner_lookup(school_id: int) -> SuppressedLookup:
    """Suppressed addresses among ``addresses``, with a reason only for the school's own bounces."""

    def lookup(addresses: Sequence[str]) -> dict[str, str]:
        found = open_suppressions(addresses)
        if not found:
            return {}
        own = set(
            BounceEvent.objects.filter(school_id=school_id, address__address__in=list(found))
            .values_list("address__address", flat=True)
            .distinct()
        )
        return {
            address: _with_reason(info) if address in own else CANNOT_BE_MAILED
            for address, info in found.items()
        }

    return lookup


def domain_checker() -> DomainChecker:
    """DNS as the settings say: the domain guard's resolvers, the list check's timeout."""
    return DomainChecker(
        nameservers=setting("DNS_NAMESERVERS"),
        port=setting("DNS_PORT"),
        timeout=float(setting("LIST_CHECK_DNS_TIMEOUT_SECONDS")),
        workers=setting("LIST_CHECK_DNS_WORKERS"),
    )
