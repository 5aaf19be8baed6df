"""What the portal's pages show, each read in a fixed number of indexed queries."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet

from ..models import (
    AddressInquiry,
    BounceEvent,
    ReinstatementRequest,
    School,
    SchoolMembership,
    Suppression,
)

# Past this many rows a list stops counting and asks the owner to search instead.
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """Counts at most ``COUNT_CAP`` + 1 rows, so a school with 100,000 paused addresses costs
    what one with a thousand does; the pages past the cap are reached by searching."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cap = COUNT_CAP
        self.capped = False

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        # Ids only, in no order: the planner needs neither the sort nor the address join
        # (unless a filter names the address), and stops at the cap.
        lean = self.object_list.order_by().values("pk")  # type: ignore[union-attr,attr-defined]
        counted = lean[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


def capped_count(queryset: QuerySet[Any], cap: int | None = None) -> tuple[int, bool]:
    """How many rows, counting at most ``cap`` + 1: (the count up to the cap, whether past it)."""
    cap = COUNT_CAP if cap is None else cap
    counted = queryset.order_by().values("pk")[: cap + 1].count()
    return min(counted, cap), counted > cap


def owner_memberships(user: Any) -> list[SchoolMembership]:
    """The signed-in owner's schools, for the switcher and for resolving the URL's school."""
    if not user.is_authenticated or user.is_staff:
        return []
    return list(
        SchoolMembership.objects.filter(user_id=user.pk)
        .select_related("school")
        .order_by("school__name")
    )


def school_paused(school: School) -> QuerySet[Suppression]:
    """Open suppressions of addresses the school's mail bounced from, newest first.

    The open-suppression index gives the order; each candidate is probed through the events'
    (address, time) index, or the planner starts from the school's events when it has few.
    """
    bounced_here = BounceEvent.objects.filter(address_id=OuterRef("address_id"), school=school)
    return (
        Suppression.objects.filter(lifted_at__isnull=True)
        .filter(Exists(bounced_here))
        .select_related("address")
        .order_by("-opened_at", "-id")
    )


def paused_for_school(school: School, address: str) -> Suppression | None:
    """The school's open suppression of ``address`` (normalized), or None."""
    return school_paused(school).filter(address__address=address).first()


def pending_by_address(school: School, address_ids: list[int]) -> dict[int, ReinstatementRequest]:
    """The school's pending request for each of these addresses that has one: one query."""
    pending = ReinstatementRequest.objects.filter(
        school=school, address_id__in=address_ids, status=ReinstatementRequest.Status.PENDING
    )
    return {request.address_id: request for request in pending}


def pending_request(school: School, address: str) -> ReinstatementRequest | None:
    return (
        ReinstatementRequest.objects.filter(
            school=school, address__address=address, status=ReinstatementRequest.Status.PENDING
        )
        .select_related("address")
        .first()
    )


def school_requests(school: School) -> QuerySet[ReinstatementRequest]:
    return (
        ReinstatementRequest.objects.filter(school=school)
        .select_related("address", "requested_by")
        .order_by("-created_at", "-id")
    )


def school_inquiries(school: School) -> QuerySet[AddressInquiry]:
    return (
        AddressInquiry.objects.filter(school=school)
        .select_related("asked_by")
        .order_by("-created_at", "-id")
    )
