"""The console's sign-in sends school owners to their portal instead of saying "wrong password"."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

OWNER_CODE = "owner_use_portal"


def _is_owner(user: Any) -> bool:
    return bool(user.is_active and not user.is_staff and user.school_memberships.exists())


class OwnerAwareAdminAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        OWNER_CODE: gettext_lazy(
            "This is the support console. School owners sign in at the owner portal, /portal/."
        ),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        if _is_owner(user):
            raise ValidationError(self.error_messages[OWNER_CODE], code=OWNER_CODE)
        super().confirm_login_allowed(user)


def admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The admin's login view, except that an owner goes to the portal with a word why."""
    if request.user.is_authenticated and _is_owner(request.user):
        messages.info(request, _("The support console is for support staff; this is your portal."))
        return redirect("portal:home")
    response = admin.site.login(request, extra_context)
    context = getattr(response, "context_data", None) or {}
    form = context.get("form")
    if request.method == "POST" and form is not None and form.is_bound:
        codes = {error.code for error in form.non_field_errors().as_data()}
        if OWNER_CODE in codes:
            messages.info(
                request,
                _(
                    "That was the support console, which is for support staff. School owners "
                    "sign in here, at the owner portal."
                ),
            )
            return redirect("portal:login")
    return response


admin.site.login_form = OwnerAwareAdminAuthenticationForm
