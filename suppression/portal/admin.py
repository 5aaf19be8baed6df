"""The console's queue of owners' questions about addresses (asked in the portal)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from ..adminhistory import ReadOnlyHistoryMixin
from ..exceptions import SuppressionError
from ..services.owners import inquiry_answer
from .models import AddressInquiry


@admin.register(AddressInquiry)
class AddressInquiryAdmin(ReadOnlyHistoryMixin):
    list_display = ["email", "school", "asked_by", "status", "created_at", "answered_by"]
    list_filter = ["status", "school"]
    list_select_related = ["school", "asked_by", "answered_by"]
    search_fields = ["=email"]
    ordering = ["-created_at"]
    readonly_fields = [
        "school",
        "email",
        "asked_by",
        "message",
        "status",
        "created_at",
        "answered_by",
        "answered_at",
        "answer",
    ]
    actions = ["mark_answered"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("suppression.decide_reinstatementrequest")

    @admin.action(
        description="Mark answered (support replied to the owner by mail)", permissions=["decide"]
    )
    def mark_answered(self, request: HttpRequest, queryset: QuerySet) -> None:
        for inquiry in queryset:
            try:
                inquiry_answer(
                    inquiry=inquiry,
                    actor=request.user,  # type: ignore[arg-type]
                    answer="Support replied by mail.",
                )
            except SuppressionError as error:
                self.message_user(request, f"{inquiry.email}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{inquiry.email}: marked answered.", messages.SUCCESS)
