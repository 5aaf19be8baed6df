"""The console's incident pages: open and lifted pauses, the refusals behind each, a lead's lift."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone

from ..admin import ReadOnlyHistoryAdmin
from ..adminsupport import shown_text
from ..exceptions import SuppressionError
from ..models import (
    BounceEvent,
    Incident,
    ReasonChoices,
    ResumeBatch,
    ResumeBatchItem,
    School,
)
from ..services.incidents import incident_lift
from ..services.waves import WaveCriteria, batch_create, batch_undo, wave_preview

EVENTS_SHOWN = 200


class IncidentStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("open", "Open"), ("lifted", "Lifted")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "open":
            return queryset.filter(lifted_at__isnull=True)
        if self.value() == "lifted":
            return queryset.filter(lifted_at__isnull=False)
        return queryset


class LiftForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the pause may end now (for example: delisted, DMARC record fixed).",
    )


def may_lift(request: HttpRequest) -> bool:
    return request.user.has_perm("suppression.lift_incident")


@admin.register(Incident)
class IncidentAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "organisation",
        "opened_at",
        "until",
        "refusals",
        "repeat",
        "lifted_at",
        "lift_kind",
        "lifted_by",
    ]
    list_filter = [IncidentStateFilter, "lift_kind"]
    search_fields = ["organisation", "domains__domain"]
    list_select_related = ["lifted_by"]
    ordering = ["-opened_at"]
    fields = [
        "organisation",
        "opened_at",
        "until",
        "streams",
        "refusals",
        "repeat",
        "lifted_at",
        "lift_kind",
        "lifted_by",
        "lift_note_shown",
    ]
    readonly_fields = ["lift_note_shown"]
    lift_note_shown = shown_text("lift_note", "lift note")

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/lift/",
                self.admin_site.admin_view(self.lift_view),
                name="suppression_incident_lift",
            ),
            *super().get_urls(),
        ]

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        incident = context.get("original")
        if incident is not None:
            context["paused_domains"] = list(incident.domains.all())
            context["refusal_events"] = list(
                BounceEvent.objects.filter(refusal__incident=incident)
                .select_related("address", "school")
                .order_by("-received_at")[:EVENTS_SHOWN]
            )
            context["events_shown"] = EVENTS_SHOWN
            context["may_lift"] = may_lift(request) and incident.is_open
        return super().render_change_form(request, context, *args, **kwargs)

    def lift_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not may_lift(request):
            raise PermissionDenied
        incident = get_object_or_404(Incident, pk=object_id)
        form = LiftForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                incident_lift(
                    incident=incident,
                    actor=request.user,  # type: ignore[arg-type]
                    note=form.cleaned_data["note"],
                )
            except SuppressionError as error:
                form.add_error("note", str(error))
            else:
                messages.success(request, f"The pause of {incident.organisation} is lifted.")
                return redirect("admin:suppression_incident_change", incident.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Lift the pause of {incident.organisation}",
            "opts": self.opts,
            "original": incident,
            "form": form,
        }
        return TemplateResponse(request, "admin/suppression/incident/lift.html", context)


# --- Resume batches (undo a wave) ----------------------------------------------------------------


class WaveForm(forms.Form):
    reasons = forms.MultipleChoiceField(
        choices=ReasonChoices.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    domain = forms.CharField(max_length=255, required=False, help_text="The recipient domain.")
    opened_from = forms.DateField(required=False, help_text="Suppressed on or after (YYYY-MM-DD).")
    opened_to = forms.DateField(required=False, help_text="Suppressed on or before.")
    school = forms.ModelChoiceField(queryset=School.objects.all(), required=False)
    rule = forms.CharField(max_length=100, required=False, help_text="The parser rule.")

    def criteria(self) -> WaveCriteria:
        data = self.cleaned_data
        return WaveCriteria(
            reasons=tuple(data["reasons"]),
            domain=data["domain"].strip().lower(),
            opened_from=data["opened_from"],
            opened_to=data["opened_to"],
            school_id=data["school"].pk if data["school"] else None,
            rule=data["rule"].strip(),
        )


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Why.")


def may_run_batches(request: HttpRequest) -> bool:
    return request.user.has_perm("suppression.run_resumebatch")


class ResumeBatchItemInline(admin.TabularInline):
    model = ResumeBatchItem
    fields = ["address", "suppression", "state", "why", "resuppression"]
    readonly_fields = ["address", "suppression", "state", "why", "resuppression"]
    extra = 0
    can_delete = False
    max_num = 0
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The left-out ones first: they are what a lead must read.
        return super().get_queryset(request).select_related("address").order_by("-state", "pk")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ResumeBatch)
class ResumeBatchAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "__str__",
        "created_by",
        "created_at",
        "status",
        "selected",
        "resumed",
        "left_out",
        "undo_until",
    ]
    list_filter = ["status"]
    list_select_related = ["created_by"]
    ordering = ["-created_at"]
    fields = [
        "created_by",
        "created_at",
        "note_shown",
        "criteria",
        "status",
        "selected",
        "resumed",
        "left_out",
        "finished_at",
        "undo_until",
        "undone_by",
        "undo_note_shown",
        "resuppressed",
        "undone_at",
    ]
    readonly_fields = ["note_shown", "undo_note_shown"]
    note_shown = shown_text("note", "why")
    undo_note_shown = shown_text("undo_note", "why undone")
    inlines = [ResumeBatchItemInline]

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "wave/",
                self.admin_site.admin_view(self.wave_view),
                name="suppression_resumebatch_wave",
            ),
            path(
                "<path:object_id>/undo/",
                self.admin_site.admin_view(self.undo_view),
                name="suppression_resumebatch_undo",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        extra = {**(extra_context or {}), "may_run_batches": may_run_batches(request)}
        return super().changelist_view(request, extra)

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        batch = context.get("original")
        context["may_undo"] = (
            batch is not None
            and may_run_batches(request)
            and batch.status == ResumeBatch.Status.DONE
            and batch.undo_until is not None
            and batch.undo_until > timezone.now()
        )
        return super().render_change_form(request, context, *args, **kwargs)

    def wave_view(self, request: HttpRequest) -> HttpResponse:
        """GET: the selection form and, once filled in, its preview; POST: resume it."""
        if not may_run_batches(request):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else (request.GET or None)
        form = WaveForm(data)
        note_form = NoteForm(request.POST if request.method == "POST" else None)
        preview = wave_preview(form.criteria()) if form.is_valid() else None
        if request.method == "POST" and form.is_valid() and note_form.is_valid():
            try:
                batch = batch_create(
                    criteria=form.criteria(),
                    actor=request.user,  # type: ignore[arg-type]
                    note=note_form.cleaned_data["note"],
                )
            except SuppressionError as error:
                note_form.add_error("note", str(error))
            else:
                messages.success(
                    request, f"{batch} resumes {batch.selected} addresses in the background."
                )
                return redirect("admin:suppression_resumebatch_change", batch.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Undo a wave: resume many suppressions at once",
            "opts": self.opts,
            "form": form,
            "note_form": note_form,
            "preview": preview,
            "reason_labels": dict(ReasonChoices.choices),
        }
        return TemplateResponse(request, "admin/suppression/resumebatch/wave.html", context)

    def undo_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not may_run_batches(request):
            raise PermissionDenied
        batch = get_object_or_404(ResumeBatch, pk=object_id)
        form = NoteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                batch_undo(batch=batch, actor=request.user, note=form.cleaned_data["note"])  # type: ignore[arg-type]
            except SuppressionError as error:
                form.add_error("note", str(error))
            else:
                messages.success(request, f"{batch} is being undone in the background.")
                return redirect("admin:suppression_resumebatch_change", batch.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Undo {batch}",
            "opts": self.opts,
            "original": batch,
            "form": form,
        }
        return TemplateResponse(request, "admin/suppression/resumebatch/undo.html", context)
