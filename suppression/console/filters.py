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


class SchoolField(forms.CharField):
    """A school by its slug (or id): a select of thousands of schools would cost every page."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label="School",
            required=False,
            max_length=100,
            help_text="The school's slug",
            widget=forms.TextInput(attrs={"size": 14, "placeholder": "slug"}),
            **kwargs,
        )

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        lookup: dict[str, Any] = {"pk": int(text)} if text.isdigit() else {"slug": text}
        found = School.objects.filter(**lookup).values_list("pk", flat=True)[:1]
        if not found:
            raise forms.ValidationError("No school has that slug.")
        return found[0]


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
    school = SchoolField()
    day_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    day_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label="Address or domain", required=False, max_length=320)


class QueueFilterForm(CursorForm):
    status = forms.ChoiceField(
        label="Status",
        choices=[*RequestStatus.choices, ("all", "Any")],
        required=False,
    )
    reason = forms.ChoiceField(
        label="Latest bounce", choices=ANY + ReasonChoices.choices, required=False
    )
    school = SchoolField()
    age = forms.ChoiceField(label="Waiting", choices=ANY + list(AGES.items()), required=False)


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
