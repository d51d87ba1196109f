"""Referral forms: validation only; the services do the writing."""

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from groups.sms import sms_enabled
from groups.vocabularies import LANGUAGES
from referrals.models import Consent, ContactMethod, Status

SHARE_FIELD_CHOICES = [
    ("name", _("Their name or initials")),
    ("contact", _("How to contact them")),
    ("language", _("Their preferred language")),
    ("notes", _("The notes below")),
]
_PHONE = re.compile(r"^\+?[0-9]{7,15}$")


class _DateInput(forms.DateInput):
    input_type = "date"


class ReferralForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Referring from"), queryset=None, empty_label=None, required=True
    )
    client_name = forms.CharField(
        label=_("Client's name or initials"),
        max_length=150,
        help_text=_("Initials are enough. Only what the client agrees to is shared."),
    )
    contact_method = forms.ChoiceField(
        label=_("How the client wants to hear from us"), widget=forms.RadioSelect
    )
    contact_value = forms.CharField(
        label=_("Their email address or mobile number"),
        max_length=254,
        help_text=_("We send them the group's details and a private link. Nothing else."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language the client prefers"), choices=LANGUAGES.choices
    )
    notes = forms.CharField(
        label=_("Notes for the organizer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Anything that helps the group welcome them. Leave out diagnoses."),
    )
    share = forms.MultipleChoiceField(
        label=_("What the client agrees to share with the group"),
        choices=SHARE_FIELD_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The group sees only what is ticked here."),
    )
    consent_given = forms.BooleanField(
        label=_("The client has given consent to this referral, as described above."),
        error_messages={
            "required": _(
                "No consent, no referral: we cannot share anything until the client agrees."
            )
        },
    )
    consent_method = forms.ChoiceField(
        label=_("How the client gave consent"),
        choices=Consent.Method.choices,
        widget=forms.RadioSelect,
    )
    signature = forms.CharField(
        label=_("Client's signature (typed by the client)"),
        required=False,
        max_length=150,
        help_text=_("Needed when the client signs on this screen."),
    )
    consent_given_on = forms.DateField(label=_("Date consent was given"), widget=_DateInput)
    valid_until = forms.DateField(
        label=_("Consent is valid until"),
        widget=_DateInput,
        help_text=_("One year from today unless the client chose otherwise."),
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["agency"].queryset = agencies
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0].pk
            self.fields["agency"].widget = forms.HiddenInput()
        methods = [(ContactMethod.EMAIL.value, ContactMethod.EMAIL.label)]
        if sms_enabled():
            methods.append((ContactMethod.SMS.value, ContactMethod.SMS.label))
        self.fields["contact_method"].choices = methods
        self.fields["contact_method"].initial = ContactMethod.EMAIL.value
        language = (get_language() or "en").split("-")[0]
        self.fields["preferred_language"].initial = (
            language if language in LANGUAGES.codes else "en"
        )
        self.fields["consent_given_on"].initial = today
        self.fields["valid_until"].initial = today + dt.timedelta(days=365)

    def clean_consent_given_on(self):
        value = self.cleaned_data["consent_given_on"]
        if value > timezone.localdate():
            raise ValidationError(_("Consent cannot be given in the future."))
        return value

    def clean_valid_until(self):
        value = self.cleaned_data["valid_until"]
        today = timezone.localdate()
        if value < today:
            raise ValidationError(_("This date has passed: the consent would already have ended."))
        if value > today + dt.timedelta(days=2 * 366):
            raise ValidationError(_("Consent can last at most two years."))
        return value

    def clean(self):
        data = super().clean()
        method, value = data.get("contact_method"), data.get("contact_value", "").strip()
        if method == ContactMethod.EMAIL and value:
            try:
                validate_email(value)
            except ValidationError:
                self.add_error("contact_value", _("Enter an email address like name@example.org."))
            data["contact_value"] = value.lower()
        elif method == ContactMethod.SMS and value:
            digits = re.sub(r"[\s().-]", "", value)
            if not _PHONE.match(digits):
                self.add_error("contact_value", _("Enter a mobile number, like +1 555 123 4567."))
            data["contact_value"] = digits
        if (
            data.get("consent_method") == Consent.Method.SIGNED_ON_SCREEN
            and not data.get("signature", "").strip()
        ):
            self.add_error("signature", _("Ask the client to type their name to sign."))
        return data


class RespondForm(forms.Form):
    """An organizer's or case worker's next step; choices are the moves allowed now."""

    status = forms.ChoiceField(label=_("What happens next"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when declining. The case worker sees it."),
    )

    def __init__(self, *args, moves: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Status.choices)
        self.fields["status"].choices = [(m, labels[m]) for m in moves]

    def clean(self):
        data = super().clean()
        if data.get("status") == Status.DECLINED and not data.get("reason", "").strip():
            self.add_error(
                "reason", _("Please say why, so the case worker can find another group.")
            )
        return data


class ClientAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("going", "going"), ("not_for_me", "not_for_me")])


class CaseloadForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Show"),
        choices=[("mine", _("Referrals I made")), ("agency", _("All my agency's referrals"))],
        required=False,
    )

    def scope_value(self) -> str:
        if not self.is_valid():
            return "mine"
        return self.cleaned_data.get("scope") or "mine"


class ReportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=_DateInput)
    end = forms.DateField(label=_("To"), widget=_DateInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date must be on or after the start date."))
        if start and end and (end - start).days > 3 * 366:
            self.add_error("start", _("Choose a range of three years or less."))
        return data
