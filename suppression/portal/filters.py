"""django-filter FilterSets of the portal's lists; every filter is answered by an index."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ..addresses import normalize_email
from ..exceptions import InvalidEmailAddress
from ..models import ReinstatementRequest, Suppression
from .advice import ADVICE


def _reason_choices() -> list[tuple[str, object]]:
    return [(reason, advice.plain) for reason, advice in ADVICE.items()]


class PausedFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Address or domain"),
        method="search",
        help_text=_("A whole address (any case), or a domain such as gmail.com."),
    )
    reason = django_filters.ChoiceFilter(
        label=_("Reason"), choices=_reason_choices, empty_label=_("Any reason")
    )

    class Meta:
        model = Suppression
        fields = ["q", "reason"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        term = value.strip()
        if not term:
            return queryset
        if "@" in term:
            try:
                address = normalize_email(term).address
            except InvalidEmailAddress:
                return queryset.none()
            return queryset.filter(address__address=address)
        try:
            domain = term.rstrip(".").encode("idna").decode("ascii").lower()
        except UnicodeError:
            return queryset.none()
        return queryset.filter(address__domain=domain)


class RequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        empty_label=_("Any status"),
        choices=[
            (ReinstatementRequest.Status.PENDING, _("Waiting for support")),
            (ReinstatementRequest.Status.APPROVED, _("Sending resumed")),
            (ReinstatementRequest.Status.REJECTED, _("Sending stays paused")),
            (ReinstatementRequest.Status.WITHDRAWN, _("Withdrawn")),
        ],
    )

    class Meta:
        model = ReinstatementRequest
        fields = ["status"]
