"""Admin pieces that keep list pages fast at millions of rows."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from django.contrib import admin
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpRequest

from .addresses import normalize_email
from .exceptions import InvalidEmailAddress
from .textsafety import visible_controls

EXACT_COUNT_BELOW = 10_000


class EstimatedCountPaginator(Paginator):
    """Counts exactly only when the planner expects a small result.

    The admin counts every list it shows; on PostgreSQL a count over millions of events scans
    them all. Above ``EXACT_COUNT_BELOW`` rows the planner's estimate is shown instead: page
    links stay usable, and "about 5,000,000" is as useful to a person as the exact figure.
    """

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        queryset = self.object_list
        if isinstance(queryset, QuerySet):
            connection = connections[queryset.db]
            if connection.vendor == "postgresql":
                try:
                    sql, params = queryset.order_by().query.sql_with_params()
                except EmptyResultSet:  # .none(), or a filter that can match nothing
                    return 0
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
                    plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                estimate = int(plan[0]["Plan"]["Plan Rows"])
                if estimate >= EXACT_COUNT_BELOW:
                    return estimate
        return super().count


class AddressSearchMixin(admin.ModelAdmin):
    """Search by an exact address or domain, normalized as stored, so the index serves it.

    The admin's own ``=field`` search is case-insensitive (``UPPER(x) = UPPER(y)``), which no
    index on the normalized column can answer at a million rows.
    """

    address_lookup = "address"
    domain_lookup = "domain"
    search_fields = ["address"]  # shows the search box; the lookup itself is below
    search_help_text = "An exact email address (any case) or a domain, e.g. gmail.com."

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term:
            try:
                address = normalize_email(term).address
            except InvalidEmailAddress:
                return queryset.none(), False
            return queryset.filter(**{self.address_lookup: address}), False
        try:
            domain = term.rstrip(".").encode("idna").decode("ascii").lower()
        except UnicodeError:
            return queryset.none(), False
        return queryset.filter(**{self.domain_lookup: domain}), False


class LargeTableMixin(admin.ModelAdmin):
    """For ModelAdmins of tables that grow to millions: no full counts, estimated page counts."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator


class SuppressionStateFilter(admin.SimpleListFilter):
    """Open (sending paused) or lifted (sending resumed)."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("open", "Open: sending paused"), ("lifted", "Lifted: sending resumed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        if self.value() == "open":
            return queryset.filter(lifted_at__isnull=True)
        if self.value() == "lifted":
            return queryset.filter(lifted_at__isnull=False)
        return queryset


def shown_text(field: str, description: str) -> Any:
    """A read-only admin column or field showing ``field`` with its hidden characters named.

    Outside text (a server's diagnostic, an owner's explanation, a note) is stored as received;
    on the page a right-to-left override or a zero-width character appears as ``<U+202E>``
    instead of silently reordering or hiding what the text says.
    """

    @admin.display(description=description)
    def show(model_admin: admin.ModelAdmin, obj: Any) -> str:
        return visible_controls(getattr(obj, field))

    show.__name__ = f"{field}_shown"
    return show
