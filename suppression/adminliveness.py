"""The console's source liveness page: when each way in last delivered, and which are silent.

One page, no object pages: the rows are bookkeeping written by the ways in themselves
(services/liveness.py), never edited by a person.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone

from .conf import setting
from .models import SourceLiveness
from .selectors import source_liveness


@admin.register(SourceLiveness)
class SourceLivenessAdmin(admin.ModelAdmin):
    actions = None

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "",
                self.admin_site.admin_view(self.changelist_view),
                name="{}_{}_changelist".format(*info),
            )
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        now = timezone.now()
        context = {
            **self.admin_site.each_context(request),
            "title": "Source liveness",
            "opts": self.opts,
            "sources": source_liveness(now=now),
            "now": now,
            "silence_minutes": setting("LIVENESS_SILENCE_MINUTES"),
            "write_seconds": setting("LIVENESS_WRITE_SECONDS"),
        }
        return TemplateResponse(request, "admin/suppression/sourceliveness/liveness.html", context)
