"""The case page's forms: each decision is a POST with a note, checked here, done by a service."""

from __future__ import annotations

from django import forms

from ..models import BounceEvent, EmailAddress, ReasonChoices, School

NOTE_HELP = "The school owner reads this note in the portal and in the decision mail."


class DecisionForm(forms.Form):
    """Resume sending or reject: a note the owner sees, then a confirmation step."""

    note = forms.CharField(
        label="Note to the school owner",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NOTE_HELP,
        max_length=5000,
    )
    # What the guards said when the page was drawn, to tell the person what changed since.
    guards_seen = forms.CharField(required=False, widget=forms.HiddenInput)
    confirmed = forms.CharField(required=False, widget=forms.HiddenInput)

    @property
    def is_confirmed(self) -> bool:
        return self.cleaned_data.get("confirmed") == "yes"


class ResumeForm(DecisionForm):
    override_reason = forms.CharField(
        label="Why you resume sending although a guard advises against it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Support leads only; kept on the audit trail.",
        max_length=5000,
    )

    def __init__(self, *args: object, may_override: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not may_override:
            # Not offered; a value posted anyway still reaches the service, which refuses it.
            self.fields["override_reason"].widget = forms.HiddenInput()


class SuppressForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason", choices=ReasonChoices.choices, initial=ReasonChoices.UNKNOWN
    )
    note = forms.CharField(
        label="Why sending must stop",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        help_text="Kept on the audit trail with your name.",
    )


class OnBehalfForm(forms.Form):
    school = forms.ModelChoiceField(
        label="School", queryset=School.objects.order_by("name"), empty_label=None
    )
    explanation = forms.CharField(
        label="The owner's words: what the client did",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def __init__(self, *args: object, address: EmailAddress, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # The schools whose mail bounced from the address (a handful, from its events), not
        # the platform's thousands: an owner asks about an address their school mailed.
        field = self.fields["school"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = School.objects.filter(
            pk__in=BounceEvent.objects.filter(address=address).values("school_id")
        ).order_by("name")
