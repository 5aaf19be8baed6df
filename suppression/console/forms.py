"""The console lists' filter forms (GET): what a person picks, validated into selector filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from ..models import BounceTypeChoices, ReasonChoices, RequestStatus, School, Source, Stream
from .audit import history_object_types
from .models import AuditAction
from .selectors import AGES, MAX_PAGE, decode_cursor

ANY = [("", "Any")]


class CursorForm(forms.Form):
    after = forms.CharField(required=False, widget=forms.HiddenInput)
    n = forms.IntegerField(label="Rows", min_value=1, max_value=MAX_PAGE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields([name for name in self.fields if name != "n"] + ["n"])

    def cursor(self) -> Any:
        return decode_cursor(self.cleaned_data.get("after") or "")


def _school_choices() -> list[tuple[Any, str]]:
    return [("", "Any"), *School.objects.order_by("name").values_list("pk", "name")]


class EventFilterForm(CursorForm):
    bounce_type = forms.ChoiceField(
        label="Type", choices=ANY + BounceTypeChoices.choices, required=False
    )
    reason = forms.ChoiceField(label="Reason", choices=ANY + ReasonChoices.choices, required=False)
    source = forms.ChoiceField(label="Source", choices=ANY + Source.choices, required=False)
    stream = forms.ChoiceField(
        label="Stream",
        choices=[("", "Any"), *[(value or "none", label) for value, label in Stream.choices]],
        required=False,
    )
    school = forms.TypedChoiceField(
        label="School", choices=(), coerce=int, required=False, empty_value=None
    )
    day_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    day_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label="Address or domain", required=False, max_length=320)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = _school_choices()  # type: ignore[attr-defined]


class QueueFilterForm(CursorForm):
    status = forms.ChoiceField(
        label="Status",
        choices=[*RequestStatus.choices, ("all", "Any")],
        required=False,
    )
    reason = forms.ChoiceField(
        label="Latest bounce", choices=ANY + ReasonChoices.choices, required=False
    )
    school = forms.TypedChoiceField(
        label="School", choices=(), coerce=int, required=False, empty_value=None
    )
    age = forms.ChoiceField(label="Waiting", choices=ANY + list(AGES.items()), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = _school_choices()  # type: ignore[attr-defined]


class AuditFilterForm(CursorForm):
    person = forms.ChoiceField(label="Person", choices=(), required=False)
    object_type = forms.ChoiceField(label="Object type", choices=(), required=False)
    action = forms.ChoiceField(label="Action", choices=ANY + AuditAction.choices, required=False)
    day_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    day_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = get_user_model().objects.filter(is_staff=True).order_by("username")
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            ("", "Anyone"),
            ("system", "The system (bounces, the API)"),
            *[(str(pk), name) for pk, name in staff.values_list("pk", "username")],
        ]
        self.fields["object_type"].choices = ANY + history_object_types()  # type: ignore[attr-defined]
