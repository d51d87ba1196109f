"""Moderators' partner forms. Validation only: the views call services to write."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from groups.feeds.fetch import host_allowed
from groups.models import FEED_FIELDS, Partner
from groups.schedule import ScheduleError, zone


class PartnerForm(forms.ModelForm):
    feed_url = forms.URLField(
        label=_("feed URL"), max_length=1000, required=False, assume_scheme="https"
    )
    owned_fields = forms.MultipleChoiceField(
        label=_("Fields the partner's feed owns"),
        choices=[(f, f.replace("_", " ")) for f in FEED_FIELDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "An import overwrites only these. Untick a field to let the organizer change it "
            "and keep the change."
        ),
    )

    class Meta:
        model = Partner
        fields = ["name", "slug", "organization", "feed_url", "format", "time_zone"]
        fields += ["refresh_minutes", "status"]

    def __init__(self, *args, owned: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            kind=Organization.Kind.PROVIDER
        )
        self.fields["owned_fields"].initial = owned if owned is not None else list(FEED_FIELDS)
        self.fields["feed_url"].help_text = _(
            "Leave empty to upload files instead. The host must be on the allowed list."
        )

    def clean_feed_url(self):
        url = self.cleaned_data["feed_url"]
        if url and not host_allowed(url):
            raise forms.ValidationError(
                _(
                    "Kindred may not fetch from this address. Ask an administrator to add its host "
                    "to KINDRED_FEED_ALLOWED_HOSTS, or upload the file instead."
                )
            )
        return url

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"]
        try:
            zone(value)
        except ScheduleError as exc:
            raise forms.ValidationError(str(exc)) from None
        return value

    def clean_refresh_minutes(self):
        value = self.cleaned_data["refresh_minutes"]
        if value < 5:
            raise forms.ValidationError(_("Refresh at most every 5 minutes."))
        return value


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Feed file"),
        help_text=_("HSDS JSON, a data package zip, or an iCalendar .ics file."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.KINDRED_FEED_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than the feed size limit."))
        return upload
