"""The portal's forms. Labels and errors are translated; the services do the deciding."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..addresses import normalize_email
from ..exceptions import InvalidEmailAddress

MIN_EXPLANATION = 20


class PortalAuthenticationForm(AuthenticationForm):
    """Owners only: support staff are sent to the console instead."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "staff_use_console": _(
            "This is the school owners' portal. Support staff sign in to the support console "
            "at /admin/."
        ),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if user.is_staff or user.is_superuser:
            raise ValidationError(
                self.error_messages["staff_use_console"], code="staff_use_console"
            )


class OwnerPasswordResetForm(PasswordResetForm):
    """Resets owners' passwords only; staff passwords are a lead's business in the console."""

    def get_users(self, email: str) -> Any:
        return (user for user in super().get_users(email) if not user.is_staff)


def clean_address(value: str) -> str:
    try:
        return normalize_email(value).address
    except InvalidEmailAddress:
        raise ValidationError(
            _("Enter the whole email address, for example kate@example.com."), code="invalid"
        ) from None


class AddressField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Email address"))
        kwargs.setdefault("max_length", 320)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean(self, value: Any) -> str:
        return clean_address(super().clean(value))


class AddressLookupForm(forms.Form):
    address = AddressField(
        help_text=_("The exact address your client uses, as it appears in your school.")
    )


class ResumeForm(forms.Form):
    address = AddressField()
    explanation = forms.CharField(
        label=_("What did the client do?"),
        min_length=MIN_EXPLANATION,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For example: “The client cleared their mailbox and confirmed it has space.” "
            "At least 20 characters."
        ),
        error_messages={
            "required": _("Say what the client did to fix the problem."),
            "min_length": _("Say a little more: at least %(limit_value)d characters."),
        },
    )
    confirm = forms.BooleanField(
        label=_("The client told me the problem is solved."),
        error_messages={"required": _("Tick this once the client has confirmed it.")},
    )

    def clean_explanation(self) -> str:
        text = " ".join(self.cleaned_data["explanation"].split())
        if len(text) < MIN_EXPLANATION:
            raise ValidationError(
                _("Say a little more: at least %(limit_value)d characters."),
                code="min_length",
                params={"limit_value": MIN_EXPLANATION},
            )
        return self.cleaned_data["explanation"].strip()


class AskSupportForm(forms.Form):
    address = AddressField()
    message = forms.CharField(
        label=_("What should support check?"),
        min_length=MIN_EXPLANATION,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: “Our student says our mails stopped arriving.”"),
        error_messages={
            "required": _("Say what you would like support to check."),
            "min_length": _("Say a little more: at least %(limit_value)d characters."),
        },
    )


class WithdrawForm(forms.Form):
    """Nothing to fill in: the form exists for its CSRF token and POST."""


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


def is_owner(user: User) -> bool:
    return bool(user.is_active and not user.is_staff and user.school_memberships.exists())
