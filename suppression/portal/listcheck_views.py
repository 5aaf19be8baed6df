"""The owner portal's list check: upload a CSV, watch it run, read the summary, download both files.

An owner sees only their school's checks (the school comes from the URL and their memberships;
another school's check id is a 404), and only until the retention setting expires them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import TemplateView

from ..conf import setting
from ..exceptions import NotAllowed
from ..listcheck import uploads
from ..listcheck.models import ListCheck
from ..listcheck.selectors import checks_for_school, summary_rows
from ..services.listchecks import list_check_create, list_check_retry
from .mixins import SchoolMixin


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Contact list (CSV)"),
        help_text=gettext_lazy(
            "A CSV file from your spreadsheet or CRM: comma, semicolon or tab separated, "
            "UTF-8 or Windows-1251, with or without a header row."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):.0f} MB"


@method_decorator(csrf_exempt, name="dispatch")  # checked in post(), after the size guard
class ListCheckView(SchoolMixin, TemplateView):
    template_name = "portal/listcheck/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", UploadForm())
        context["checks"] = checks_for_school(self.school)
        context["limit"] = _megabytes(setting("LIST_CHECK_MAX_UPLOAD_BYTES"))
        context["retention_days"] = setting("LIST_CHECK_RETENTION_DAYS")
        return context

    def _too_large(self, request: HttpRequest) -> HttpResponse:
        limit = setting("LIST_CHECK_MAX_UPLOAD_BYTES")
        error = _("The file is larger than %(limit)s. Split the list and check each part.") % {
            "limit": _megabytes(limit)
        }
        context = self.get_context_data(upload_error=error)
        return TemplateResponse(request, self.template_name, context, status=413)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limit = setting("LIST_CHECK_MAX_UPLOAD_BYTES")
        if uploads.declared_too_large(request, limit):
            return self._too_large(request)
        handler = uploads.guard(request, limit)
        return csrf_protect(self._upload)(request, handler)

    def _upload(self, request: HttpRequest, handler: uploads.SizeLimitHandler) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        if handler.too_large:
            return self._too_large(request)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        try:
            check = list_check_create(
                school=self.school,
                actor=request.user,  # type: ignore[arg-type]
                file_name=upload.name or "list.csv",
                chunks=upload.chunks(),
                via=ListCheck.Via.PORTAL,
            )
        except NotAllowed:
            raise Http404("No such school") from None
        return redirect("portal:list_check_detail", school=self.school.slug, pk=check.pk)


class _OneCheckMixin(SchoolMixin):
    check: ListCheck

    def resolve_objects(self, **kwargs: Any) -> None:
        found = checks_for_school(self.school).filter(pk=kwargs["pk"]).first()
        if found is None:
            raise Http404("No such check")
        self.check = found


class ListCheckDetailView(_OneCheckMixin, TemplateView):
    template_name = "portal/listcheck/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["check"] = self.check
        context["rows"] = summary_rows(self.check)
        return context


class ListCheckDownloadView(_OneCheckMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        return download(self.check, kwargs["kind"])


def download(check: ListCheck, kind: str) -> FileResponse:
    """The report or the cleaned file as an attachment; 404 until the check is done."""
    paths = {"report": check.report_path, "clean": check.cleaned_path}
    if kind not in paths or check.status != "done" or not paths[kind].is_file():
        raise Http404("No such file")
    return FileResponse(
        paths[kind].open("rb"),
        as_attachment=True,
        filename=f"{check.download_stem}.{kind}.csv",
        content_type="text/csv",
    )


class ListCheckRetryView(_OneCheckMixin, View):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if list_check_retry(check=self.check, actor=request.user, via=ListCheck.Via.PORTAL):  # type: ignore[arg-type]
            messages.success(request, _("The check runs again."))
        return redirect("portal:list_check_detail", school=self.school.slug, pk=self.check.pk)
