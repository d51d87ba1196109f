from django import forms
from django.utils.translation import gettext_lazy as _


class SendBackForm(forms.Form):
    note = forms.CharField(
        label=_("What needs to change?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("The organizer gets this by email, word for word. Be kind and specific."),
    )


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the organizer"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


class ArchiveForm(forms.Form):
    note = forms.CharField(
        label=_("Why is it archived?"),
        max_length=500,
        help_text=_("Kept in the listing's history. Nothing is deleted."),
    )
