"""The console's list pages, as admin views: the request queue, the event list, the audit log.

Each replaces a stock changelist where the stock one cannot stay fast at size (it counts and
pages by OFFSET) or cannot say what a person needs; POSTs still reach the stock changelist, so
its actions keep their own permission checks.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import urlencode

from ..textsafety import neutralize_csv_cell
from . import selectors
from .audit import NOBODY, history_object_types
from .filters import AuditFilterForm, EventFilterForm, QueueFilterForm
from .models import AuditEntry


def _page_links(request: HttpRequest, next_cursor: str | None) -> dict[str, str]:
    params = request.GET.copy()
    params.pop("after", None)
    first = params.urlencode()
    links = {"first_url": f"?{first}" if request.GET.get("after") else ""}
    if next_cursor:
        params["after"] = next_cursor
        links["next_url"] = f"?{params.urlencode()}"
    return links


def _render(
    model_admin: admin.ModelAdmin, request: HttpRequest, template: str, context: dict
) -> TemplateResponse:
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            **context,
        },
    )


class RequestQueueMixin(admin.ModelAdmin):
    """The requests' list is the queue: pending ones oldest first, late ones marked."""

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        if request.method == "POST":
            return super().changelist_view(request, extra_context)
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        form = QueueFilterForm(request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        status = data.get("status") or "pending"
        page = selectors.request_queue(
            now=timezone.now(),
            status="" if status == "all" else status,
            reason=data.get("reason") or "",
            school_id=data.get("school"),
            age=data.get("age") or "",
            cursor=form.cursor() if data else None,
            size=data.get("n") or 50,
        )
        return _render(
            self,
            request,
            "admin/console/queue.html",
            {
                "title": "Requests to resume sending",
                "form": form if request.GET else QueueFilterForm(),
                "page": page,
                "target_hours": int(page.target.total_seconds() // 3600),
                **_page_links(request, page.next_cursor),
            },
        )


class EventListMixin(admin.ModelAdmin):
    """The events' list: filters served by an index or refused, keyset pages, exact counts."""

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        if request.method == "POST":
            return super().changelist_view(request, extra_context)
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        form = EventFilterForm(request.GET or None)
        page = None
        if not request.GET or form.is_valid():
            data = form.cleaned_data if request.GET else {}
            stream = data.get("stream") or ""
            page = selectors.event_page(
                selectors.EventFilters(
                    bounce_type=data.get("bounce_type") or "",
                    reason=data.get("reason") or "",
                    source=data.get("source") or "",
                    stream=None if not stream else ("" if stream == "none" else stream),
                    school_id=data.get("school"),
                    day_from=data.get("day_from"),
                    day_to=data.get("day_to"),
                    q=data.get("q") or "",
                    cursor=form.cursor() if request.GET else None,
                    size=data.get("n") or 50,
                )
            )
        return _render(
            self,
            request,
            "admin/console/events.html",
            {
                "title": "Bounce events",
                "form": form if request.GET else EventFilterForm(),
                "page": page,
                **_page_links(request, page.next_cursor if page else None),
            },
        )


def object_url(entry: AuditEntry) -> str:
    """The admin page of the entry's object, or "" when the admin has none."""
    app_label, _, model_name = entry.object_type.partition(".")
    try:
        return reverse(f"admin:{app_label}_{model_name}_change", args=[entry.object_id])
    except NoReverseMatch:
        return ""


AUDIT_COLUMNS = [
    "when (UTC)",
    "person",
    "object type",
    "object id",
    "object",
    "action",
    "what changed",
    "reason",
]


class AuditLogAdmin(admin.ModelAdmin):
    """One page across every history-tracked object; nothing on it changes anything."""

    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list:
        name = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        return [
            path("", self.admin_site.admin_view(self.log_view), name=f"{name}_changelist"),
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_view),
                name=f"{name}_export",
            ),
        ]

    def _filters(self, form: AuditFilterForm) -> selectors.AuditFilters:
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        person = data.get("person") or ""
        return selectors.AuditFilters(
            actor_id=int(person) if person.isdigit() else None,
            system=person == "system",
            object_type=data.get("object_type") or "",
            action=data.get("action") or "",
            day_from=data.get("day_from"),
            day_to=data.get("day_to"),
            cursor=form.cursor() if data else None,
            size=data.get("n") or 50,
        )

    def log_view(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = AuditFilterForm(request.GET or None)
        page = selectors.audit_page(self._filters(form))
        labels = dict(history_object_types())
        rows = [
            (entry, object_url(entry), labels.get(entry.object_type, entry.object_type))
            for entry in page.rows
        ]
        params = request.GET.copy()
        params.pop("after", None)
        return _render(
            self,
            request,
            "admin/console/audit.html",
            {
                "title": "Audit log",
                "form": form if request.GET else AuditFilterForm(),
                "rows": rows,
                "nobody": NOBODY,
                "export_url": reverse("admin:suppression_auditentry_export")
                + (f"?{params.urlencode()}" if params else ""),
                **_page_links(request, page.next_cursor),
            },
        )

    def export_view(self, request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        if not self.has_view_permission(request):
            raise PermissionDenied
        filters = self._filters(AuditFilterForm(request.GET or None))
        filters.cursor = None

        class Echo:
            def write(self, value: str) -> str:
                return value

        writer = csv.writer(Echo())

        def lines() -> Iterator[str]:
            yield writer.writerow(AUDIT_COLUMNS)
            for entry in selectors.audit_chunks(filters):
                yield writer.writerow(
                    [
                        neutralize_csv_cell(value)
                        for value in (
                            entry.at.isoformat(),
                            entry.actor.get_username() if entry.actor_id else NOBODY,
                            entry.object_type,
                            entry.object_id,
                            entry.object_repr,
                            entry.get_action_display(),
                            entry.summary,
                            entry.reason,
                        )
                    ]
                )

        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        return StreamingHttpResponse(
            lines(),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'},
        )


def register(site: admin.AdminSite) -> None:
    site.register(AuditEntry, AuditLogAdmin)


__all__ = ["AuditLogAdmin", "EventListMixin", "RequestQueueMixin", "register", "urlencode"]
