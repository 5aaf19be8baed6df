"""History pages that only read: every staff role may look, nobody may revert.

django-simple-history's per-version page checks only the view permission and saves the object
on POST ("revert disabled" only hides the button), so a view-only role could write any field
through it, bypassing every service. ``ReadOnlyHistoryMixin`` replaces that view: GET shows the
version read-only, any other method is refused before a form exists, and an id that does not
name a version of this object is a 404 (the library answered 500 to ``history/abc/``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

READ_METHODS = ["GET", "HEAD"]


def _to_key(field: models.Field, value: str) -> Any:
    try:
        return field.to_python(value)
    except (ValidationError, ValueError, TypeError) as error:
        raise Http404 from error


class ReadOnlyHistoryMixin(SimpleHistoryAdmin):
    """Use in place of ``SimpleHistoryAdmin`` for every ModelAdmin that shows history."""

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_change_history_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        if request.method not in READ_METHODS:
            return HttpResponseNotAllowed(READ_METHODS)
        object_id = str(_to_key(self.model._meta.pk, unquote(object_id)))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict | None = None,
    ) -> HttpResponse:
        if request.method not in READ_METHODS:
            return HttpResponseNotAllowed(READ_METHODS)
        opts = self.model._meta
        history_model = self.model.history.model  # type: ignore[attr-defined]
        record = history_model.objects.filter(
            **{
                opts.pk.attname: _to_key(opts.pk, unquote(object_id)),
                "history_id": _to_key(history_model._meta.pk, version_id),
            }
        ).first()
        if record is None:
            raise Http404
        obj = record.instance
        obj._state.adding = False
        if not self.has_view_history_or_change_history_permission(request, obj):
            raise PermissionDenied

        fieldsets = self._version_fieldsets(request, obj, history_model)
        form = forms.modelform_factory(self.model, fields=())(instance=obj)
        admin_form = helpers.AdminForm(
            form, fieldsets, {}, flatten_fieldsets(fieldsets), model_admin=self
        )
        prefix = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}"
        context = {
            **self.admin_site.each_context(request),
            "title": _("View %s") % force_str(obj),
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "media": self.media + admin_form.media,
            "errors": [],
            "app_label": opts.app_label,
            "original_opts": opts,
            "changelist_url": reverse(f"{prefix}_changelist"),
            "change_url": reverse(f"{prefix}_change", args=(obj.pk,)),
            "history_url": reverse(f"{prefix}_history", args=(obj.pk,)),
            "change_history": False,
            "revert_disabled": True,
            "add": False,
            "change": True,
            "has_add_permission": False,
            "has_view_permission": True,
            "has_change_permission": False,
            "has_delete_permission": False,
            "has_editable_inline_admin_formsets": False,
            "has_file_field": False,
            "has_absolute_url": False,
            "form_url": "",
            "opts": history_model._meta,
            "save_as": False,
            "save_on_top": False,
            **(extra_context or {}),
        }
        return self.render_history_view(request, self.object_history_form_template, context)

    def _version_fieldsets(
        self, request: HttpRequest, obj: models.Model, history_model: Any
    ) -> Any:
        """The change page's fieldsets, keeping only what the version itself recorded.

        A field excluded from history (a password hash, ``last_used_at``) would show the current
        row's value under an old version's date; a form-only field has no value at all.
        """
        tracked = {field.name for field in history_model.tracked_fields}
        model_fields = {field.name for field in self.model._meta.get_fields()}
        readonly = set(self.get_readonly_fields(request, obj))

        def shown(name: str) -> bool:
            return name in tracked or (name not in model_fields and name in readonly)

        kept = []
        for title, options in self.get_fieldsets(request, obj):
            fields = []
            for entry in options.get("fields", ()):
                if isinstance(entry, list | tuple):
                    line = [field for field in entry if shown(field)]
                    if line:
                        fields.append(tuple(line))
                elif shown(entry):
                    fields.append(entry)
            if fields:
                kept.append((title, {**options, "fields": fields}))
        return kept
