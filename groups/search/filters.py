"""The one FilterSet behind the search page and the JSON API.

Several values inside one filter mean OR (`cost=free&cost=donation`, or
`cost=free,donation`); different filters mean AND. Groups that meet online or
by phone show whatever the location, unless `online=exclude`.
"""

import copy
import math
from datetime import timedelta
from functools import lru_cache

import django_filters
from django import forms
from django.conf import settings
from django.db import connections
from django.db.models import BooleanField, ExpressionWrapper, F, Func, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from groups import geo
from groups.geocoding import Place, geocode
from groups.models import Group
from groups.search.distance import Circle
from groups.vocabularies import (
    ACCESSIBILITY,
    AUDIENCE,
    COST,
    DAYS,
    FACILITATION,
    FORMAT,
    LANGUAGES,
    TIME_OF_DAY,
    TOPICS,
    TRANSPORT,
)

REMOTE_FORMATS = ("online", "phone")
ONLINE_CHOICES = [
    ("include", _("Include online and phone groups")),
    ("only", _("Only online and phone groups")),
    ("exclude", _("Only groups that meet in person")),
]
ORDERING_CHOICES = [
    ("distance", pgettext_lazy("sort by", "Distance")),
    ("next_meeting", pgettext_lazy("sort by", "Next meeting")),
    ("name", pgettext_lazy("sort by", "Name")),
]
MAX_WORDS = 8


class CommaSeparatedCheckboxes(forms.CheckboxSelectMultiple):
    """Reads `cost=free&cost=donation` and `cost=free,donation` alike."""

    def value_from_datadict(self, data, files, name):
        values = super().value_from_datadict(data, files, name) or []
        if isinstance(values, str):
            values = [values]
        return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


_SELECT_HTML: dict[tuple, str] = {}


class _RenderOncePerChoice:
    """A select whose markup is rendered once per language, name, chosen value and attributes.

    The search form's selects (online groups, ordering, accepting new members) went
    through Django's per-option widget templates on every search, about 40 % of the
    page's template time. Only values that are one of the widget's own choices (or
    empty) are cached, so the cache stays small and never holds what someone typed.
    """

    def chosen_values(self, value) -> tuple[str, ...] | None:
        """The value as the options it selects, or None when it is not one of the
        widget's own choices (something typed, which is never cached)."""
        formatted = self.format_value(value)
        values = formatted if isinstance(formatted, list | tuple) else [formatted]
        allowed = {"", *(str(code) for code, _label in self.offered_choices())}
        if not all(isinstance(v, str) and v in allowed for v in values):
            return None
        return tuple(values)

    def offered_choices(self):
        return self.choices

    def render(self, name, value, attrs=None, renderer=None):
        values = self.chosen_values(value)
        if values is None:
            return super().render(name, value, attrs, renderer)
        final_attrs = self.build_attrs(self.attrs, attrs)
        key = (
            type(self),
            get_language() or "",
            name,
            values,
            tuple(sorted((k, str(v)) for k, v in final_attrs.items())),
            type(renderer),
            self.cache_key_extra(),
        )
        html = _SELECT_HTML.get(key)
        if html is None:
            html = _SELECT_HTML[key] = super().render(name, value, attrs, renderer)
        return html

    def cache_key_extra(self) -> tuple:
        return ()


class CachedSelect(_RenderOncePerChoice, forms.Select):
    pass


# The distances offered, in the deployment's unit (KINDRED_DISTANCE_UNIT).
RADIUS_STEPS = {"mi": (1, 3, 5, 10, 15, 25, 50, 100), "km": (2, 5, 10, 25, 50, 100, 200)}


def _km_text(km: float) -> str:
    return f"{round(km, 1):g}"


@lru_cache(maxsize=32)
def radius_choices(
    unit: str, default_km: float, max_km: float, language: str
) -> tuple[tuple[str, str], ...]:
    """(km, label) for each distance offered, in the unit people read, up to the largest
    radius allowed; the default radius replaces the step nearest to it."""
    steps_km = [step * geo.KM_PER_MILE if unit == "mi" else step for step in RADIUS_STEPS[unit]]
    nearest = min(range(len(steps_km)), key=lambda i: abs(steps_km[i] - default_km))
    steps_km[nearest] = default_km
    steps_km = sorted({round(km, 1) for km in steps_km if km <= max_km} | {default_km})
    return tuple((_km_text(km), _radius_label(km, unit)) for km in steps_km)


def _radius_label(km: float, unit: str) -> str:
    count = max(1, round(geo.km_to_display(km, unit)))
    if unit == "mi":
        return ngettext("within %(count)s mile", "within %(count)s miles", count) % {"count": count}
    return ngettext("within %(count)s km", "within %(count)s km", count) % {"count": count}


class RadiusSelect(CachedSelect):
    """The search radius as a choice of distances in the deployment's unit (miles by
    default); the value sent stays `radius_km`, in km, as the API takes it. A radius
    typed into the address that is not one of the choices is kept, as one more choice."""

    def _choices_now(self):
        return radius_choices(
            settings.KINDRED_DISTANCE_UNIT,
            float(settings.KINDRED_DEFAULT_RADIUS_KM),
            float(settings.KINDRED_MAX_RADIUS_KM),
            get_language() or "",
        )

    def format_value(self, value):
        if value in (None, ""):
            return [_km_text(float(settings.KINDRED_DEFAULT_RADIUS_KM))]
        return [str(value)]

    def offered_choices(self):
        return self._choices_now()

    def render(self, name, value, attrs=None, renderer=None):
        self.choices = choices = self._choices_now()
        (chosen,) = self.format_value(value)
        if chosen in {code for code, _label in choices}:
            return super().render(name, value, attrs, renderer)
        # What someone typed is drawn without the cache: it must never be kept there.
        self.choices = (*choices, (chosen, _typed_radius_label(chosen)))
        return forms.Select.render(self, name, value, attrs, renderer)

    def cache_key_extra(self) -> tuple:
        return tuple(self.choices)


def _typed_radius_label(value: str) -> str:
    try:
        km = float(value)
    except ValueError:
        return value
    if not math.isfinite(km) or km <= 0:
        return value
    return _radius_label(km, settings.KINDRED_DISTANCE_UNIT)


class _InputDrawnInPython:
    """An `<input>` drawn in Python, with exactly the markup of Django's `input.html`.

    Django's `get_context()` still builds the attributes and formats the value; only
    the template (`input.html` with `attrs.html`, about 0.1 ms a field through the
    template engine) is replaced. tests/groups/test_search_speedups.py checks the
    output against Django's own rendering, hostile values included.
    """

    def _render(self, template_name, context, renderer=None):
        widget = context["widget"]
        parts = [f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"']
        if widget["value"] is not None:
            parts.append(f' value="{escape(widget["value"])}"')
        for name, value in widget["attrs"].items():
            if value is True:
                parts.append(f" {escape(name)}")
            elif value is not False:
                parts.append(f' {escape(name)}="{escape(value)}"')
        parts.append(">")
        return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


class PlainTextInput(_InputDrawnInPython, forms.TextInput):
    pass


class PlainNumberInput(_InputDrawnInPython, forms.NumberInput):
    pass


class CachedNullBooleanSelect(_RenderOncePerChoice, forms.NullBooleanSelect):
    pass


def _field_copy(field: forms.Field) -> forms.Field:
    """A field's per-request copy that shares its (immutable) choices and labels.

    Django deep-copies every form field on every request (each field, its widget and
    its choices: about 75 deep copies for the search form's 18 fields, the ~100
    vocabulary choices among them), which cost more than the search query. What a
    request may change is the widget's attrs, the validators and the messages: those
    are copied.
    """
    result = _shallow_copy(field)
    result.widget = _shallow_copy(field.widget)
    result.widget.attrs = field.widget.attrs.copy()
    result.validators = field.validators[:]
    result.error_messages = field.error_messages.copy()
    return result


def _shallow_copy(obj):
    # copy.copy() goes through __reduce_ex__, three times slower for these plain objects.
    clone = object.__new__(type(obj))
    clone.__dict__.update(obj.__dict__)
    return clone


class _FieldsCopiedCheaply(dict):
    """A form's base_fields, which BaseForm.__init__ deep-copies: see _field_copy."""

    def __deepcopy__(self, memo):
        return {name: _field_copy(field) for name, field in self.items()}


class SearchForm(forms.Form):
    """Validation only: the place typed is geocoded here so a bad one is a field error."""

    place: Place | None = None

    def clean_near(self):
        text = " ".join((self.cleaned_data.get("near") or "").split())
        self.place = None
        if not text:
            return ""
        result = geocode(text)
        if not result.found:
            raise forms.ValidationError(result.message, code="place_not_found")
        self.place = result.place
        return text


def _multi(vocabulary, label, **kwargs):
    return django_filters.MultipleChoiceFilter(
        label=label,
        choices=vocabulary.choices,
        widget=CommaSeparatedCheckboxes,
        distinct=False,  # one row per group already: DISTINCT would only slow the query
        **kwargs,
    )


def _mask(field_name, vocabulary, label):
    return _multi(vocabulary, label, field_name=field_name, method="filter_mask")


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class GroupSearchFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Words to look for"),
        method="filter_q",
        max_length=200,
        strip=True,
        widget=PlainTextInput,
    )
    near = django_filters.CharFilter(
        label=_("Near (ZIP code, city or address)"),
        method="filter_nothing",
        max_length=200,
        widget=PlainTextInput,
    )
    radius_km = django_filters.NumberFilter(
        label=_("Distance"),
        method="filter_nothing",
        min_value=1,
        max_value=settings.KINDRED_MAX_RADIUS_KM,
        widget=RadiusSelect,
    )
    online = django_filters.ChoiceFilter(
        label=_("Online and phone groups"),
        choices=ONLINE_CHOICES,
        method="filter_nothing",
        empty_label=None,
        widget=CachedSelect,
    )
    cost = _multi(COST, _("Cost"))
    format = _multi(FORMAT, _("How it meets"))
    facilitation = _multi(FACILITATION, _("Who leads it"))
    accessibility = _mask("accessibility", ACCESSIBILITY, _("Accessibility"))
    transport = _mask("transport", TRANSPORT, _("Getting there"))
    audience = _mask("audience", AUDIENCE, _("Who it is for"))
    topic = _mask("topics", TOPICS, _("Topics"))
    language = _mask("languages", LANGUAGES, _("Language"))
    day = _mask("meeting_days", DAYS, _("Day"))
    time_of_day = _mask("times_of_day", TIME_OF_DAY, _("Time of day"))
    starts_within_days = IntegerFilter(
        label=_("Meets within the next (days)"),
        method="filter_starts_within_days",
        min_value=1,
        max_value=56,
        widget=PlainNumberInput,
    )
    accepting_new_members = django_filters.BooleanFilter(
        label=_("Accepting new members"),
        field_name="accepting_new_members",
        widget=CachedNullBooleanSelect,
    )
    ordering = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=ORDERING_CHOICES,
        method="filter_nothing",
        empty_label=None,
        widget=CachedSelect,
    )

    LOCATION_PARAMETERS = ("near", "radius_km", "online", "ordering")

    class Meta:
        model = Group
        fields: list[str] = []
        form = SearchForm

    # Set by filter_queryset for the selector: the place, and the search split in
    # the groups near it (ordered by distance) and the online ones.
    place: Place | None = None
    circle: Circle | None = None
    ordering_used: str = "name"
    # Near a place: whether online and phone groups come after the nearby ones
    # (the filtered groups themselves: near_filtered).
    include_remote: bool = True
    _near_filtered: QuerySet | None = None

    _form_classes: dict = {}

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter deep-copies every filter (and its choices) per request;
        # a shallow copy each is enough: a filter's state is its model and parent.
        self.is_bound = data is not None
        self.data = data if data is not None else {}
        self.queryset = queryset if queryset is not None else Group.objects.all()
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            filter_ = copy.copy(base)
            filter_.model = self.queryset.model
            filter_.parent = self
            if base.method is not None:
                filter_.method = base.method  # rebinds the method to this copy
            self.filters[name] = filter_

    def get_form_class(self):
        cls = type(self)
        if cls not in self._form_classes:
            form_class = super().get_form_class()
            form_class.base_fields = _FieldsCopiedCheaply(form_class.base_fields)
            self._form_classes[cls] = form_class
        return self._form_classes[cls]

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_mask(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(**{f"{name}__has_any": list(value)})

    def filter_starts_within_days(self, queryset, name, value):
        if not value:
            return queryset
        now = timezone.now()
        return queryset.filter(
            next_meeting_at__gte=now, next_meeting_at__lt=now + timedelta(days=value)
        )

    def filter_q(self, queryset, name, value):
        words = [w for w in value.split() if w][:MAX_WORDS]
        if not words:
            return queryset
        if connections[queryset.db].vendor == "postgresql":
            return self._full_text(queryset, " ".join(words))
        for word in words:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(what_to_expect__icontains=word)
                | _topics_matching([word])
            )
        return queryset

    def _full_text(self, queryset, text):
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("name", weight="A", config="english") + SearchVector(
            "description", "what_to_expect", config="english"
        )
        query = SearchQuery(text, search_type="websearch", config="english")
        return queryset.alias(_search=vector).filter(
            Q(_search=query) | _topics_matching(text.split())
        )

    def filter_queryset(self, queryset):
        return self._locate_and_order(self._filtered(queryset), self.form.cleaned_data)

    def _filtered(self, queryset):
        for name, value in self.form.cleaned_data.items():
            if name not in self.LOCATION_PARAMETERS:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def search_queryset(self) -> QuerySet | None:
        """Like `qs`, but None when the search is near a place and ordered by distance:
        then the selector runs the two parts' statements (groups.search.statements)
        around `near_filtered`, and the combined queryset would go unused (building it
        cost about as much as the search). Call after is_valid()."""
        data = self.form.cleaned_data
        if self._locate(data) and self.ordering_used == "distance":
            return None  # near_filtered is built when first asked for
        return self._locate_and_order(self._filtered(self.queryset.all()), data, combine=False)

    def _locate(self, data) -> bool:
        """Set the place, the circle and the ordering from the cleaned data; True when
        the search is near a place (in the circle first, then online groups)."""
        online = data.get("online") or "include"
        self.place = getattr(self.form, "place", None)
        ordering = data.get("ordering") or ("distance" if self.place else "next_meeting")
        if self.place is None or online == "only":
            self.ordering_used = "next_meeting" if ordering == "distance" else ordering
            return False
        radius = float(data.get("radius_km") or settings.KINDRED_DEFAULT_RADIUS_KM)
        self.circle = Circle(self.place.latitude, self.place.longitude, radius)
        self.include_remote = online != "exclude"
        self.ordering_used = ordering
        return True

    def _online_filtered(self, queryset, data):
        online = data.get("online") or "include"
        if online == "only":
            return queryset.filter(format__in=(*REMOTE_FORMATS, "hybrid"))
        if online == "exclude":
            return queryset.exclude(format__in=REMOTE_FORMATS)
        return queryset

    @property
    def near_filtered(self) -> QuerySet | None:
        """Near a place: the filtered groups before the place is applied."""
        if self._near_filtered is None and self.circle is not None:
            data = self.form.cleaned_data
            self._near_filtered = self._online_filtered(self._filtered(self.queryset.all()), data)
        return self._near_filtered

    def where_key(self) -> tuple | None:
        """What the filters' WHERE clause near a place depends on, when that is only
        codes from the fixed vocabularies and yes/no answers (None otherwise: words
        typed and "meets within the next days" are never part of a key). The
        selector keeps the compiled clause under it. Call after search_queryset()."""
        data = self.form.cleaned_data
        if self.circle is None or data.get("q") or data.get("starts_within_days"):
            return None
        chosen = tuple(
            (name, tuple(value) if isinstance(value, list | tuple) else value)
            for name, value in data.items()
            if name not in ("near", "radius_km", "ordering")
        )
        return (self.queryset.db, chosen)

    def _locate_and_order(self, queryset, data, *, combine=True):
        queryset = self._online_filtered(queryset, data)
        if not self._locate(data):
            return _order(queryset, self.ordering_used)
        self._near_filtered = queryset
        online = data.get("online") or "include"
        ordering = self.ordering_used
        if not combine and ordering == "distance":
            return None
        if online == "exclude":
            return _order(self.located_part, ordering)
        near_q = self.circle.cells_q() & self.circle.latitude_q()
        combined = queryset.filter(
            (near_q & Q(latitude__isnull=False)) | Q(format__in=REMOTE_FORMATS)
        ).alias(_d2=self.circle.squared_distance())
        combined = combined.filter(
            Q(_d2__lte=self.circle.max_squared_distance()) | Q(format__in=REMOTE_FORMATS)
        )
        return _order(combined, ordering)

    @property
    def located_part(self) -> QuerySet | None:
        """The matching groups within the circle, with their squared distance `_d2`."""
        if self.near_filtered is None:
            return None
        within = RawSQL(*self.circle.within_sql(), output_field=BooleanField())  # noqa: S611
        return self.near_filtered.filter(within).alias(_d2=self.circle.squared_distance())

    @property
    def remote_part(self) -> QuerySet | None:
        """The matching online and phone groups, when the search includes them."""
        if self.near_filtered is None or not self.include_remote:
            return None
        return self.near_filtered.filter(_remote_formats(self.near_filtered.db))


class _Unlikely(Func):
    """A condition SQLite's planner is told is rarely true: `likelihood(condition, p)`.

    SQLite's statistics (ANALYZE, without STAT4) only know that `format` has a few
    distinct values, so it guessed a third of the groups meet online and scanned the
    whole table for the online part (25-30 ms at 100,000 groups) instead of using
    the group_search_remote index (about 3 ms). likelihood() changes nothing but
    the plan; other databases get the plain condition.
    """

    output_field = BooleanField()

    def __init__(self, condition: Q, probability: float):
        super().__init__(ExpressionWrapper(condition, output_field=BooleanField()))
        self.probability = float(probability)

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"likelihood({sql}, {self.probability!r})", params


def _remote_formats(alias: str) -> Q | _Unlikely:
    condition = Q(format__in=REMOTE_FORMATS)
    if connections[alias].vendor == "sqlite":
        return _Unlikely(condition, 0.05)
    return condition


def _order(queryset, ordering):
    if ordering == "distance":
        return queryset.order_by(F("_d2").asc(nulls_last=True), "id")
    if ordering == "name":
        return queryset.order_by("name", "id")
    return queryset.order_by(F("next_meeting_at").asc(nulls_last=True), "name", "id")


def _topics_matching(words) -> Q:
    """Groups whose topics' labels (in the reader's language) or codes contain a word."""
    codes = [
        code
        for code, label in TOPICS.terms
        for word in words
        if len(word) >= 3 and (word.lower() in str(label).lower() or word.lower() in code)
    ]
    return Q(topics__has_any=codes) if codes else Q(pk__in=[])


def search_parameters() -> list[str]:
    """Every query parameter the search accepts (the OpenAPI test checks them all)."""
    return list(GroupSearchFilter.base_filters)
