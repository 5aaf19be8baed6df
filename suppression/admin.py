"""A first, thin admin so the demo can be browsed; every state change goes through services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    BounceEvent,
    EmailAddress,
    ReinstatementRequest,
    School,
    SchoolMembership,
    Suppression,
)


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """Rows change only through the services: the admin shows them and their history."""

    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = SchoolMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(School)
class SchoolAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


class SuppressionInline(admin.TabularInline):
    model = Suppression
    readonly_fields = (
        "opened_at",
        "trigger",
        "reason",
        "bounce_type",
        "is_repeat",
        "lifted_at",
        "lifted_by",
    )
    fields = readonly_fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EmailAddress)
class EmailAddressAdmin(ReadOnlyHistoryAdmin):
    list_display = ["address", "domain", "probation_until", "created_at"]
    search_fields = ["=address", "=domain"]
    readonly_fields = ["address", "domain", "display", "created_at", "probation_until"]
    inlines = [SuppressionInline]


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "address",
        "reason",
        "bounce_type",
        "trigger",
        "is_repeat",
        "opened_at",
        "lifted_at",
    ]
    list_filter = ["reason", "bounce_type", "trigger", "is_repeat"]
    list_select_related = ["address"]
    search_fields = ["=address__address"]
    raw_id_fields = ["address"]
    ordering = ["-opened_at"]


@admin.register(BounceEvent)
class BounceEventAdmin(admin.ModelAdmin):
    list_display = [
        "address",
        "occurred_at",
        "bounce_type",
        "reason",
        "status",
        "smtp_code",
        "source",
        "stream",
        "school",
    ]
    list_filter = ["bounce_type", "reason", "source", "stream"]
    list_select_related = ["address", "school"]
    search_fields = ["=address__address"]
    ordering = ["-occurred_at"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReinstatementRequest)
class ReinstatementRequestAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "address",
        "school",
        "status",
        "requested_by",
        "created_at",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status", "school"]
    list_select_related = ["address", "school", "requested_by", "decided_by"]
    search_fields = ["=address__address"]
    ordering = ["-created_at"]
