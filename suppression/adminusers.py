"""Users and roles in the admin: nobody rises above their role, and nobody is ever deleted.

A lead manages agents and school owners within the rules of ``roles.py``; only a superuser
makes leads, auditors or superusers or sets their passwords. Every write goes through
``services/users.py``, which re-checks the rules on the locked row and writes the user's
history row with who and why; the forms only offer what the rules allow.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from .adminhistory import ReadOnlyHistoryMixin
from .exceptions import SuppressionError
from .services import users

WHY_HELP = "Goes on the audit trail with your name."
EDITABLE = ("username", "first_name", "last_name", "email", "is_active", "is_superuser", "groups")


def _why_field(*, required: bool) -> forms.CharField:
    return forms.CharField(
        label="Why", required=required, widget=forms.Textarea(attrs={"rows": 2}), help_text=WHY_HELP
    )


class UserChangeForm(auth_forms.UserChangeForm):
    why = _why_field(required=False)
    actor: User  # set by UserAccountAdmin.get_form

    def changes(self) -> dict[str, Any]:
        changed = {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in EDITABLE and name in self.cleaned_data  # an invalid field has no value
        }
        if "groups" in changed:
            changed["groups"] = {group.name for group in changed["groups"]}
        return changed

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        changes = self.changes()
        if changes and not cleaned.get("why", "").strip():
            self.add_error("why", "Say why: the reason goes on the audit trail.")
        checked = {k: v for k, v in changes.items() if k not in ("first_name", "last_name")}
        try:
            users.check_user_update(user=self.instance, actor=self.actor, **checked)
        except SuppressionError as error:
            raise ValidationError(str(error)) from error
        return cleaned


class UserAddForm(auth_forms.UserCreationForm):
    role = forms.ChoiceField(choices=())
    why = _why_field(required=True)
    actor: User

    class Meta(auth_forms.UserCreationForm.Meta):  # type: ignore[name-defined]
        fields = ("username", "email", "first_name", "last_name")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [(r, r) for r in users.creatable_roles(self.actor)]


class PasswordWithReasonForm(auth_forms.AdminPasswordChangeForm):
    why = _why_field(required=True)


class UserAccountAdmin(ReadOnlyHistoryMixin, UserAdmin):
    form = UserChangeForm
    add_form = UserAddForm
    change_password_form = PasswordWithReasonForm
    change_user_password_template = "admin/auth/user/change_password_with_reason.html"
    list_display = ["username", "email", "first_name", "last_name", "roles", "is_active"]
    list_filter = ["is_active", "groups", "is_superuser"]
    filter_horizontal = ()
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "email", "first_name", "last_name", "role"],
            },
        ),
        ("Password", {"fields": ["password1", "password2"]}),
        (None, {"fields": ["why"]}),
    ]

    @admin.display(description="Roles")
    def roles(self, obj: User) -> str:
        names = [group.name for group in obj.groups.all()]
        return ", ".join(["Superuser", *names] if obj.is_superuser else names)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return super().get_fieldsets(request, obj)
        fieldsets: list[tuple[str | None, dict[str, Any]]] = [
            (None, {"fields": ["username", "password"]}),
            ("Personal info", {"fields": ["first_name", "last_name", "email"]}),
            ("Roles and access", {"fields": ["is_active", "groups", "is_staff", "is_superuser"]}),
            ("Important dates", {"fields": ["last_login", "date_joined"]}),
        ]
        if self.has_change_permission(request, obj):
            fieldsets.append((None, {"fields": ["why"]}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        readonly = ["is_staff", "last_login", "date_joined"]
        if not request.user.is_superuser:
            readonly.append("is_superuser")
            if not users.may_set_password(request.user, obj):
                readonly += ["username", "email"]
        return readonly

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField | None:
        if db_field.name == "groups":
            kwargs["queryset"] = Group.objects.filter(name__in=users.grantable_groups(request.user))
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or users.may_manage(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: "who" in every history row keeps its name

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            if change:
                if changes := form.changes():
                    users.user_update(user=obj, actor=request.user, why=data["why"], **changes)
                return
            created = users.user_create(
                actor=request.user,
                username=data["username"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password1"],
                role=data["role"],
                why=data["why"],
            )
        except SuppressionError as error:  # the rules changed under the form: nothing is saved
            raise PermissionDenied(str(error)) from error
        obj.pk = created.pk  # the admin's message and redirect name the new row

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service has set the groups, with the rules and on the audit trail."""

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        user = self.get_object(request, unquote(id))
        if user is None:
            raise Http404
        if not users.may_set_password(request.user, user):
            raise PermissionDenied
        form = self.change_password_form(user, request.POST or None)
        if request.method == "POST" and form.is_valid():
            usable = form.cleaned_data.get("set_usable_password", True)
            try:
                users.user_set_password(
                    user=user,
                    actor=request.user,
                    password=form.cleaned_data["password1"] if usable else None,
                    why=form.cleaned_data["why"],
                )
            except SuppressionError as error:
                raise PermissionDenied(str(error)) from error
            if user.pk == request.user.pk:
                update_session_auth_hash(request, user)
            messages.success(request, "Password changed.")
            return HttpResponseRedirect(reverse("admin:auth_user_change", args=[user.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Set password: {user.get_username()}",
            "adminForm": admin.helpers.AdminForm(
                form,  # type: ignore[arg-type]  # Django's own view passes this form too
                [(None, {"fields": list(form.fields)})],
                {},
            ),
            "form_url": form_url,
            "form": form,
            "is_popup": False,
            "add": True,
            "change": False,
            "has_delete_permission": False,
            "has_change_permission": True,
            "has_absolute_url": False,
            "opts": self.opts,
            "original": user,
            "save_as": False,
            "show_save": True,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.change_user_password_template, context)


class RoleAdmin(GroupAdmin):
    """Roles are defined in ``roles.py`` and synced after every migrate: here they are shown."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.unregister(User)
admin.site.unregister(Group)
admin.site.register(User, UserAccountAdmin)
admin.site.register(Group, RoleAdmin)
