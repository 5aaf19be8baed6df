"""The admin, declarative: the case page and decisions are views in console/; writes: services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from .admin_invite import InviteOwnerMixin
from .adminhistory import ReadOnlyHistoryMixin
from .adminsupport import (
    AddressSearchMixin,
    LargeTableMixin,
    SuppressionStateFilter,
    shown_text,
)
from .console.case import CaseAdminMixin, DecisionAdminMixin, RawMessageAdminMixin
from .console.case_selectors import state_of, with_sending_state
from .console.views import EventListMixin, RequestQueueMixin
from .console.views import register as register_console
from .exceptions import SuppressionError
from .models import (
    BounceEvent,
    EmailAddress,
    ReinstatementRequest,
    School,
    SchoolMembership,
    Suppression,
    SuppressionChange,
    UnparsedMessage,
)
from .roles import SCHOOL_OWNER
from .services import users
from .textsafety import visible_controls


class NoWritesMixin:
    """Rows change only through the services (or never): the admin only shows them.

    Refused even to superusers, who otherwise pass every permission check.
    """

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyHistoryAdmin(NoWritesMixin, LargeTableMixin, ReadOnlyHistoryMixin):
    pass


class MembershipInline(admin.TabularInline):
    model = SchoolMembership
    fields = ["user", "created_at"]
    readonly_fields = ["created_at"]
    extra = 0
    autocomplete_fields = ["user"]

    # Rows are added or removed, never edited into another user's (services/users.py).
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(groups__name=SCHOOL_OWNER)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(School)
class SchoolAdmin(InviteOwnerMixin, ReadOnlyHistoryMixin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at"]
    inlines = [MembershipInline]

    # simple-history takes the user from the request; the reason says where the change was made.
    def save_model(self, request: HttpRequest, obj: School, form: Any, change: bool) -> None:
        obj._change_reason = "edited in the admin" if change else "created in the admin"  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        school = form.instance
        try:
            for membership in formset.save(commit=False):
                users.membership_add(
                    school=school,
                    user=membership.user,
                    actor=request.user,
                    why="owner added in the admin",
                )
            for membership in formset.deleted_objects:
                users.membership_remove(
                    membership=membership, actor=request.user, why="owner removed in the admin"
                )
        except SuppressionError as error:  # the rules changed under the form: nothing is saved
            raise PermissionDenied(str(error)) from error


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
class EmailAddressAdmin(CaseAdminMixin, AddressSearchMixin, ReadOnlyHistoryAdmin):
    """The change page is the support console's case page (console/case.py)."""

    list_display = ["address", "sending", "domain", "created_at"]
    readonly_fields = ["address", "domain", "display", "created_at", "probation_until"]
    inlines = [SuppressionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return with_sending_state(super().get_queryset(request))

    @admin.display(description="sending")
    def sending(self, obj: EmailAddress) -> str:
        return state_of(obj).words


@admin.register(Suppression)
class SuppressionAdmin(AddressSearchMixin, ReadOnlyHistoryAdmin):
    address_lookup = "address__address"
    domain_lookup = "address__domain"
    list_display = [
        "address",
        "reason",
        "bounce_type",
        "trigger",
        "is_repeat",
        "opened_at",
        "lifted_at",
    ]
    list_filter = [SuppressionStateFilter, "reason", "bounce_type", "trigger", "is_repeat"]
    list_select_related = ["address"]
    raw_id_fields = ["address"]
    ordering = ["-opened_at"]
    fields = [
        "address",
        "trigger",
        "reason",
        "bounce_type",
        "is_repeat",
        "opened_at",
        "opened_by",
        "open_note_shown",
        "lifted_at",
        "lifted_by",
        "lift_note_shown",
    ]
    readonly_fields = ["open_note_shown", "lift_note_shown"]
    open_note_shown = shown_text("open_note", "open note")
    lift_note_shown = shown_text("lift_note", "lift note")


@admin.register(BounceEvent)
class BounceEventAdmin(
    RawMessageAdminMixin,
    EventListMixin,
    AddressSearchMixin,
    NoWritesMixin,
    LargeTableMixin,
    admin.ModelAdmin,
):
    address_lookup = "address__address"
    domain_lookup = "address__domain"
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
    ordering = ["-occurred_at"]
    fields = [
        "address",
        "suppression",
        "occurred_at",
        "received_at",
        "bounce_type",
        "reason",
        "status",
        "smtp_code",
        "diagnostic_shown",
        "rule",
        "remote_mta_shown",
        "source",
        "dedupe_key",
        "stream",
        "school",
        "message_id_shown",
    ]
    readonly_fields = ["diagnostic_shown", "remote_mta_shown", "message_id_shown"]
    # Written by whoever sent the bounce.
    diagnostic_shown = shown_text("diagnostic", "diagnostic")
    remote_mta_shown = shown_text("remote_mta", "remote MTA")
    message_id_shown = shown_text("message_id", "original Message-ID")


@admin.register(ReinstatementRequest)
class ReinstatementRequestAdmin(
    DecisionAdminMixin, RequestQueueMixin, AddressSearchMixin, ReadOnlyHistoryAdmin
):
    address_lookup = "address__address"
    domain_lookup = "address__domain"
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
    ordering = ["-created_at"]
    # Decided one at a time on the case page, with a note and a confirmation (console/case.py).
    actions = None
    fields = [
        "address",
        "school",
        "suppression",
        "requested_by",
        "on_behalf_of_owner",
        "explanation_shown",
        "status",
        "created_at",
        "decided_by",
        "decided_at",
        "decision_note_shown",
        "override_reason_shown",
    ]
    readonly_fields = ["explanation_shown", "decision_note_shown", "override_reason_shown"]
    explanation_shown = shown_text("explanation", "explanation")
    decision_note_shown = shown_text("decision_note", "decision note")
    override_reason_shown = shown_text("override_reason", "override reason")


@admin.register(SuppressionChange)
class SuppressionChangeAdmin(AddressSearchMixin, NoWritesMixin, LargeTableMixin, admin.ModelAdmin):
    address_lookup = "address__address"
    domain_lookup = "address__domain"
    """The feed the sending system follows; written only by the services."""

    list_display = ["id", "address", "kind", "at"]
    list_filter = ["kind"]
    list_select_related = ["address"]


@admin.register(UnparsedMessage)
class UnparsedMessageAdmin(LargeTableMixin, admin.ModelAdmin):
    """Bounce messages the parser could not read, kept for a person to look at."""

    list_display = ["received_at", "origin_shown", "size", "detail_shown"]
    search_fields = ["origin", "=sha256"]
    fields = ["received_at", "origin_shown", "sha256", "size", "detail_shown", "raw_excerpt"]
    readonly_fields = [
        "received_at",
        "origin_shown",
        "sha256",
        "size",
        "detail_shown",
        "raw_excerpt",
    ]
    origin_shown = shown_text("origin", "origin")
    detail_shown = shown_text("detail", "detail")

    @admin.display(description="Message (first 20 kB)")
    def raw_excerpt(self, obj: UnparsedMessage) -> str:
        return visible_controls(bytes(obj.raw[:20000]).decode("utf-8", errors="replace"))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


from . import adminliveness as _adminliveness  # noqa: E402, F401  (source liveness)

register_console(admin.site)  # the audit log

from . import adminusers as _adminusers  # noqa: E402, F401  (users and roles)
from .api import admin as _api_admin  # noqa: E402, F401  (registers ApiClientAdmin)
from .incidents import admin as _incidents_admin  # noqa: E402, F401  (incidents, resume batches)
from .listcheck import admin as _listcheck_admin  # noqa: E402, F401  (registers ListCheckAdmin)
from .portal import admin as _portal_admin  # noqa: E402, F401  (registers AddressInquiryAdmin)
from .signin import admin as _signin_admin  # noqa: E402, F401  (replaces axes' attempts admin)
