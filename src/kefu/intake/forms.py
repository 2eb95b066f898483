from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core import clock
from kefu.intake.choices import CallDirection, CallOutcome, ContactMedium

LOGGED_OUTCOMES = [
    (CallOutcome.ANSWERED.value, CallOutcome.ANSWERED.label),
    (CallOutcome.MISSED.value, CallOutcome.MISSED.label),
    (CallOutcome.VOICEMAIL.value, CallOutcome.VOICEMAIL.label),
    (CallOutcome.CALLBACK.value, CallOutcome.CALLBACK.label),
]


class ContactForm(forms.Form):
    medium = forms.ChoiceField(label=_("Contact"), choices=ContactMedium.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=CallDirection.choices)
    number = forms.CharField(label=_("Phone number"), max_length=40, required=False)
    customer = forms.IntegerField(
        label=_("Customer number"), required=False, min_value=1, help_text=_("Found by phone number if left empty.")
    )
    started_at = forms.DateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=0, max_value=24 * 60, initial=5)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=LOGGED_OUTCOMES)
    ticket = forms.IntegerField(
        label=_("Ticket number"),
        required=False,
        min_value=1,
        help_text=_("Empty: the customer's open ticket, or a new one."),
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("started_at", clock.now())
        kwargs["initial"].setdefault("medium", ContactMedium.PHONE)
        kwargs["initial"].setdefault("direction", CallDirection.INBOUND)
        kwargs["initial"].setdefault("outcome", CallOutcome.ANSWERED)
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
