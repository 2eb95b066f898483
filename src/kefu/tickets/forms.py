"""The new-ticket form of the workspace."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.choices import Priority
from kefu.tickets.choices import TicketType


class TicketForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
