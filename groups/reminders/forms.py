"""Validation only: the views call services with the cleaned data."""

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import ReminderSubscription
from groups.reminders.addresses import normalize_phone
from groups.sms import sms_enabled


class _ChoicesForm(forms.Form):
    meetings = forms.ChoiceField(
        label=_("Which meetings"),
        choices=ReminderSubscription.Meetings.choices,
        initial=ReminderSubscription.Meetings.ALL,
        widget=forms.RadioSelect,
    )
    timing = forms.ChoiceField(
        label=_("When"),
        choices=ReminderSubscription.Timing.choices,
        initial=ReminderSubscription.Timing.DAY_BEFORE,
        widget=forms.RadioSelect,
    )


class SignupForm(_ChoicesForm):
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We send a link to confirm. We keep the address only while reminders are on."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Mobile number for text messages"),
        required=False,
        max_length=30,
        help_text=_("Optional. Standard message rates may apply."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    field_order = ["email", "phone", "meetings", "timing"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not sms_enabled():
            del self.fields["phone"]

    def clean_phone(self):
        raw = self.cleaned_data.get("phone", "")
        if not raw:
            return ""
        number = normalize_phone(raw)
        if number is None:
            raise forms.ValidationError(
                _("Enter a mobile number with its area code, for example 555 123 4567.")
            )
        return number


class ManageForm(_ChoicesForm):
    pass
