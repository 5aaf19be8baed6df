"""The console's "Invite an owner" page on a school (leads and superusers only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from .exceptions import SuppressionError
from .models import School
from .services.owners import INVITE_PERMS, owner_invite


class InviteOwnerForm(forms.Form):
    email = forms.EmailField(label="Owner's email address")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    language = forms.ChoiceField(
        choices=settings.LANGUAGES, initial="uk", help_text="The language of the invitation mail."
    )


def may_invite(request: HttpRequest) -> bool:
    return all(request.user.has_perm(perm) for perm in INVITE_PERMS)


class InviteOwnerMixin(admin.ModelAdmin):
    """Adds ``<school id>/invite-owner/`` to a school's admin pages."""

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/invite-owner/",
                self.admin_site.admin_view(self.invite_owner_view),
                name=f"{info[0]}_{info[1]}_invite_owner",
            ),
            *super().get_urls(),
        ]

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        context["may_invite_owner"] = may_invite(request)
        return super().render_change_form(request, context, *args, **kwargs)

    def invite_owner_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not may_invite(request):
            raise PermissionDenied
        school = get_object_or_404(School, pk=object_id)
        form = InviteOwnerForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                invitation = owner_invite(
                    email=form.cleaned_data["email"],
                    school=school,
                    actor=request.user,  # type: ignore[arg-type]
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    language=form.cleaned_data["language"],
                )
            except SuppressionError as error:
                form.add_error("email", str(error))
            else:
                self.log_change(request, school, f"Invited {invitation.user} as an owner")
                messages.success(
                    request,
                    f"Invitation mailed to {invitation.user.email}: "
                    + (
                        "a link to set a password."
                        if not invitation.user.has_usable_password()
                        else "they already have a password and can sign in."
                    ),
                )
                return redirect("admin:suppression_school_change", school.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Invite an owner to {school}",
            "opts": self.opts,
            "original": school,
            "form": form,
        }
        return TemplateResponse(request, "admin/suppression/school/invite_owner.html", context)
