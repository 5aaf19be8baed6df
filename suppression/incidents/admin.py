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

from ..admin import ReadOnlyHistoryAdmin
from ..adminsupport import shown_text
from ..exceptions import SuppressionError
from ..models import BounceEvent, Incident
from ..services.incidents import incident_lift

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
