"""Organizer forms: validation only. Services do the writing."""

from zoneinfo import available_timezones

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from groups.models import Group, Location
from groups.organizer import rules
from groups.organizer.listing import IMMEDIATE_FIELDS, MODERATED_FIELDS
from groups.vocabularies import DAYS

US_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
)


def time_zone_choices() -> list[tuple[str, str]]:
    """The US zones first (most organizers pick one of them), then every other zone."""
    others = sorted(z for z in available_timezones() if z not in US_ZONES and "/" in z)
    return [(z, z.replace("_", " ")) for z in (*US_ZONES, *others)]


class FieldsetsMixin:
    """Forms declare `fieldsets = [(legend, hint, [field names])]`; templates loop over them."""

    fieldsets: list = []

    def grouped_fields(self):
        for legend, hint, names in self.fieldsets:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                yield {"legend": legend, "hint": hint, "fields": fields}


class OrganizationChoiceForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), empty_label=None
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


def _formfield(field, **kwargs):
    # A link typed without a scheme is taken as https, the safe reading.
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ListingForm(FieldsetsMixin, forms.ModelForm):
    """Every field the search and the group page use, in sections a phone can manage."""

    place_name = forms.CharField(
        label=_("Name of the place"),
        max_length=200,
        required=False,
        help_text=_("For example: “Eastside Library, Room 2”."),
    )
    address_1 = forms.CharField(label=_("Street address"), max_length=200, required=False)
    address_2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    city = forms.CharField(label=_("City or town"), max_length=100, required=False)
    region = forms.CharField(label=_("State"), max_length=100, required=False)
    postcode = forms.CharField(label=_("ZIP code"), max_length=20, required=False)
    directions = forms.CharField(
        label=_("How to get there"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bus routes, parking, which door to use, what floor."),
    )

    class Meta:
        model = Group
        formfield_callback = _formfield
        # Every public field (moderated once published) plus the ones that apply at once.
        fields = [*MODERATED_FIELDS, *IMMEDIATE_FIELDS]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "what_to_expect": forms.Textarea(attrs={"rows": 4}),
            "accessibility_detail": forms.Textarea(attrs={"rows": 3}),
            "format": forms.RadioSelect,
            "facilitation": forms.RadioSelect,
            "cost": forms.RadioSelect,
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        help_texts = {
            "name": _("The name people will see in search results."),
            "capacity": _("Leave empty if there is no limit."),
            "languages": _("Tick every language the group is run in."),
        }

    fieldsets = [
        (_("About the group"), "", ["name", "description", "what_to_expect", "topics", "audience"]),
        (
            _("How it runs"),
            "",
            [
                "format",
                "facilitation",
                "registration_required",
                "accepting_new_members",
                "capacity",
                "languages",
                "languages_other",
            ],
        ),
        (_("Cost"), "", ["cost", "cost_amount", "cost_detail"]),
        (
            _("Where it meets"),
            _("Fill this in if people meet in person."),
            ["place_name", "address_1", "address_2", "city", "region", "postcode", "directions"],
        ),
        (
            _("Getting there and access"),
            "",
            ["transport", "accessibility", "accessibility_detail"],
        ),
        (
            _("Meeting online"),
            _("Fill this in if people can join online or by phone."),
            ["online_url", "online_url_public"],
        ),
        (
            _("Contact"),
            _("How people can ask a question before they come."),
            ["contact_name", "contact_email", "contact_phone", "website"],
        ),
    ]

    def __init__(self, *args, location: Location | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if location is not None and not self.is_bound:
            for form_name, model_name in self.location_names():
                self.initial.setdefault(form_name, getattr(location, model_name))

    @staticmethod
    def location_names():
        return [
            ("place_name", "name"),
            ("address_1", "address_1"),
            ("address_2", "address_2"),
            ("city", "city"),
            ("region", "region"),
            ("postcode", "postcode"),
            ("directions", "directions"),
        ]

    def clean(self):
        data = super().clean()
        fmt = data.get("format")
        if fmt in ("in_person", "hybrid") and not (
            data.get("address_1") and (data.get("city") or data.get("postcode"))
        ):
            self.add_error(
                "address_1",
                _("Give the street address and the city or ZIP code, so people can find you."),
            )
        if data.get("cost") == "fee" and data.get("cost_amount") is None:
            self.add_error("cost_amount", _("Say how much it costs."))
        location = {model: data.get(form, "") or "" for form, model in self.location_names()}
        data["location"] = location if any(location.values()) else None
        return data


class EventWhenForm(FieldsetsMixin, forms.Form):
    """When a one-off event happens (its single schedule)."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"), min_value=5, max_value=24 * 60, initial=90
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    fieldsets = [
        (_("When"), "", ["date", "start_time", "duration_minutes", "time_zone"]),
    ]


REPEAT_CHOICES = [
    (rules.WEEKLY_KIND, _("Every week, or every few weeks, on chosen days")),
    (rules.MONTHLY_WEEKDAY, _("Once a month on a weekday, like “the 1st Monday”")),
    (rules.MONTHLY_DATE, _("Once a month on a date, like “the 15th”")),
    (rules.ONCE, _("Just once")),
]
WEEKDAY_CHOICES = [(str(i), DAYS.label(code)) for i, code in enumerate(DAYS.codes)]
WEEK_OF_MONTH_CHOICES = [
    ("1", _("1st")),
    ("2", _("2nd")),
    ("3", _("3rd")),
    ("4", _("4th")),
    ("-1", _("Last")),
]


class ScheduleForm(FieldsetsMixin, forms.Form):
    """A schedule in words; `clean()` builds the RRULE from the choices."""

    repeat = forms.ChoiceField(
        label=_("How often does it meet?"), choices=REPEAT_CHOICES, widget=forms.RadioSelect
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On which days?"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interval = forms.IntegerField(
        label=_("Every how many weeks (or months)?"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=_("1 means every week (or every month); 2 means every other one."),
    )
    week_of_month = forms.TypedChoiceField(
        label=_("Which one in the month?"),
        choices=[("", "—"), *WEEK_OF_MONTH_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    weekday = forms.TypedChoiceField(
        label=_("Which day?"),
        choices=[("", "—"), *WEEKDAY_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    month_day = forms.IntegerField(
        label=_("Which date of the month?"),
        min_value=1,
        max_value=31,
        required=False,
        help_text=_("Months without that date (like the 31st) are skipped."),
    )
    start_time = forms.TimeField(
        label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"), min_value=5, max_value=24 * 60, initial=90
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    start_date = forms.DateField(
        label=_("First meeting on or after"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For “just once”, the date of the meeting."),
    )
    end_date = forms.DateField(
        label=_("Last date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty if it carries on."),
    )

    fieldsets = [
        (_("How often"), "", ["repeat"]),
        (_("Weekly"), _("Only for meetings every week or every few weeks."), ["weekdays"]),
        (
            _("Monthly"),
            _("Only for monthly meetings."),
            ["week_of_month", "weekday", "month_day"],
        ),
        (_("Repeats"), "", ["interval"]),
        (_("Time"), "", ["start_time", "duration_minutes", "time_zone"]),
        (_("Dates"), "", ["start_date", "end_date"]),
    ]

    def clean(self):
        data = super().clean()
        repeat = data.get("repeat")
        if repeat == rules.WEEKLY_KIND and not data.get("weekdays"):
            self.add_error("weekdays", _("Tick at least one day."))
        if repeat == rules.MONTHLY_WEEKDAY:
            if data.get("week_of_month") is None:
                self.add_error("week_of_month", _("Choose 1st, 2nd, 3rd, 4th or last."))
            if data.get("weekday") is None:
                self.add_error("weekday", _("Choose the day."))
        if repeat == rules.MONTHLY_DATE and not data.get("month_day"):
            self.add_error("month_day", _("Give the date, from 1 to 31."))
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last date cannot be before the first."))
        if repeat and not self.errors:
            data["rrule"] = rules.build_rrule(
                rules.RuleChoice(
                    repeat=repeat,
                    weekdays=tuple(data.get("weekdays") or ()),
                    interval=data.get("interval") or 1,
                    week_of_month=data.get("week_of_month"),
                    weekday=data.get("weekday"),
                    month_day=data.get("month_day"),
                )
            )
            if repeat == rules.ONCE:
                data["end_date"] = None
        return data


def schedule_form_initial(schedule) -> dict:
    """A stored schedule as the editor's choices."""
    initial = {
        "start_time": schedule.start_time,
        "duration_minutes": schedule.duration_minutes,
        "time_zone": schedule.time_zone,
        "start_date": schedule.start_date,
        "end_date": schedule.end_date,
    }
    choice = rules.read_rrule(schedule.rrule, schedule.start_date)
    if choice is not None:
        initial.update(
            repeat=choice.repeat,
            weekdays=[str(d) for d in choice.weekdays],
            interval=choice.interval,
            week_of_month=choice.week_of_month,
            weekday=choice.weekday,
            month_day=choice.month_day,
        )
    return initial


class OccurrenceCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, in a few words"),
        max_length=300,
        help_text=_("People who asked for reminders will see this. For example: “Room closed”."),
    )


class OccurrenceMoveForm(FieldsetsMixin, forms.Form):
    date = forms.DateField(label=_("New date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("New start time"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    reason = forms.CharField(
        label=_("Reason, in a few words"),
        max_length=300,
        help_text=_("People who asked for reminders will see this."),
    )
