"""The console's list checks: every school's checks, and a page to run one for a school.

Agents and leads run a check for a school (``add_listcheck``); everyone in the console reads
them. Support sees why a listed address is suppressed, whichever school it bounced for.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from ..conf import setting
from ..models import School
from ..portal.listcheck_views import download
from ..services.listchecks import list_check_create, list_check_retry
from . import uploads
from .models import ListCheck
from .selectors import summary_rows

RUN_PERM = "suppression.add_listcheck"


class RunCheckForm(forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.order_by("name"))
    file = forms.FileField(label="Contact list (CSV)")


@admin.register(ListCheck)
class ListCheckAdmin(admin.ModelAdmin):
    list_display = [
        "result_link",
        "school",
        "via",
        "created_by",
        "state",
        "rows_done",
        "created_at",
    ]
    list_filter = ["status", "via"]
    search_fields = ["school__name", "school__slug", "file_name"]
    list_select_related = ["school", "created_by"]
    show_full_result_count = False
    actions = None

    @admin.display(description="File", ordering="file_name")
    def result_link(self, obj: ListCheck) -> str:
        url = reverse("admin:suppression_listcheck_result", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.file_name)

    @admin.display(description="Status", ordering="status")
    def state(self, obj: ListCheck) -> str:
        return "Failed (worker stopped)" if obj.stalled else obj.get_status_display()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a check starts from an upload: the "run" page

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the retention setting deletes them

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra = {**(extra_context or {}), "may_run": request.user.has_perm(RUN_PERM)}
        return super().changelist_view(request, extra)

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("run/", wrap(self.run_view), name="suppression_listcheck_run"),
            path("<int:pk>/result/", wrap(self.result_view), name="suppression_listcheck_result"),
            path(
                "<int:pk>/report.csv",
                wrap(self.download_view),
                {"kind": "report"},
                name="suppression_listcheck_report",
            ),
            path(
                "<int:pk>/clean.csv",
                wrap(self.download_view),
                {"kind": "clean"},
                name="suppression_listcheck_clean",
            ),
            path("<int:pk>/retry/", wrap(self.retry_view), name="suppression_listcheck_retry"),
            *super().get_urls(),
        ]

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.opts, **extra}

    @csrf_exempt  # checked after the upload's size guard is in place
    def run_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(RUN_PERM):
            raise PermissionDenied
        limit = setting("LIST_CHECK_MAX_UPLOAD_BYTES")
        if request.method == "POST":
            if uploads.declared_too_large(request, limit):
                return self._run_page(request, RunCheckForm(), status=413, too_large=True)
            handler = uploads.guard(request, limit)
            return csrf_protect(self._run_post)(request, handler)
        return self._run_page(request, RunCheckForm(initial={"school": request.GET.get("school")}))

    def _run_post(self, request: HttpRequest, handler: uploads.SizeLimitHandler) -> HttpResponse:
        form = RunCheckForm(request.POST, request.FILES)
        if handler.too_large:
            return self._run_page(request, RunCheckForm(), status=413, too_large=True)
        if not form.is_valid():
            return self._run_page(request, form)
        upload = form.cleaned_data["file"]
        check = list_check_create(
            school=form.cleaned_data["school"],
            actor=request.user,  # type: ignore[arg-type]
            file_name=upload.name or "list.csv",
            chunks=upload.chunks(),
            via=ListCheck.Via.CONSOLE,
        )
        self.log_addition(request, check, f"Checked a list for {check.school}")
        return redirect("admin:suppression_listcheck_result", check.pk)

    def _run_page(
        self,
        request: HttpRequest,
        form: RunCheckForm,
        *,
        status: int = 200,
        too_large: bool = False,
    ) -> HttpResponse:
        limit = setting("LIST_CHECK_MAX_UPLOAD_BYTES")
        context = self._context(
            request,
            title="Check a contact list for a school",
            form=form,
            limit_mb=f"{limit / (1024 * 1024):.0f}",
            too_large=too_large,
        )
        return TemplateResponse(
            request, "admin/suppression/listcheck/run.html", context, status=status
        )

    def _check(self, request: HttpRequest, pk: int) -> ListCheck:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(ListCheck.objects.select_related("school", "created_by"), pk=pk)

    def result_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        check = self._check(request, pk)
        context = self._context(
            request,
            title=f"List check: {check.file_name}",
            check=check,
            rows=summary_rows(check),
            may_run=request.user.has_perm(RUN_PERM),
        )
        return TemplateResponse(request, "admin/suppression/listcheck/result.html", context)

    def download_view(self, request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
        return download(self._check(request, pk), kind)

    def retry_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        check = self._check(request, pk)
        if request.method != "POST" or not request.user.has_perm(RUN_PERM):
            raise PermissionDenied
        if list_check_retry(check=check, actor=request.user, via=ListCheck.Via.CONSOLE):  # type: ignore[arg-type]
            messages.success(request, "The check runs again.")
        return redirect("admin:suppression_listcheck_result", check.pk)
